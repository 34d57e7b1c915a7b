import { escapeHtml, toChecklist } from '../../src/render';
import { escapeMarkdown } from '../../src/render/toChecklist';
import type { Flow } from '../../src/flow';
import { demoFlow } from './fixture';

describe('toChecklist — Markdown', () => {
  const md = toChecklist(demoFlow(), { lang: 'fr', format: 'md' });

  it('numbers the nodes in depth-first order and lists unreachable ones apart', () => {
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## 1. Question — `question-depart`',
      '## 2. Réponse à écrire — `age`',
      '## 3. Aiguillage — `aiguillage`',
      '## 4. Relais vers une personne — `relais`',
      '## 5. Étape — `etape-lien`',
      '## 6. Fin — `end`',
      '## 7. Documents à réunir — `documents`',
      '## 8. Étape — `etape-sans-aide`',
      '## Étapes non reliées au départ',
      '## 9. Fin — `oublie`',
    ]);
  });

  it('makes steps and documents tick boxes, and writes links out', () => {
    expect(md).toContain("- [ ] Une pièce d'identité");
    expect(md).toContain('- [ ] Un justificatif \\<b\\>récent\\</b\\>');
    expect(md).toContain('- [ ] Faites la démarche \\#1.');
    expect(md).toContain('- 🔗 [Ouvrir le site](<https://example.org/demarche?x=1&y=2>) — https://example.org/demarche?x=1&y=2');
  });

  it('writes choices, steps and branches as routes to numbered nodes, conditions as « si … alors … »', () => {
    expect(md).toContain('- « Oui "vraiment" » → aller à 2. `age`');
    expect(md).toContain('- Si age \\< 18 alors → aller à 4. `relais`');
    expect(md).toContain('- Si choix = « Oui "vraiment" » et age ≥ 60 alors → aller à 5. `etape-lien`');
    expect(md).toContain("- Si choix est parmi « Non \\| jamais », « Pas de traduction » ou ville n'a pas de réponse alors → aller à 7. `documents`");
    expect(md).toContain('- Sinon → aller à 8. `etape-sans-aide`');
    expect(md).toContain("- C'est fait → aller à 6. `end`");
    expect(md).toContain("- Je n'y arrive pas → aller à 4. `relais`");
    expect(md).toContain("- Je n'y arrive pas → aller à Aide humaine (par défaut)");
  });

  it('gives ends their next steps and handovers their reason and the help needed', () => {
    expect(md).toContain('**Ensuite** : Attendez le courrier.');
    expect(md).toContain('**En cas de problème** : Appelez le 39 39.');
    expect(md).toContain('**Raison** : Personne mineure ou bloquée.');
    expect(md).toContain('**Aide nécessaire** : Aide aux démarches administratives, Maîtrise des outils numériques du quotidien');
  });

  it('escapes Markdown so that flow text is shown as written', () => {
    expect(md).toContain('Un \\*parcours\\* de test \\| avec des \\# et des \\`backticks\\`.');
    expect(md).not.toContain('<script>');
    expect(escapeMarkdown('*a* _b_ [c](d) <e>')).toBe('\\*a\\* \\_b\\_ \\[c\\](d) \\<e\\>');
  });

  it('uses the chosen language, French where a translation is missing', () => {
    const en = toChecklist(demoFlow(), { lang: 'en' });
    expect(en).toContain('## 1. Question — `question-depart`');
    expect(en).toContain('## 7. Documents to gather — `documents`');
    expect(en).toContain('- [ ] An ID');
    expect(en).toContain('- « Yes "really" » → go to 2. `age`');
    expect(en).toContain('- « Pas de traduction » → go to 6. `end`');
    expect(en).toContain('**Next** : Wait for the letter.');
  });
});

describe('toChecklist — HTML', () => {
  const html = toChecklist(demoFlow(), { lang: 'fr', format: 'html' });

  it('is a standalone printable page in the chosen language', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="fr">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('@media print');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(toChecklist(demoFlow(), { lang: 'ar', format: 'html' })).toContain('<html lang="ar" dir="rtl">');
  });

  it('leaves blank fields for the date, the handover code and notes', () => {
    expect(html).toContain('<tr><th>Code de relais (si la personne en a un)</th><td></td></tr>');
    expect(toChecklist(demoFlow(), { lang: 'en', format: 'html' })).toContain('<tr><th>Handover code (if the person has one)</th><td></td></tr>');
  });

  it('has one checkbox per step and per document', () => {
    // 2 steps + 2 documents.
    expect(html.match(/<input type="checkbox">/g)).toHaveLength(4);
    expect(html).toContain('<li><label><input type="checkbox"> Une pièce d&#39;identité</label></li>');
  });

  it('escapes every text: no script from a flow reaches the page', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('<title>Démo « rendu » &lt;script&gt;alert(&quot;titre&quot;)&lt;/script&gt;</title>');
    expect(html).toContain('Allez sur le site &lt;script&gt;alert(1)&lt;/script&gt;.');
    expect(html).toContain('Source &lt;b&gt;officielle&lt;/b&gt;');
    expect(html).toContain('Test &amp; Cie');
    expect(html).toContain('href="https://example.org/source?a=1&amp;b=&quot;x&quot;"');
    expect(escapeHtml(`<a href='x'>"&"</a>`)).toBe('&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;');
  });

  it('links every route to the section of its target', () => {
    const targets = [...html.matchAll(/<a href="#n-([a-z0-9-]+)">/g)].map((m) => m[1]);
    expect(targets.length).toBeGreaterThan(5);
    for (const t of targets) expect(html).toContain(`<section id="n-${t}">`);
  });

  it('never makes a non-web address clickable', () => {
    const flow = demoFlow();
    const evil: Flow = {
      ...flow,
      nodes: { ...flow.nodes, 'etape-lien': { kind: 'step', text: 'x', link: { url: 'javascript:alert(1)', label: 'clic' }, next: 'end' } },
    };
    const out = toChecklist(evil, { format: 'html' });
    expect(out).not.toContain('href="javascript:');
    expect(out).toContain('clic (javascript:alert(1))');
  });
});
