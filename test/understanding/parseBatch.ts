/**
 * Reading and checking the batches of labelled requests (`batches/*.yaml`, `heldout/heldout.yaml`).
 * A batch file is `{ tags?: string[], requests: [{ text, expect, lang?, ambiguous?, tags? }] }`; see
 * README.md in this folder. Malformed data is reported as problems (file, request number, what is
 * wrong), never silently skipped: a request with an unknown flow id would otherwise score as a miss
 * and blur the figures.
 */
import { parse } from 'yaml';
import type { Expectation } from './outcomeOf';

/** One labelled request, with the batch's tags and its language merged into `tags`. */
export interface BatchRequest extends Expectation {
  text: string;
  /** The language the request is written in (`fr` when absent). */
  lang: string;
  /**
   * The sub-scores it counts in: the batch's tags, its own, `en` / `ar` for those languages, and
   * `arabic-script` when written in Arabic letters.
   */
  tags: string[];
}

export interface Batch {
  /** File name without `.yaml` (`01-marche-sms`). */
  name: string;
  requests: BatchRequest[];
}

/** Languages a request may be written in; Darija in Latin letters is `ar` with the `darija` tag. */
export const REQUEST_LANGS: ReadonlySet<string> = new Set(['fr', 'en', 'ar']);
const REQUEST_KEYS = new Set(['text', 'expect', 'lang', 'ambiguous', 'tags']);
/** Requests written in Arabic letters get the derived tag `arabic-script` (Darija may be written either way). */
const ARABIC_LETTER = /\p{Script=Arabic}/u;

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' && x.trim() !== '');
}

/**
 * Parses one batch file. `flowIds` are the known flows; `hidden` keeps the sentences out of the
 * problem messages (the held-out set is never shown to whoever tunes the matcher).
 */
export function parseBatch(name: string, yamlText: string, flowIds: ReadonlySet<string>, hidden = false): { batch: Batch; problems: string[] } {
  const problems: string[] = [];
  const batch: Batch = { name, requests: [] };
  let doc: unknown;
  try {
    doc = parse(yamlText);
  } catch (e) {
    return { batch, problems: [`${name}: not valid YAML: ${(e as Error).message}`] };
  }
  const d = (doc ?? {}) as { tags?: unknown; requests?: unknown };
  if (d.tags !== undefined && !isStringList(d.tags)) problems.push(`${name}: "tags" must be a list of words`);
  const batchTags = isStringList(d.tags) ? d.tags : [];
  if (!Array.isArray(d.requests) || d.requests.length === 0) return { batch, problems: [...problems, `${name}: needs a non-empty "requests" list`] };
  d.requests.forEach((raw: unknown, i: number) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const where = `${name}: request ${i + 1}${!hidden && typeof r.text === 'string' ? ` ("${r.text}")` : ''}`;
    const before = problems.length;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push(`${where}: must be a mapping { text, expect }`);
      return;
    }
    for (const k of Object.keys(r)) if (!REQUEST_KEYS.has(k)) problems.push(`${where}: unknown key "${k}"`);
    if (typeof r.text !== 'string' || r.text.trim() === '') problems.push(`${where}: missing "text"`);
    if (typeof r.expect !== 'string' || r.expect === '') problems.push(`${where}: missing "expect" (a flow id or none)`);
    else if (r.expect !== 'none' && !flowIds.has(r.expect)) problems.push(`${where}: unknown flow id "${r.expect}" in expect`);
    if (r.lang !== undefined && !(typeof r.lang === 'string' && REQUEST_LANGS.has(r.lang))) problems.push(`${where}: lang must be one of ${[...REQUEST_LANGS].join(', ')}`);
    if (r.tags !== undefined && !isStringList(r.tags)) problems.push(`${where}: "tags" must be a list of words`);
    if (r.ambiguous !== undefined) {
      if (!isStringList(r.ambiguous) || r.ambiguous.length < 2) problems.push(`${where}: "ambiguous" must list at least two acceptable flows`);
      else {
        for (const id of r.ambiguous) if (!flowIds.has(id)) problems.push(`${where}: unknown flow id "${id}" in ambiguous`);
        if (r.expect === 'none') problems.push(`${where}: a "none" request cannot be ambiguous`);
        else if (!r.ambiguous.includes(r.expect as string)) problems.push(`${where}: "ambiguous" must include the expected flow "${String(r.expect)}"`);
      }
    }
    if (problems.length > before) return;
    const lang = (r.lang as string | undefined) ?? 'fr';
    const script = ARABIC_LETTER.test(r.text as string) ? ['arabic-script'] : [];
    const tags = [...new Set([...batchTags, ...((r.tags as string[] | undefined) ?? []), ...(lang === 'fr' ? [] : [lang]), ...script])];
    batch.requests.push({ text: r.text as string, expect: r.expect as string, lang, tags, ...(r.ambiguous ? { ambiguous: r.ambiguous as string[] } : {}) });
  });
  return { batch, problems };
}

/** The form under which two requests count as the same sentence: case and spacing do not matter. */
export function sentenceKey(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Every sentence that appears twice across the given sources (a batch, the held-out set,
 * `requests.yaml`…): one problem per repeat, naming both places. Sentences of a `hidden` source are
 * not quoted.
 */
export function duplicateProblems(sources: { name: string; texts: string[]; hidden?: boolean }[]): string[] {
  const seen = new Map<string, { name: string; index: number; hidden?: boolean }>();
  const problems: string[] = [];
  for (const s of sources) {
    s.texts.forEach((text, i) => {
      const key = sentenceKey(text);
      const first = seen.get(key);
      if (!first) {
        seen.set(key, { name: s.name, index: i, hidden: s.hidden });
        return;
      }
      const quote = s.hidden || first.hidden ? '' : ` "${text}"`;
      problems.push(`duplicate sentence${quote}: ${s.name} request ${i + 1} repeats ${first.name} request ${first.index + 1}`);
    });
  }
  return problems;
}
