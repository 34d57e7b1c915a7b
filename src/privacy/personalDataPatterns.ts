/**
 * What `maskPersonalData` looks for, most specific first. Every pattern reads the folded copy of
 * the text (`foldForMatching`: ASCII digits, plain spaces, no accents), and every repetition is
 * bounded (but one run of digits, matched once), so a match attempt costs at most a few hundred
 * steps whatever the text: no pattern can backtrack catastrophically (the fuzz test feeds them
 * adversarial strings).
 *
 * Formats relied on (checked 2026, sources in test/privacy/maskPersonalData.test.ts):
 * - NIR (social security number, ameli and MSA login): 13 digits + 2-digit key (ameli.fr).
 * - CAF numéro allocataire, now called "numéro de dossier": 7 digits.
 * - France Travail identifiant: 7 digits and a letter (new accounts may have 11 digits: by
 *   context only).
 * - Numéro étranger (AGDREF), also the ANEF login: 10 digits, 9 on some older permits.
 * - ANTS pré-demande (identity card, passport): 10 letters and digits.
 * - French passport number: 2 digits, 2 letters, 5 digits.
 * - Old CAF phone-service password: 8 digits; CAF, ameli and France Travail e-mail/SMS codes:
 *   6 digits. Codes and passwords have no shape of their own: by context only.
 */

/**
 * The kinds of personal data masked, as reported to the caller and shown in the placeholder
 * (`[caf masqué]`):
 * - `email`, `phone` (French, overseas and international), `iban`, `card-number`, `tax-number`
 *   (numéro fiscal), `nir` (social security number);
 * - `caf` (numéro allocataire / de dossier), `france-travail` (identifiant), `agdref` (numéro
 *   étranger), `ants` (pré-demande, file or licence number), `anef` (ANEF or VLS-TS reference),
 *   `ameli` (ameli, MSA, carte Vitale numbers other than the NIR), `passport`;
 * - `login` (an account identifier given as such), `file-number` (any other "n° de dossier",
 *   "référence", "numéro de demande", and any run of 11 digits or more);
 * - `password` and `code` (a password or a secret code typed by mistake: see `SECRET_KINDS`).
 */
export const PERSONAL_DATA_KINDS = [
  'email',
  'iban',
  'nir',
  'tax-number',
  'card-number',
  'phone',
  'password',
  'code',
  'caf',
  'france-travail',
  'agdref',
  'ants',
  'anef',
  'ameli',
  'passport',
  'login',
  'file-number',
] as const;

/** One kind of personal data (see `PERSONAL_DATA_KINDS`). */
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number];

/** The kinds that are secrets: Ariane never needs them, and says so when someone types one. */
export const SECRET_KINDS: ReadonlySet<PersonalDataKind> = new Set<PersonalDataKind>(['password', 'code']);

/** One finding of a pattern, in positions of the folded text. */
export interface Hit {
  kind: PersonalDataKind;
  start: number;
  end: number;
}

/** A pattern and how to read its matches: `pick` returns the part to mask, or nothing to skip it. */
export interface Pattern {
  /** Global (and, for patterns with named groups, `d` for their positions). */
  re: RegExp;
  pick: (m: RegExpExecArray) => Hit | undefined;
  /** What any match contains: a text without it skips the pattern (most texts have no "@"). */
  hint?: RegExp;
}

// ---- building blocks (sources for RegExp, on folded text) -------------------------------------

/** Between two digit groups: nothing, one or two spaces, or one of . - / _ */
const SEP = '(?:[ ]{1,2}|[.\\-/_])?';
/** A date with a 4-digit year, which a spaced number must not be made of ("01/02/2024 14h30"). */
const DATE = /(?<!\d)(?:0?[1-9]|[12]\d|3[01])([./ -])(?:0?[1-9]|1[0-2])\1(?:19|20)\d\d(?!\d)/;

const whole =
  (kind: PersonalDataKind, accept?: (text: string) => boolean) =>
  (m: RegExpExecArray): Hit | undefined =>
    accept && !accept(m[0]) ? undefined : { kind, start: m.index, end: m.index + m[0].length };

