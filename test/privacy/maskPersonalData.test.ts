/**
 * What is masked and what must survive. The identifier formats were checked against these pages
 * (read 2026; third-party pages are marked so, official ones are preferred where they say it):
 * - NIR: 13 digits (sex, year, month, département, commune, order) + a 2-digit key; it is also the
 *   login of ameli, MSA and (since 2022) the CAF: ameli.fr/assure/droits-demarches/principes/
 *   regles-identification-assures (official); blog-partenaires-caf94.fr/la-connexion-a-lespace-mon-
 *   compte-sur-caf-fr-et-sur-lapplication-mobile-evolue (CAF partners' blog).
 * - CAF numéro allocataire, renamed "numéro de dossier": 7 digits (monespaceclient.org/ou-trouver-
 *   son-numero-allocataire-caf-en-2025, mamanenville.fr, femmeactuelle.fr: third-party). The old
 *   CAF password was 8 digits (the CAF 94 blog above); the CAF login code is 6 digits since
 *   December 2024 (cafebabel.fr, third-party), as the caf-attestation flow says too.
 * - Numéro étranger (AGDREF): 10 digits, 9 on some permits (rennesmetropole.dokit.app "Trouver son
 *   numéro étranger AGDREF", a mediators' wiki; titredesejour.fr, third-party). It is the ANEF
 *   login, or else the VLS-TS "référence" (refugies.info/fr/demarche/63401d8783f485a025e88388).
 * - ANTS pré-demande (identity card, passport): 10 letters and digits (the format check of
 *   betagouv/rdv-service-public, app/validators/ants_pre_demande_number_format_validator.rb).
 * - French passport number: 2 digits, 2 letters, 5 digits (no-passion.com, mrfreefree.com:
 *   third-party).
 * - France Travail identifiant: 7 digits and a letter as the issue says; no official page found.
 *   One third-party page (bilan-competence.fr) says new identifiers have 11 digits since March
 *   2025: those are masked by context ("identifiant France Travail …") and as long numbers.
 * - ANEF file numbers and the ameli/MSA numbers other than the NIR: no published shape found, so
 *   by context only ("numéro de demande ANEF …", "numéro MSA …", "carte Vitale n° …").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { maskPersonalData } from '../../src/privacy';
import { PERSONAL_DATA_KINDS, SECRET_KINDS, type PersonalDataKind } from '../../src/privacy/personalDataPatterns';
import { placeholderFor } from '../../src/privacy/maskPersonalData';

/** The masked text must hold the placeholder and none of the identifier's digits in a row. */
function expectMasked(input: string, kind: PersonalDataKind, secret?: string): void {
  const { text, found } = maskPersonalData(input);
  expect(found).toContain(kind);
  expect(text).toContain(placeholderFor(kind));
  if (secret !== undefined) expect(text).not.toContain(secret);
  else expect(text).not.toMatch(/\d{4}/);
}

describe('maskPersonalData: the identifiers it always masked', () => {
  it.each([
    ['mon numéro de sécu 1 85 05 78 006 084 36 svp', 'nir'],
    ['185057800608436', 'nir'],
    ['nia 2 99 12 2A 004 123', 'nir'],
    ['appelez moi au 06 12 34 56 78', 'phone'],
    ['tel: 06.12.34.56.78', 'phone'],
    ['+33 6 12 34 56 78', 'phone'],
    ['+262 6 92 12 34 56', 'phone'],
    ['écrivez à jean.dupont@example.fr merci', 'email'],
    ['mon rib FR76 3000 6000 0112 3456 7890 189', 'iban'],
    ['numero fiscal 0123456789012', 'tax-number'],
    ['numero fiscal 01 23 456 789 012', 'tax-number'],
    ['ma carte 4970 1012 3456 7890', 'card-number'],
  ] as const)('masks %s as %s', (input, kind) => expectMasked(input, kind));

  it('masks several identifiers in one message and reports each kind once', () => {
    const r = maskPersonalData('a@b.fr et c@d.fr, tel 0612345678');
    expect(r.found.sort()).toEqual(['email', 'phone']);
    expect(r.text).toBe('[email masqué] et [email masqué], tel [phone masqué]');
  });
});

