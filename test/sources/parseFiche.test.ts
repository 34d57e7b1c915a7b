import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ficheIdOf, ficheUrl, oneLine } from '../../src/sources';
import { ficheFromElement } from '../../src/sources/ficheFromElement';
import { packageFicheElement, fichesPackage } from '../../src/sources/loadEmbeddedCatalogue';
import { MalformedFicheError, parseFicheXml } from '../../src/sources/parseFicheXml';
import { ficheXml } from '../bench/vddArchive';

const packageJson = (id: string) => JSON.parse(readFileSync(path.join(fichesPackage()!.dir, 'data', 'particuliers', `${id}.json`), 'utf8')) as { children: never[] };

describe('reading a fiche', () => {
  it.each(['F10027', 'R42726', 'N19810', 'F12118', 'R1264', 'F35154', 'N360'])('%s: the XML file and the package JSON give the same fiche', (id) => {
    const fromXml = parseFicheXml(ficheXml(id), `${id}.xml`);
    const fromJson = ficheFromElement(packageFicheElement(packageJson(id))!);
    expect(fromXml).toEqual(fromJson);
    expect('fiche' in fromXml && fromXml.fiche.id).toBe(id);
  });

  it('a resource (R…) takes its theme from its Theme and Dossier, not from the "services en ligne" breadcrumb', () => {
    const r = parseFicheXml(ficheXml('R42726'));
    expect(r).toEqual({
      fiche: {
        id: 'R42726',
        type: 'Téléservice',
        title: "Téléservice : Demander la prime d'activité",
        description: "Permet d'estimer votre droit à la prime d'activité et le montant auquel vous pouvez prétendre.",
        theme: "Social - Santé > Prime d'activité",
        audience: ['Particuliers'],
        modified: '2020-02-04',
        url: 'https://www.service-public.gouv.fr/particuliers/vosdroits/R42726',
      },
    });
  });

  const fiche = (body: string, attrs = 'ID="F1" type="Fiche d\'information"') =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<Publication xmlns:dc="http://purl.org/dc/elements/1.1/" ${attrs}>${body}<Introduction><Texte><Paragraphe>Corps <MiseEnEvidence>ignoré</MiseEnEvidence></Paragraphe></Texte></Introduction></Publication>`;

  it('new fields of the format are ignored; entities and CDATA are read', () => {
    const r = parseFicheXml(fiche('<dc:title>Aide &amp; <![CDATA[conseils]]></dc:title><dc:date>modified 2026-03-02</dc:date><ChampNouveau>x</ChampNouveau><Audience>Particuliers</Audience><Audience>Associations</Audience>'));
    expect(r).toMatchObject({ fiche: { id: 'F1', title: 'Aide & conseils', modified: '2026-03-02', audience: ['Particuliers', 'Associations'], description: '' } });
  });

  it.each([
    ['a page for associations only', '<dc:title>T</dc:title><dc:date>modified 2026-01-01</dc:date><Audience>Associations</Audience>', undefined, 'not-particuliers'],
    ['no title', '<dc:date>modified 2026-01-01</dc:date>', undefined, 'no-title'],
    ['no date', '<dc:title>T</dc:title>', undefined, 'no-date'],
    ['no id', '<dc:title>T</dc:title><dc:date>modified 2026-01-01</dc:date>', 'type="x"', 'no-id'],
  ])('%s is skipped, not an error', (_name, body, attrs, reason) => {
    expect(parseFicheXml(fiche(body, attrs))).toEqual({ skipped: reason });
  });

  it.each([
    ['cut short', ficheXml('F10027').slice(0, 3000)],
    ['an unclosed tag', fiche('<dc:title>T</dc:titre><dc:date>modified 2026-01-01</dc:date>')],
    ['not XML at all', '<html><body><p>Maintenance</body></html>'],
    ['empty', ''],
  ])('%s: MalformedFicheError naming the file', (_name, xml) => {
    expect(() => parseFicheXml(xml, 'F10027.xml')).toThrow(MalformedFicheError);
    expect(() => parseFicheXml(xml, 'F10027.xml')).toThrow(/^F10027\.xml : XML mal formé/);
  });
});

describe('fiche citations', () => {
  it.each([
    ['F10027', 'F10027'],
    [' R42726 ', 'R42726'],
    ['https://www.service-public.gouv.fr/particuliers/vosdroits/F10027', 'F10027'],
    ['https://www.service-public.fr/particuliers/vosdroits/F12118', 'F12118'],
    ['http://service-public.fr/particuliers/vosdroits/N19775/', 'N19775'],
    ['https://www.service-public.fr/particuliers/vosdroits/F1341?lang=fr#toto', 'F1341'],
  ])('%s names %s', (citation, id) => expect(ficheIdOf(citation)).toBe(id));

  it.each(['https://www.caf.fr/', 'https://entreprendre.service-public.fr/vosdroits/F23282', 'f10027', 'F', 'X123', 'https://www.service-public.fr/particuliers/vosdroits/'])('%s names no fiche', (citation) => expect(ficheIdOf(citation)).toBeUndefined());

  it('the address of a fiche', () => expect(ficheUrl('F10027')).toBe('https://www.service-public.gouv.fr/particuliers/vosdroits/F10027'));

  it('one line of description: the first sentence, or a cut on a word', () => {
    expect(oneLine('Vous avez de faibles ressources ? La complémentaire santé solidaire vous aide.')).toBe('Vous avez de faibles ressources ?');
    const long = 'mot '.repeat(60).trim();
    const line = oneLine(long, 40);
    expect(line.length).toBeLessThanOrEqual(40);
    expect(line).toMatch(/^mot( mot)*…$/);
    expect(oneLine('Court')).toBe('Court');
  });
});