/** The named group `value` of a match (patterns built with the `d` flag). */
function valueOf(m: RegExpExecArray): { text: string; start: number; end: number } | undefined {
  const at = m.indices?.groups?.['value'];
  const text = m.groups?.['value'];
  return at && text !== undefined ? { text, start: at[0], end: at[1] } : undefined;
}

const notADate = (text: string): boolean => !DATE.test(text);

/**
 * Whether the character just before the match is one of `chars` (a class ending with `$`). Patterns
 * that would start with a lookbehind check it here instead: a regex that starts by consuming is
 * scanned much faster, and rejecting a match resumes the scan one character further, as the
 * lookbehind would.
 */
const after = (m: RegExpExecArray, chars: RegExp): boolean => m.index > 0 && chars.test(m.input.slice(Math.max(0, m.index - 2), m.index));
/** A letter or digit before: the match is inside a word. */
const IN_WORD = /[\p{L}\p{N}]$/u;
/** Keywords start after a non-letter, and never inside a placeholder ("[code masqué]"). */
const IN_WORD_OR_PLACEHOLDER = /[\p{L}\p{N}[]$/u;
const digitCount = (text: string): number => text.replace(/\D/g, '').length;

// ---- shapes ---------------------------------------------------------------------------------

// The lookbehind makes an address start only at the beginning of a run of address characters, so a
// long text without "@" is scanned once (linear), not once per position (a 100 KB message took
// seconds). "@" may be spaced or spelt "(at)", "[at]", "arobase"; a dot "(dot)" or "[point]".
const LOCAL = '[\\p{L}\\p{N}._%+-]{1,64}';
const AT = '(?:[ ]{0,2}@[ ]{0,2}|[ ]{0,2}[(\\[{<][ ]?(?:at|arobase|arrobase)[ ]?[)\\]}>][ ]{0,2}|[ ]{1,2}(?:arobase|arrobase)[ ]{1,2})';
const LABEL = '[\\p{L}\\p{N}-]{1,63}';
const DOT = '(?:\\.|[ ]?[(\\[{<][ ]?(?:dot|point)[ ]?[)\\]}>][ ]?)';
const EMAIL = new RegExp(`(?<![\\p{L}\\p{N}._%+-])${LOCAL}${AT}${LABEL}(?:${DOT}${LABEL}){1,8}`, 'giu');

// IBAN: country code, 2 check digits, then 11 to 30 letters and digits, often in groups of 4. The
// account part must be mostly digits, or "RN12 vers Lille" would be one.
const IBAN = /(?<!\d)[A-Z]{2}\d{2}(?:(?:[ ]{1,2}|-)?[A-Z0-9]{4}){2,7}(?:(?:[ ]{1,2}|-)?[A-Z0-9]{1,3})?(?![A-Z0-9])/gi;

// NIR / NIA: sex, year, month (or 20-99 when unknown), département (2A/2B for Corsica), commune,
// order, and the optional 2-digit key. Letters may touch it ("secu185…"), digits may not.
const NIR = new RegExp(
  `(?<!\\d)[1-478]${SEP}\\d{2}${SEP}(?:0[1-9]|1[0-2]|[2-9]\\d)${SEP}(?:\\d{2}|2[AB])${SEP}\\d{3}${SEP}\\d{3}(?:${SEP}\\d{2})?(?!\\d)`,
  'gi',
);

// Numéro fiscal: 13 digits starting with 0 to 3, as printed on tax notices (often in groups).
const TAX = new RegExp(`(?<!\\d)[0-3]\\d(?:${SEP}\\d){11}(?!\\d)`, 'g');

// Payment cards: 13 to 19 digits in groups of 4, or 4-6-5 (Amex) and 4-6-4 (Diners).
const CARD = new RegExp(`(?<!\\d)\\d{4}(?:${SEP}\\d{6}${SEP}\\d{4,5}|(?:${SEP}\\d{4}){2,3}(?:${SEP}\\d{1,3})?)(?!\\d)`, 'g');

// French phones: 0X XX XX XX XX, +33 X XX XX XX XX, 0033…, overseas prefixes; then any
// international number written with + or 00 (8 to 15 digits).
const PHONE_FR = new RegExp(
  `(?:(?:\\+|(?<!\\d)00)(?:33|590|594|262|596|269|687|689|508|681)${SEP}(?:\\(0\\))?${SEP}[1-9]|(?<!\\d)0[1-9])(?:${SEP}\\d{2}){4}(?!\\d)`,
  'g',
);
const PHONE_INTL = new RegExp(`(?:(?<![\\d+])\\+[ ]?|(?<!\\d)00)[1-9](?:${SEP}\\d){7,13}(?!\\d)`, 'g');

// France Travail identifiant: 7 digits and one letter, letters around allowed only before.
const FRANCE_TRAVAIL = /(?<!\d)\d{7}[A-Z](?![\p{L}\p{N}])/giu;
// Numéro étranger (AGDREF): 10 digits; a phone (0…) is caught before.
const AGDREF = /(?<![\d.,])[1-9]\d{9}(?!\d|[.,]\d|[ ]?(?:€|eur|euros?)(?![\p{L}]))/giu;
// ANTS pré-demande: 10 capitals and digits, at least 2 of each (a shouted word has no digits).
const ANTS = /[A-Z0-9]{10}(?![\p{L}\p{N}])/gu;
// Passport: 2 digits, 2 letters, 5 digits.
const PASSPORT = /\d{2}[A-Z]{2}\d{5}(?![\p{L}\p{N}])/giu;
// Anything else of 11 digits or more in one run is some identifier (or several glued together).
const LONG_NUMBER = /(?<!\d)\d{11,}(?!\d)/g;
// CAF: 7 digits alone (not an amount: no decimals, no euro after it).
const CAF = /(?<![\d.,])\d{7}(?!\d|[.,]\d|[ ]?(?:€|eur|euros?)(?![\p{L}]))/giu;

// ---- by context -----------------------------------------------------------------------------

/** Between a keyword and its value: ":", "=", "est", "c'est (le)", "is", or just a space. */
const CONNECT = "(?<conn>[ ]*[:=][ ]*|[ ]+(?:c'est|c est|cest|ces|est|etait|is|it's|هو|هي)(?:[ ]*:)?[ ]+(?:le[ ]+|la[ ]+|l'[ ]*)?|[ ]*)";

// Words that name an identifier. A lead starts with one of them and may chain several
// ("numéro de dossier caf", "identifiant france travail"); the words say which kind it is.
const ID_WORD = [
  'numeros?', 'nums?', 'nr', 'no', 'identifiants?', 'ident', 'id', 'login', 'references?', 'ref', 'matricule', 'dossiers?',
  'demandes?', 'pre-?demandes?', 'allocataires?', 'caf', 'msa', 'ameli', 'cpam', 'secu', 'securite[ ]sociale', 'carte[ ]vitale',
  'vitale', 'assurance[ ]maladie', 'etrangers?', 'agdref', 'titre[ ]de[ ]sejour', 'carte[ ]de[ ]sejour', 'sejour', 'ants', 'anef',
  'vls-?ts', 'ofii', 'france[ ]?travail', 'pole[ ]?emploi', 'pe', 'ft', 'fiscal', 'impots?', 'adherent', 'client', 'suivi',
  'passeport', 'permis', 'neph', 'cni', "carte[ ]d'identite", 'telephone', 'tel', 'portable', 'mobile', 'phone', 'cb',
  'carte[ ]bancaire', 'carte[ ]bleue',
].join('|');
const ID_LABEL = `(?:n°|nº|#|(?:${ID_WORD})(?![\\p{L}]))`;
const ID_FILLER = "(?:(?:de|du|des|la|le|mon|ma|mes|votre|vos|pour|sur|en|a|au)(?=[ ])|d'|l')";
const ID_GAP = "(?:[ ]{1,3}|[ ]?-[ ]?|(?<=')|[ ]?\\.[ ]?)";
// A value: digits (6 to 18, in groups, maybe a final letter), or letters and digits (6 to 24, at
// least 2 digits). Plates ("AB-123-CD") are neither: the carte grise flow asks how they look.
const ID_VALUE =
  '(?<value>\\d(?:(?:[ ]{1,2}|[.\\-/])?\\d){5,17}(?:[ ]?[A-Z](?![\\p{L}\\p{N}]))?(?![\\p{N}])|(?=(?:[A-Z]*\\d){2})[A-Z0-9]{6,24}(?![\\p{L}\\p{N}]))';
const IDENTIFIER = new RegExp(
  `(?<lead>${ID_LABEL}(?:${ID_GAP}(?:${ID_LABEL}|${ID_FILLER})){0,5})${CONNECT}${ID_VALUE}`,
  'giud',
);

/** The kind named by a lead's words, first match wins ("identifiant pôle emploi" is France Travail). */
const LEAD_KINDS: ReadonlyArray<[RegExp, PersonalDataKind]> = [
  [/allocataire|\bcaf\b/, 'caf'],
  [/france ?travail|pole ?emploi|\bpe\b|\bft\b/, 'france-travail'],
  [/\banef\b|vls|ofii/, 'anef'],
  [/etranger|agdref|sejour/, 'agdref'],
  [/\bants\b|pre-?demande|permis|neph|passeport|\bcni\b|identite/, 'ants'],
  [/ameli|secu|\bmsa\b|cpam|vitale|maladie/, 'ameli'],
  [/fiscal|impot/, 'tax-number'],
  [/\bcb\b|bancaire|bleue/, 'card-number'],
  [/tel|portable|mobile|phone/, 'phone'],
  [/ident|\bid\b|login/, 'login'],
];

/** "2023-2024" after "dossier" is a period, not a number. */
const YEARS = /^(?:19|20)\d\d[ ./-]{1,3}(?:19|20)\d\d$/;

/** The value after an identifier's lead; with `named`, only when the lead names its kind. */
function identifier(m: RegExpExecArray, named: boolean): Hit | undefined {
  const value = valueOf(m);
  if (!value || DATE.test(value.text) || YEARS.test(value.text)) return undefined;
  const kind = identifierKind(m.groups?.['lead'] ?? '');
  if (named && (kind === 'file-number' || kind === 'login')) return undefined;
  return { kind, start: value.start, end: value.end };
}

function identifierKind(lead: string): PersonalDataKind {
  const words = lead.toLowerCase();
  for (const [re, kind] of LEAD_KINDS) if (re.test(words)) return kind;
  return 'file-number';
}

// Words said right after "mot de passe est …" or "code : …" that are not the secret itself.
const NOT_A_SECRET = new Set(
  (
    "oublie oubliee oublies perdu perdue bloque bloquee bloques faux fausse mauvais mauvaise incorrect incorrecte errone erronee " +
    'invalide expire expiree refuse refusee pas plus jamais toujours encore quoi ok okay bon bonne nul nulle juste correct correcte ' +
    'valide trop tres le la les l un une des du de d mon ma mes son sa ses ton ta votre vos notre meme change changee modifie ' +
    'demande demandee envoye envoyee recu recue arrive long longue court courte simple complique compliquee difficile facile dans ' +
    'sur sous avec sans pour par en au aux a et ou mais qui que quel quelle quels comment ca cela ceci ce cet cette ici non oui ' +
    'vide inconnu inconnue introuvable ecrit ecrite marque note necessaire obligatoire requis securise secret personnel confidentiel ' +
    'different differente identique pareil celui celle je j il elle on nous vous ils elles ne n y c est sont etait mal bien aucun ' +
    'aucune rien tout tous provisoire temporaire nouveau nouvelle ancien ancienne actuel actuelle sms mail email e-mail courrier ' +
    'the my a an is not wrong forgotten lost blocked locked invalid expired too very what where same changed new old none'
  ).split(' '),
);

/** The secret-looking value after a keyword, or undefined when the words around say it is not one. */
function secretValue(m: RegExpExecArray, kind: PersonalDataKind, minLength: number): Hit | undefined {
  const value = valueOf(m);
  if (!value) return undefined;
  const word = value.text.toLowerCase().replace(/[.,;:!?)»"'”]+$/u, '');
  if (word.length < minLength || NOT_A_SECRET.has(word) || !/[\p{L}\p{N}]/u.test(word)) return undefined;
  // Without ":", "est" or "c'est", only a value with a digit is taken for a secret ("mdp oublié").
  const connected = /\S/.test(m.groups?.['conn'] ?? '');
  if (!connected && (word.length < 4 || !/\d/.test(word))) return undefined;
  return { kind, start: value.start, end: value.end };
}

// "mot de passe", "mdp", "password", كلمة السر / كلمة المرور, then the account it is for.
const PASSWORD_WORD =
  "(?:mots?[ ]*(?:de|d'|d|2)[ ]*pass?e?s?|mot-de-passe|motdepasse|mdp|pass[ ]?word|passwd|pwd|passcode|كلمة[ ]*(?:ال)?(?:سر|مرور))(?![\\p{L}])";
const ACCOUNT =
  "(?:caf|ameli|msa|franceconnect|france[ ]connect|impots?|france[ ]travail|pole[ ]emploi|ants|anef|compte|gmail|hotmail|outlook|mail|e-?mail|messagerie|la[ ]poste|laposte|provisoire|actuel|nouveau|ancien|temporaire|secret|de[ ]connexion|d'acces)(?![\\p{L}])";
const FOR = "(?:(?:de|du|d'|pour|sur|par|a)[ ]*)?(?:(?:la|le|l'|mon|ma)[ ]*)?";
// The secret: one word, maybe in quotes; never a placeholder or an already masked part.
const SECRET_TOKEN = "[\"'«“]?[ ]?(?<value>(?![\\[«\"'“])[^\\s\\[\\]\\uE000]{1,64})";
const PASSWORD = new RegExp(`${PASSWORD_WORD}(?:[ ]+${FOR}${ACCOUNT}){0,3}${CONNECT}${SECRET_TOKEN}`, 'giud');

// "identifiant : jdupont", "nom d'utilisateur est marie.d": any word, not only digits.
const LOGIN = new RegExp(
  `(?<lead>(?:identifiants?|login|username|user[ ]?name|nom[ ]d'utilisateur)(?![\\p{L}])(?:[ ]+${FOR}${ACCOUNT}){0,3})${CONNECT}${SECRET_TOKEN}`,
  'giud',
);

// "code", "code pin", "code de vérification", رمز, كود, then digits or letters and digits.
const CODE_WORD = '(?:codes?|pin|otp|رمز|الرمز|كود|الكود)(?![\\p{L}])';
const CODE_QUALIFIER =
  "(?:pin|secret|confidentiel|perso(?:nnel)?|provisoire|temporaire|unique|recu|envoye|sms|a[ ]usage[ ]unique|d'acces|d'activation|d'authentification|de[ ]securite|de[ ]verification|de[ ]validation|de[ ]confirmation|de[ ]connexion|de[ ]cession|(?:a|de)[ ]*\\d{1,2}[ ]*chiffres|" +
  `${FOR}(?:caf|ameli|msa|franceconnect|france[ ]connect|ants|anef|impots?|sms|mail|e-?mail|banque|carte))(?![\\p{L}])`;
const CODE_VALUE = '(?<value>\\d(?:[ ]?\\d){3,11}(?![\\p{N}])|(?=[A-Z]*\\d)[A-Z0-9]{4,12}(?![\\p{L}\\p{N}]))';
const CODE = new RegExp(`(?<lead>${CODE_WORD}(?:[ ]+${CODE_QUALIFIER}){0,3})${CONNECT}${CODE_VALUE}`, 'giud');

// Hints: what any match of a pattern contains.
const DIGIT = /\d/;
const AT_SIGN = /@|at ?[)\]}>]|arr?obase/i;
const PASSWORD_HINT = /mot|mdp|pass|pwd|كلمة/i;
const CODE_HINT = /code|pin|otp|رمز|كود/i;
const LOGIN_HINT = /ident|login|user|utilisateur/i;