describe('maskPersonalData: identifiers of the organisations the flows talk about (issue 16)', () => {
  it.each([
    // CAF
    ['mon numéro allocataire est 1234567', 'caf', '1234567'],
    ["mon numéro d'allocataire : 1234567", 'caf', '1234567'],
    ['numero allocataire caf 1234567 B', 'caf', '1234567'],
    ['n° allocataire 1234567', 'caf', '1234567'],
    ["mon numéro caf c'est le 1234567", 'caf', '1234567'],
    ['dossier caf n°1234567', 'caf', '1234567'],
    ['caf 123 45 67', 'caf', '45 67'],
    ['1234567', 'caf', '1234567'],
    // France Travail
    ['identifiant france travail 1234567A', 'france-travail', '1234567'],
    ['mon identifiant pôle emploi est le 1234567X', 'france-travail', '1234567'],
    ['identifiant FT : 12345678901', 'france-travail', '12345678901'],
    ['1234567A', 'france-travail', '1234567'],
    // numéro étranger (AGDREF), the ANEF login
    ['numéro étranger 7503012345', 'agdref', '7503012345'],
    ['mon numéro AGDREF : 750301234', 'agdref', '750301234'],
    ['n° de titre de séjour 99 0301 2345', 'agdref', '0301'],
    ['7503012345', 'agdref', '7503012345'],
    // ANTS
    ['mon numéro de pré-demande est A1B2C3D4E5', 'ants', 'A1B2C3D4E5'],
    ['pre demande ants : x7k2m9p4q1', 'ants', 'x7k2m9p4q1'],
    ['A1B2C3D4E5', 'ants', 'A1B2C3D4E5'],
    ['numéro de permis 123456789012', 'ants', '123456789012'],
    ['passeport 12AB34567', 'ants', '12AB34567'],
    ['12AB34567', 'passport', '12AB34567'],
    // ANEF
    ['numéro de demande ANEF : 2024-0145-778', 'anef', '0145'],
    ['référence VLS-TS OFII2024123456', 'anef', 'OFII2024123456'],
    // ameli / MSA (the NIR itself is caught by its shape)
    ['numéro msa 12345678', 'ameli', '12345678'],
    ['carte vitale n° 1234567890 1', 'ameli', '1234567890'],
    ['numéro de sécu 18505780060843', 'ameli', '18505780060843'],
    // generic file numbers and logins
    ['numéro de dossier 2024-123456', 'file-number', '123456'],
    ['ma référence est REF2024X99', 'file-number', 'REF2024X99'],
    ["mon identifiant c'est jdupont35", 'login', 'jdupont35'],
    ['identifiant : marie.dupont', 'login', 'marie.dupont'],
    ['98765432101234567890', 'file-number', '98765432101234567890'],
  ] as const)('%s → %s', (input, kind, secret) => expectMasked(input, kind, secret));

  it.each([
    ["mon mot de passe c'est Soleil2024!", 'Soleil2024'],
    ['mon mot de passe caf est soleil', 'soleil'],
    ['mdp: Azerty123', 'Azerty123'],
    ['mdp Azerty123', 'Azerty123'],
    ['mot de passe franceconnect : «Bonjour75»', 'Bonjour75'],
    ['mon mot 2 passe cest marie1980', 'marie1980'],
    ['my password is Sunshine99', 'Sunshine99'],
    ['كلمة السر هي Soleil2024', 'Soleil2024'],
    ['كلمة المرور: qwerty12', 'qwerty12'],
  ])('a password typed by mistake: %s', (input, secret) => expectMasked(input, 'password', secret));

  it.each([
    ['le code est 483920', '483920'],
    ['code reçu par sms : 483 920', '483 920'],
    ['mon code secret 1234', '1234'],
    ['code pin 0000', '0000'],
    ['code de vérification 5X7K2P', '5X7K2P'],
    ['le code de la caf c’est 483920', '483920'],
    ['code de cession AB12CD34', 'AB12CD34'],
    ['code provisoire ameli : 12345678', '12345678'],
    ['رمز 483920', '483920'],
  ])('a secret code: %s', (input, secret) => expectMasked(input, 'code', secret));

  it('tells the caller a secret was typed, so the bot can say once that it never needs one', () => {
    const { found } = maskPersonalData('mon mot de passe est Soleil2024 et le code 483920');
    expect(found).toEqual(['password', 'code']);
    expect(found.every((k) => SECRET_KINDS.has(k))).toBe(true);
    expect(maskPersonalData('mon numéro allocataire est 1234567').found.some((k) => SECRET_KINDS.has(k))).toBe(false);
  });

  it('documents every kind it can report, and the secret kinds are among them', () => {
    expect(new Set(PERSONAL_DATA_KINDS).size).toBe(PERSONAL_DATA_KINDS.length);
    for (const k of SECRET_KINDS) expect(PERSONAL_DATA_KINDS).toContain(k);
  });

  it('masks the value and keeps the words around it, for the mediator and the engine', () => {
    expect(maskPersonalData("bonjour mon numéro allocataire c'est 1234567 et j'habite à 35000 Rennes").text).toBe(
      "bonjour mon numéro allocataire c'est [caf masqué] et j'habite à 35000 Rennes",
    );
    expect(maskPersonalData("j'arrive pas, mon mdp c'est Soleil2024, ça marche pas").text).toBe(
      "j'arrive pas, mon mdp c'est [password masqué] ça marche pas",
    );
  });
});

