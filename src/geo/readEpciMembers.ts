/**
 * The member communes of each EPCI (intercommunality) in @etalab/decoupage-administratif's
 * `epci.json` (4 MB): `JSON.parse` builds 36,000 member objects of five fields for the one field
 * the geocoder needs, about 100 ms of CPU here.
 */
import { readFileSync } from 'node:fs';

/**
 * The INSEE codes of each EPCI's members (`membres[].code`), EPCIs and members in file order,
 * exactly as `JSON.parse` would give them. The fast path reads the file as written (one EPCI per
 * line, each member an object starting with its code) by jumping between braces; any other layout
 * falls back to `JSON.parse`.
 */
export function readEpciMembers(file: string): string[][] {
  const bytes = readFileSync(file);
  const fast = scanMembers(bytes.toString('latin1'));
  if (fast) return fast;
  const parsed = JSON.parse(bytes.toString('utf8')) as Array<{ membres: Array<{ code: string }> }>;
  return parsed.map((epci) => epci.membres.map((m) => m.code));
}

const MEMBERS = '"membres":[';
const CODE = '{"code":"';

function scanMembers(text: string): string[][] | undefined {
  const lines = text.split('\n');
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length < 2 || lines[0]!.trim() !== '[' || lines[lines.length - 1]!.trim() !== ']') return undefined;
  const out: string[][] = [];
  for (let l = 1; l < lines.length - 1; l++) {
    const line = lines[l]!;
    if (line.charCodeAt(0) !== 0x7b) return undefined;
    const open = line.indexOf(MEMBERS);
    if (open < 0) return undefined;
    const members: string[] = [];
    let p = open + MEMBERS.length;
    if (line.charCodeAt(p) !== 0x5d) {
      for (;;) {
        if (!line.startsWith(CODE, p)) return undefined;
        const codeStart = p + CODE.length;
        const codeEnd = line.indexOf('"', codeStart);
        const close = line.indexOf('}', codeEnd);
        if (codeEnd < 0 || close < 0) return undefined;
        // Codes are plain ASCII; an escape or another byte: let JSON.parse read them.
        for (let i = codeStart; i < codeEnd; i++) if (line.charCodeAt(i) >= 0x80 || line.charCodeAt(i) === 0x5c) return undefined;
        members.push(line.slice(codeStart, codeEnd));
        p = close + 1;
        const next = line.charCodeAt(p);
        if (next === 0x5d) break;
        if (next !== 0x2c) return undefined;
        p++;
      }
    }
    // After the members, only the end of the EPCI object (and the array's comma) may follow.
    const rest = line.slice(p + 1).trim();
    if (rest !== '}' && rest !== '},') return undefined;
    out.push(members);
  }
  return out;
}
