/**
 * Masks identifiers people sometimes type into a chat before anything is stored or logged.
 *
 * Ariane never asks for a name, an identifier or a password, but residents paste them anyway ("mon
 * numéro de sécu c'est 1 85 05 78 006 084 36", "mon mot de passe caf c'est Soleil2024"). RGPD data
 * minimisation says we should not keep what we do not need, so every typed text goes through this
 * function on its way to the engine, the store, the logs and the handoff summary. Patterns favour
 * masking too much over too little, but leave alone what the flows really use: postcodes, dates,
 * times, amounts, small numbers, plate shapes.
 */
import { foldForMatching, originalRange } from './foldForMatching';
import { PERSONAL_DATA_PATTERNS, SECRET_KINDS, type Hit, type PersonalDataKind } from './personalDataPatterns';

/** What `maskPersonalData` found and the text with each finding replaced by a placeholder. */
export interface MaskResult {
  text: string;
  /** The kinds masked, each once, in the order the patterns are tried. */
  found: PersonalDataKind[];
}

/** The placeholder shown instead of a masked identifier; the kind stays visible for the mediator. */
export function placeholderFor(kind: PersonalDataKind): string {
  return `[${kind} masqué]`;
}

/**
 * Whether a text already masked held a password or a secret code (its placeholder is there): the
 * channel masks before storing, and the bot reads the masked text.
 */
export function hadSecret(masked: string): boolean {
  return [...SECRET_KINDS].some((k) => masked.includes(placeholderFor(k)));
}

// A text with none of these cannot hold anything masked: it skips the patterns (most answers).
const MAYBE =
  /[\p{N}@\uff00-\uffef\ufe6b]|at[)\]}>]|arobase|pass|mdp|pwd|كلمة|رمز|كود|login|user|ident/iu;

// What stands for an already masked part in the folded text while later patterns run: no pattern
// matches it, so nothing is masked twice and nothing reaches across a masked part.
const MASKED = '\uE000';
// Rounds of all patterns at most; in practice the second finds nothing.
const MAX_ROUNDS = 4;

/**
 * Returns `text` with personal data replaced by placeholders (`[phone masqué]`), and the kinds
 * found (see `PERSONAL_DATA_KINDS`; `SECRET_KINDS` says which are passwords and codes). Pure,
 * total and idempotent: any string in, a string out, and masking a masked text changes nothing.
 */
export function maskPersonalData(text: string): MaskResult {
  if (typeof text !== 'string' || !MAYBE.test(text)) return { text: typeof text === 'string' ? text : '', found: [] };
  const folded = foldForMatching(text);
  let s = folded.text;
  const hits: Hit[] = [];
  const found = new Set<PersonalDataKind>();
  // Masking a part can make another recognisable ("78code0000": "code" starts a keyword once the
  // digits before it are masked), so rounds go on while one masks something that touches a
  // non-space character: the result is then what masking the masked text again would give. (What
  // a pattern looks at around a match reaches only the next character, and no match starts or
  // ends with a space, so a part masked between spaces cannot change another match.)
  for (let round = 0, more = true; more && round < MAX_ROUNDS; round++) {
    more = false;
    for (const { re, pick, hint } of PERSONAL_DATA_PATTERNS) {
      if (hint && !hint.test(s)) continue;
      const mine: Hit[] = [];
      re.lastIndex = 0;
      for (let m = re.exec(s); m !== null; m = re.exec(s)) {
        const hit = m[0].length > 0 ? pick(m) : undefined;
        if (hit && hit.end > hit.start) {
          mine.push(hit);
          re.lastIndex = m.index + m[0].length;
        } else {
          re.lastIndex = m.index + 1;
        }
      }
      if (mine.length === 0) continue;
      more ||= mine.some((hit) => touchesText(s, hit));
      s = blank(s, mine);
      for (const hit of mine) {
        hits.push(hit);
        found.add(hit.kind);
      }
    }
  }
  if (hits.length === 0) return { text, found: [] };
  hits.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const hit of hits) {
    const [start, end] = originalRange(folded, hit.start, hit.end);
    out += text.slice(at, start) + placeholderFor(hit.kind);
    at = end;
  }
  return { text: out + text.slice(at), found: [...found] };
}

/** Whether a non-space character is right before or right after the hit. */
function touchesText(s: string, { start, end }: Hit): boolean {
  return (start > 0 && !/\s/.test(s[start - 1]!)) || (end < s.length && !/\s/.test(s[end]!));
}

/** `s` with the ranges of `hits` (in order, not overlapping) replaced by `MASKED`, same length. */
function blank(s: string, hits: readonly Hit[]): string {
  let out = '';
  let at = 0;
  for (const { start, end } of hits) {
    out += s.slice(at, start) + MASKED.repeat(end - start);
    at = end;
  }
  return out + s.slice(at);
}