describe('maskPersonalData: typed variants that used to slip through (issue 17, item 7)', () => {
  it.each([
    ['secu185057800608436', 'nir'],
    ['tel0612345678', 'phone'],
    ['ibanFR7630006000011234567890189', 'iban'],
    ['06/12/34/56/78', 'phone'],
    ['06  12  34  56  78', 'phone'],
    ['1  85  05  78  006  084  36', 'nir'],
    ['1/85/05/78/006/084/36', 'nir'],
    ['06\u00a012\u202f34\u00a056\u00a078', 'phone'],
    ['06\u200b12\u200b34\u200b56\u200b78', 'phone'],
    ['06–12–34–56–78', 'phone'],
    ['０６１２３４５６７８', 'phone'],
    ['رقمي ٠٦١٢٣٤٥٦٧٨', 'phone'],
    ['۰۶۱۲۳۴۵۶۷۸', 'phone'],
    ['𝟎𝟔𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖', 'phone'],
    ['+212 6 12 34 56 78', 'phone'],
    ['00213 5 12 34 56 78', 'phone'],
    ['3782 822463 10005', 'card-number'],
    ['3056 930902 5904', 'card-number'],
    ['4970-1012-3456-7890', 'card-number'],
    ['４９７０ １０１２ ３４５６ ７８９０', 'card-number'],
  ] as const)('%s → %s', (input, kind) => expectMasked(input, kind));

  it.each([
    'marie.dupont @ example.fr',
    'marie.dupont@ example.fr',
    'marie.dupont(at)example.fr',
    'marie.dupont (at) example.fr',
    'marie.dupont[at]example.fr',
    'marie.dupont{at}example.fr',
    'marie.dupont arobase example.fr',
    'marie.dupont[at]example[dot]fr',
    'marie.dupont(at)example(point)fr',
    'marie.dupont＠example.fr',
    'MARIE.DUPONT@EXAMPLE.FR',
  ])('e-mail spelt %s', (input) => {
    const { text, found } = maskPersonalData(`écrivez à ${input} merci`);
    expect(found).toEqual(['email']);
    expect(text).toBe('écrivez à [email masqué] merci');
  });

  it('replaces exactly the typed characters, whatever their width', () => {
    expect(maskPersonalData('tél ٠٦١٢٣٤٥٦٧٨ merci').text).toBe('tél [phone masqué] merci');
    expect(maskPersonalData('𝟎𝟔𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖 é').text).toBe('[phone masqué] é');
    expect(maskPersonalData('numéro allocataire : ١٢٣٤٥٦٧ ok').text).toBe('numéro allocataire : [caf masqué] ok');
  });
});