/** A lead-and-value match, unless the lead is glued to a word or starts inside a placeholder. */
const lead = (pick: (m: RegExpExecArray) => Hit | undefined) => (m: RegExpExecArray) => (after(m, IN_WORD_OR_PLACEHOLDER) ? undefined : pick(m));

/** The patterns in the order they are tried: a later one never sees what an earlier one masked. */
export const PERSONAL_DATA_PATTERNS: readonly Pattern[] = [
  { re: EMAIL, hint: AT_SIGN, pick: whole('email') },
  {
    re: IBAN,
    hint: DIGIT,
    // Glued to a word ("ibanFR76…"), the country code must be in capitals: "secu1850…" is a NIR.
    pick: (m) => {
      if ((after(m, IN_WORD) && !/^[A-Z]{2}/.test(m[0])) || digitCount(m[0].slice(4)) < 10) return undefined;
      return { kind: 'iban', start: m.index, end: m.index + m[0].length };
    },
  },
  { re: NIR, hint: DIGIT, pick: whole('nir', notADate) },
  { re: PASSWORD, hint: PASSWORD_HINT, pick: lead((m) => secretValue(m, 'password', 3)) },
  {
    re: CODE,
    hint: CODE_HINT,
    pick: lead((m) => {
      const value = valueOf(m);
      // "code 35000" alone is a postcode, not a secret.
      if (!value || (/^codes?$/i.test(m.groups?.['lead'] ?? '') && /^\d{5}$/.test(value.text))) return undefined;
      return { kind: 'code', start: value.start, end: value.end };
    }),
  },
  // A lead naming an organisation says better than a long number's shape what it is.
  { re: new RegExp(IDENTIFIER), hint: DIGIT, pick: lead((m) => identifier(m, true)) },
  { re: TAX, hint: DIGIT, pick: whole('tax-number', notADate) },
  { re: CARD, hint: DIGIT, pick: whole('card-number', notADate) },
  { re: PHONE_FR, hint: DIGIT, pick: whole('phone', notADate) },
  { re: PHONE_INTL, hint: DIGIT, pick: whole('phone', notADate) },
  { re: IDENTIFIER, hint: DIGIT, pick: lead((m) => identifier(m, false)) },
  {
    re: LOGIN,
    hint: LOGIN_HINT,
    pick: lead((m) => {
      // Only after ":", "est" or "c'est": "identifiant oublié" is not one.
      if (!/\S/.test(m.groups?.['conn'] ?? '')) return undefined;
      const hit = secretValue(m, 'login', 3);
      return hit && { ...hit, kind: identifierKind(m.groups?.['lead'] ?? '') };
    }),
  },
  { re: FRANCE_TRAVAIL, hint: DIGIT, pick: whole('france-travail') },
  { re: AGDREF, hint: DIGIT, pick: whole('agdref') },
  {
    re: ANTS,
    hint: DIGIT,
    // At least 2 capitals and 2 digits, alone: a shouted word has no digits, an amount no letters.
    pick: (m) =>
      after(m, IN_WORD) || digitCount(m[0]) < 2 || digitCount(m[0]) > 8 ? undefined : { kind: 'ants', start: m.index, end: m.index + m[0].length },
  },
  { re: PASSPORT, hint: DIGIT, pick: (m) => (after(m, IN_WORD) ? undefined : { kind: 'passport', start: m.index, end: m.index + m[0].length }) },
  { re: CAF, hint: DIGIT, pick: whole('caf') },
  { re: LONG_NUMBER, hint: DIGIT, pick: whole('file-number') },
];
