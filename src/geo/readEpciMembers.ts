/**
 * The member communes of each EPCI (intercommunality) in @etalab/decoupage-administratif's
 * `epci.json` (4 MB): `JSON.parse` builds 36,000 member objects of five fields for the one field
 * the geocoder needs, about 100 ms of CPU here.
 */
import { readFileSync } from 'node:fs';
import type { Keys } from './readCommunes';

/**
 * The INSEE codes (keys in `codes`, -1 for a code it does not know) of each EPCI's members
 * (`membres[].code`), EPCIs and members in file order, as `JSON.parse` would give them. The fast
 * path reads the file as written (one EPCI per line, each member an object starting with its code)
 * by jumping from brace to brace; any other layout falls back to `JSON.parse`.
 */
export function readEpciMembers(file: string, codes: Keys): Int32Array[] {
  const bytes = readFileSync(file);
  const fast = scanMembers(bytes.toString('latin1'), codes);
  if (fast) return fast;
  const parsed = JSON.parse(bytes.toString('utf8')) as Array<{ membres: Array<{ code: string }> }>;
  return parsed.map((epci) => Int32Array.from(epci.membres, (m) => codes.find(m.code)));
}

const MEMBERS = '"membres":[';
const CODE = '{"code":"';

function scanMembers(text: string, codes: Keys): Int32Array[] | undefined {
  const out: Int32Array[] = [];
  const members: number[] = [];
  const first = text.indexOf('\n');
  const last = text.lastIndexOf(']');
  if (first < 0 || text.slice(0, first).trim() !== '[' || last < first || text.slice(last + 1).trim() !== '') return undefined;
  let lineStart = first + 1;
  while (lineStart < last) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0 || lineEnd > last) lineEnd = last;
    if (text.slice(lineStart, lineEnd).trim() === '') {
      lineStart = lineEnd + 1;
      continue;
    }
    if (text.charCodeAt(lineStart) !== 0x7b) return undefined;
    const open = text.indexOf(MEMBERS, lineStart);
    if (open < 0 || open > lineEnd) return undefined;
    members.length = 0;
    let p = open + MEMBERS.length;
    if (text.charCodeAt(p) !== 0x5d) {
      for (;;) {
        if (!text.startsWith(CODE, p)) return undefined;
        const codeStart = p + CODE.length;
        const codeEnd = text.indexOf('"', codeStart);
        const close = text.indexOf('}', codeEnd);
        if (codeEnd < 0 || close < 0 || close > lineEnd) return undefined;
        // Codes are plain ASCII; an escape or another byte: let JSON.parse read them.
        for (let i = codeStart; i < codeEnd; i++) if (text.charCodeAt(i) >= 0x80 || text.charCodeAt(i) === 0x5c) return undefined;
        members.push(codes.findIn(text, codeStart, codeEnd));
        p = close + 1;
        const next = text.charCodeAt(p);
        if (next === 0x5d) break;
        if (next !== 0x2c) return undefined;
        p++;
      }
    }
    // After the members, only the end of the EPCI object (and the array's comma) may follow.
    const rest = text.slice(p + 1, lineEnd).trim();
    if (rest !== '}' && rest !== '},') return undefined;
    out.push(Int32Array.from(members));
    lineStart = lineEnd + 1;
  }
  return out;
}