describe('maskPersonalData: what must survive', () => {
  it.each([
    // places
    'je suis à 35550 Pipriac',
    '35000 Rennes',
    'code postal 35000',
    'mon code postal est 75011',
    "mon code postal c'est 35000",
    'code 35000',
    'cp 13001 marseille',
    '12 rue de la Paix 75002 Paris',
    'bâtiment B, appartement 12B, 3e étage',
    // dates and times
    'né le 12/05/1985',
    'le 3 mars 2024 à 14h30',
    'le 01/02/2024 14h30',
    'du 01/02/2024 au 03/04/2025',
    'le 12.05.1985 à 9h',
    'le 03 12 1985 à 14h',
    'rdv le 2026-11-22 à 14h30',
    'de 9h à 12h et de 14:00 à 17:30',
    'mon dossier 2023-2024',
    'numéro de dossier 2023-2024',
    // amounts and counts
    '1 234,56 €',
    "j'ai 3 enfants et 1250 euros par mois",
    "j'ai 2 enfants de 7 et 10 ans",
    'RSA 607,75 € par mois, loyer 450€',
    'quotient familial 850',
    'un salaire de 1 800 000 € ? non',
    '1234567,89 €',
    // phone-like, but not a phone
    '01 23 45 67',
    '06 12 34 56',
    '12 34 56 78 90',
    '0 800 123 456',
    'appelez le 39 49 ou le 3230',
    'le 36 46',
    // numbers of public forms and places
    'cerfa 15776*01',
    'formulaire cerfa n°13757*03',
    'SIRET 123 456 789 00012',
    // words around passwords and codes, as the flows' answers say them
    "j'ai oublié mon mot de passe",
    'mot de passe oublié',
    'mot de passe caf',
    'mon mot de passe est bloqué',
    "mon mot de passe c'est quoi déjà",
    'mon mot de passe est trop long',
    'mot de passe : 8 caractères minimum',
    'je connais mon mot de passe',
    "j'ai oublié mon code",
    'code pas reçu',
    'code caf',
    'le code est arrivé',
    'code à 6 chiffres',
    "la caf m'envoie un code à 6 chiffres",
    'je sais plus mon code',
    'code de la route',
    'identifiant oublié',
    'mon identifiant ne marche pas',
    'numéro allocataire',
    'numéro de dossier perdu',
    // shapes the flows ask about, and things people name
    'Comme AB-123-CD',
    'ma plaque est AB-123-CD',
    'Comme 123 AB 01 (ancien modèle)',
    'RN12 vers Lille',
    'iPhone 12, Windows 10, 4G',
    'version 2.1.3',
    'attestation caf',
    'mon code postal [caf masqué]',
    '',
  ])('leaves %s alone', (input) => {
    expect(maskPersonalData(input)).toEqual({ text: input, found: [] });
  });

  it("never changes an answer a flow expects (every choice label, synonym, keyword and scenario answer)", () => {
    const dir = path.join(__dirname, '../../flows');
    const userSide = new Set(['label', 'synonyms', 'keywords', 'answers']);
    const strings = new Set<string>();
    const walk = (v: unknown, field: string | undefined): void => {
      if (typeof v === 'string') {
        if (field !== undefined && userSide.has(field)) strings.add(v);
      } else if (Array.isArray(v)) {
        for (const x of v) walk(x, field);
      } else if (v && typeof v === 'object') {
        // Language keys (fr, en, ar, fr-facile) keep the field they are under.
        for (const [k, x] of Object.entries(v)) walk(x, /^(fr|en|ar|fr-facile)$/.test(k) ? field : k);
      }
    };
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'))) walk(YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8')), undefined);
    expect(strings.size).toBeGreaterThan(500);
    const changed = [...strings].filter((s) => maskPersonalData(s).text !== s);
    expect(changed).toEqual([]);
  });
});

describe('maskPersonalData: total and idempotent', () => {
  it('never throws on hostile strings', () => {
    for (const s of ['\u202e1 85 05 78 006 084 36', '\ud800', '\udc00\ud800', 'x'.repeat(100_000), '<script>0612345678</script>', '\u0000'.repeat(10)]) {
      expect(() => maskPersonalData(s)).not.toThrow();
    }
    expect(maskPersonalData(undefined as unknown as string)).toEqual({ text: '', found: [] });
  });

  it('masking a masked text changes nothing', () => {
    for (const s of [
      "mon mot de passe c'est Soleil2024! et mon numéro allocataire 1234567, tel 06 12 34 56 78",
      'mdp abc0612345678',
      'mdp: abc0612345678',
      'a@b.fr @ example.fr',
      'numéro de dossier caf 1234567A 7503012345 A1B2C3D4E5',
      'identifiant : [login masqué]',
    ]) {
      const once = maskPersonalData(s).text;
      expect(maskPersonalData(once)).toEqual({ text: once, found: [] });
    }
  });
});
