/**
 * Reads @etalab/decoupage-administratif's `communes.json` (8.6 MB, 37,600 objects of a dozen fields)
 * into typed arrays, for the fields the geocoder uses. `JSON.parse` of it, and building an object
 * per commune from that, cost about half of building the geocoder: 150 ms of CPU and as much again
 * collecting the garbage. Here no string is made for a commune until it is asked for.
 */
import { readFileSync } from 'node:fs';
import { foldInitial, foldedChar } from './foldName';

/**
 * Numbers for INSEE codes and postcodes: five characters of a known alphabet read as a base-36 (or
 * base-10) number, anything else numbered after those. Lookups by number avoid making 35,000
 * strings and hashing them; `text` gives the string back exactly.
 */
export class Keys {
  private readonly radix: number;
  private readonly regular: number;
  private readonly odd = new Map<string, number>();
  private readonly oddText: string[] = [];

  /** `digitsOnly`: postcodes (0-9); else INSEE codes (0-9, A-Z). */
  constructor(private readonly digitsOnly: boolean) {
    this.radix = digitsOnly ? 10 : 36;
    this.regular = this.radix ** 5;
  }

  private digit(c: number): number {
    if (c >= 0x30 && c <= 0x39) return c - 0x30;
    if (!this.digitsOnly && c >= 0x41 && c <= 0x5a) return c - 0x41 + 10;
    return -1;
  }

  /** The key of `s`, or -1 when no string of that form was added. */
  find(s: string): number {
    if (s.length === 5) {
      let key = 0;
      for (let i = 0; i < 5; i++) {
        const d = this.digit(s.charCodeAt(i));
        if (d < 0) return this.odd.get(s) ?? -1;
        key = key * this.radix + d;
      }
      return key;
    }
    return this.odd.get(s) ?? -1;
  }

  /** find(s.slice(start, end)), without making the string when it has the regular form. */
  findIn(s: string, start: number, end: number): number {
    if (end - start === 5) {
      let key = 0;
      let i = start;
      for (; i < end; i++) {
        const d = this.digit(s.charCodeAt(i));
        if (d < 0) break;
        key = key * this.radix + d;
      }
      if (i === end) return key;
    }
    return this.odd.get(s.slice(start, end)) ?? -1;
  }

  /** The key of `s`, numbering it if it is not of the regular form. */
  add(s: string): number {
    const key = this.find(s);
    if (key >= 0) return key;
    this.oddText.push(s);
    this.odd.set(s, this.regular + this.oddText.length - 1);
    return this.regular + this.oddText.length - 1;
  }

  text(key: number): string {
    if (key >= this.regular) return this.oddText[key - this.regular]!;
    let s = '';
    for (let i = 0; i < 5; i++) {
      const d = key % this.radix;
      s = String.fromCharCode(d < 10 ? 0x30 + d : 0x41 + d - 10) + s;
      key = (key - d) / this.radix;
    }
    return s;
  }
}

/** A typed array that grows as values are pushed (`done` returns just the values pushed). */
class Growable<A extends Int32Array | Float64Array> {
  length = 0;

  constructor(
    private array: A,
    private readonly make: (size: number) => A,
  ) {}

  push(v: number): void {
    if (this.length === this.array.length) {
      const bigger = this.make(this.array.length * 2);
      bigger.set(this.array);
      this.array = bigger;
    }
    this.array[this.length++] = v;
  }

  done(): A {
    return this.array.slice(0, this.length) as A;
  }
}

type Ints = Growable<Int32Array>;
const ints = (): Ints => new Growable(new Int32Array(1024), (n) => new Int32Array(n));
const floats = (): Growable<Float64Array> => new Growable(new Float64Array(1024), (n) => new Float64Array(n));

/** Names of communes: decoded from the file's bytes when first asked for. */
class Names {
  private readonly decoded: Array<string | undefined> = [];

  constructor(
    private readonly bytes: Buffer | undefined,
    /** Per name: start, end (bytes of the string's content), 1 if ASCII. */
    private readonly ranges: Int32Array,
    known: Array<string | undefined>,
  ) {
    this.decoded = known;
  }

  /** foldInitial of the name, from its bytes when they start in ASCII (most do: no decoding). */
  initial(i: number): string {
    if (this.decoded[i] === undefined && this.bytes) {
      for (let at = this.ranges[3 * i]!; at < this.ranges[3 * i + 1]!; at++) {
        const byte = this.bytes[at]!;
        const folded = byte < 0x80 ? foldedChar(byte) : undefined;
        if (folded === undefined) break;
        if (folded) return folded.charAt(0);
      }
    }
    return foldInitial(this.get(i));
  }

  get(i: number): string {
    const known = this.decoded[i];
    if (known !== undefined) return known;
    const start = this.ranges[3 * i]!;
    const end = this.ranges[3 * i + 1]!;
    const name = this.bytes!.toString(this.ranges[3 * i + 2] ? 'latin1' : 'utf8', start, end);
    this.decoded[i] = name;
    return name;
  }
}

/**
 * Current communes (`commune-actuelle`, `arrondissement-municipal`) in file order, and former
 * communes (other types with a `chefLieu`), with what the geocoder reads of them.
 */
export interface Communes {
  codes: Keys;
  postcodeKeys: Keys;
  count: number;
  /** INSEE code (key in `codes`). */
  code: Int32Array;
  name: (row: number) => string;
  /** foldInitial(name(row)), cheaply. */
  initial: (row: number) => string;
  /** Index in `departements`. */
  departement: Uint16Array;
  departements: string[];
  /** 0 when absent. */
  population: Float64Array;
  /** Key in `codes` of the parent commune of an arrondissement (`commune`), -1 when none. */
  parent: Int32Array;
  /** Postcodes of row r: postcodes[postcodeStart[r] .. postcodeStart[r + 1]) (keys in `postcodeKeys`). */
  postcodeStart: Int32Array;
  postcodes: Int32Array;
  former: {
    count: number;
    code: Int32Array;
    /** Key in `codes` of the current commune it belongs to. */
    chefLieu: Int32Array;
    name: (i: number) => string;
    initial: (i: number) => string;
  };
}

class Builder {
  readonly codes = new Keys(false);
  readonly postcodeKeys = new Keys(true);
  readonly code = ints();
  readonly nameRanges = ints();
  readonly departement = ints();
  readonly departements: string[] = [];
  readonly departementIndex = new Map<string, number>();
  readonly population = floats();
  readonly parent = ints();
  readonly postcodeStart = ints();
  readonly postcodes = ints();
  readonly formerCode = ints();
  readonly formerChefLieu = ints();
  readonly formerNameRanges = ints();
  /** Names already decoded (slow path; sparse), else read from nameRanges. */
  readonly names: Array<string | undefined> = [];
  readonly formerNames: Array<string | undefined> = [];

  constructor() {
    this.postcodeStart.push(0);
  }

  /** Département of the previous current line: the file is sorted by code, so most often the same. */
  private previousDep = '';
  private dep = -1;

  /** A current commune's line of the usual shape (see USUAL_LINE) matched in `all`. */
  currentLine(all: string, m: RegExpExecArray, end: number): void {
    this.code.push(this.codes.findIn(all, m.index + CODE_OFFSET, m.index + CODE_OFFSET + 5));
    this.name(this.nameRanges, all, m);
    const dep = m[2]!;
    if (dep !== this.previousDep || this.dep < 0) {
      this.dep = this.departementOf(utf8(dep));
      this.previousDep = dep;
    }
    this.departement.push(this.dep);
    // …,"population":860} or …860},: the digits before the brace.
    let digits = all.charCodeAt(end - 1) === 0x2c ? end - 2 : end - 1;
    while (all.charCodeAt(digits - 1) !== 0x3a) digits--;
    let population = 0;
    for (let i = digits; all.charCodeAt(i) !== 0x7d; i++) population = population * 10 + all.charCodeAt(i) - 0x30;
    this.population.push(population);
    this.parent.push(-1);
    // "01400","01401": five digits every eight characters.
    const postcodes = m[3]!;
    for (let i = 1; i < postcodes.length; i += 8) this.postcodes.push(this.postcodeKeys.findIn(postcodes, i, i + 5));
    this.postcodeStart.push(this.postcodes.length);
  }

  /** A former commune's line of the usual shape (see USUAL_LINE) matched in `all`. */
  formerLine(all: string, m: RegExpExecArray): void {
    this.formerCode.push(this.codes.findIn(all, m.index + CODE_OFFSET, m.index + CODE_OFFSET + 5));
    this.formerChefLieu.push(this.codes.findIn(m[4]!, 0, 5));
    this.name(this.formerNameRanges, all, m);
  }

  /** The name's place in the line: decoded when asked for (see Names). */
  private name(ranges: Ints, all: string, m: RegExpExecArray): void {
    const start = m.index + NAME_OFFSET;
    this.pushRange(ranges, start, all.indexOf('"', start), m[1] === undefined ? 0 : 1);
  }

  pushRange(ranges: Ints, start: number, end: number, ascii: number): void {
    ranges.push(start);
    ranges.push(end);
    ranges.push(ascii);
  }

  departementOf(name: string): number {
    let i = this.departementIndex.get(name);
    if (i === undefined) {
      i = this.departements.length;
      this.departements.push(name);
      this.departementIndex.set(name, i);
    }
    return i;
  }

  build(bytes: Buffer | undefined): Communes {
    const count = this.code.length;
    const names = new Names(bytes, this.nameRanges.done(), this.names);
    const formerNames = new Names(bytes, this.formerNameRanges.done(), this.formerNames);
    return {
      codes: this.codes,
      postcodeKeys: this.postcodeKeys,
      count,
      code: this.code.done(),
      name: (row: number) => names.get(row),
      initial: (row: number) => names.initial(row),
      departement: Uint16Array.from(this.departement.done()),
      departements: this.departements,
      population: this.population.done(),
      parent: this.parent.done(),
      postcodeStart: this.postcodeStart.done(),
      postcodes: this.postcodes.done(),
      former: {
        count: this.formerCode.length,
        code: this.formerCode.done(),
        chefLieu: this.formerChefLieu.done(),
        name: (i: number) => formerNames.get(i),
        initial: (i: number) => formerNames.initial(i),
      },
    };
  }
}

const CURRENT_TYPES = ['commune-actuelle', 'arrondissement-municipal'];

/** Reads `communes.json`; see {@link Communes}. */
export function readCommunes(file: string): Communes {
  const bytes = readFileSync(file);
  return scan(bytes) ?? fromObjects(JSON.parse(bytes.toString('utf8')), new Builder()).build(undefined);
}

function text(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`communes.json: ${what} is not a string: ${JSON.stringify(v)}`);
  return v;
}

/** Adds parsed commune objects (the slow path: odd lines, or the whole file). */
function fromObjects(objects: unknown, b: Builder): Builder {
  if (!Array.isArray(objects)) throw new Error('communes.json: expected an array');
  for (const o of objects as Array<Record<string, unknown>>) {
    if (CURRENT_TYPES.includes(o.type as string)) {
      b.names[b.code.length] = text(o.nom, 'nom');
      b.code.push(b.codes.add(text(o.code, 'code')));
      b.pushRange(b.nameRanges, -1, -1, 0);
      b.departement.push(b.departementOf(text(o.departement, 'departement')));
      const population = o.population ?? 0;
      if (typeof population !== 'number') throw new Error(`communes.json: population is not a number: ${JSON.stringify(population)}`);
      b.population.push(population);
      b.parent.push(o.commune ? b.codes.add(text(o.commune, 'commune')) : -1);
      for (const cp of (o.codesPostaux ?? []) as unknown[]) b.postcodes.push(b.postcodeKeys.add(text(cp, 'postcode')));
      b.postcodeStart.push(b.postcodes.length);
    } else if (o.chefLieu) {
      b.formerNames[b.formerCode.length] = text(o.nom, 'nom');
      b.formerCode.push(b.codes.add(text(o.code, 'code')));
      b.formerChefLieu.push(b.codes.add(text(o.chefLieu, 'chefLieu')));
      b.pushRange(b.formerNameRanges, -1, -1, 0);
    }
  }
  return b;
}

/** A string value: no quote, no escape. */
const S = '[^"\\\\\\n]*';
/** An INSEE code of the regular form (see Keys). */
const CODE = '[0-9A-Z]{5}';
/**
 * The lines of 99 % of the file, every key in this order, values without escapes: a current
 * commune or a former one. The regular-expression engine does the scanning natively (this runs once
 * per process, before the JIT has warmed up); it captures little, as each capture is a string to
 * collect: group 1 is there (empty) when the name is ASCII (no class holds a quote, so nothing
 * backtracks past the name's end); then for a current commune its département (2) and postcodes (3:
 * the inside of their JSON list), for a former one its chef-lieu (4). The code, name and population
 * are read at their place in the line.
 */
const USUAL_LINE = new RegExp(
  `^\\{"code":"${CODE}","nom":"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7f]*()|${S})","typeLiaison":\\d+,"zone":"${S}",(?:` +
    `"arrondissement":"${S}","departement":"(${S})","region":"${S}","type":"(?:commune-actuelle|arrondissement-municipal)","rangChefLieu":\\d+,` +
    `(?:"anciensCodes":\\[(?:"${S}",)*(?:"${S}")?\\],)?"siren":"${S}","codesPostaux":\\[((?:"\\d{5}",)*(?:"\\d{5}")?)\\],"population":\\d{1,15}` +
    `|"type":"(?!commune-actuelle"|arrondissement-municipal")${S}","chefLieu":"(${CODE})","arrondissement":"${S}","departement":"${S}","region":"${S}"` +
    `)\\},?$`,
  'gm',
);
/** Where the code and the name start in such a line. */
const CODE_OFFSET = '{"code":"'.length;
const NAME_OFFSET = CODE_OFFSET + 5 + '","nom":"'.length;

/**
 * The fast path. The file is written one object per line: lines of the usual shapes are read with
 * USUAL_LINE (the regular-expression engine does the scanning, natively, from the first byte: this
 * runs once per process, before the JIT has warmed up), the others with `JSON.parse`, one line at a
 * time. `undefined` when the file is not laid out that way.
 */
function scan(bytes: Buffer): Communes | undefined {
  const all = bytes.toString('latin1');
  const open = all.indexOf('[');
  const close = all.lastIndexOf(']');
  if (open < 0 || close < open || all.slice(0, open).trim() !== '' || all.slice(close + 1).trim() !== '') return undefined;
  const b = new Builder();
  const re = USUAL_LINE;
  re.lastIndex = open + 1;
  let done = open + 1;
  for (;;) {
    const m = re.exec(all);
    const gapEnd = m ? m.index : close;
    // Between two usual lines there is only their newline; anything else is read line by line.
    if (gapEnd > done + 1 || (gapEnd === done + 1 && all.charCodeAt(done) !== 0x0a)) {
      if (!readLines(all.slice(done, gapEnd), bytes, done, b)) return undefined;
    }
    if (!m || m.index >= close) break;
    done = re.lastIndex;
    if (m[2] === undefined) b.formerLine(all, m);
    else b.currentLine(all, m, done);
  }
  return b.build(bytes);
}

/** Lines between usual ones: each a JSON object (with its comma), read by `JSON.parse`. */
function readLines(chunk: string, bytes: Buffer, at: number, b: Builder): boolean {
  let start = 0;
  while (start < chunk.length) {
    let end = chunk.indexOf('\n', start);
    if (end < 0) end = chunk.length;
    let line = chunk.slice(start, end).trim();
    if (line.endsWith(',')) line = line.slice(0, -1).trimEnd();
    if (line !== '') {
      if (!line.startsWith('{') || !line.endsWith('}')) return false;
      let object: unknown;
      try {
        // Decoded as UTF-8 from the bytes: the chunk is Latin-1.
        const first = at + start + chunk.slice(start, end).indexOf('{');
        object = JSON.parse(bytes.toString('utf8', first, first + line.length));
      } catch {
        return false;
      }
      if (typeof object !== 'object' || object === null || Array.isArray(object)) return false;
      fromObjects([object], b);
    }
    start = end + 1;
  }
  return true;
}

/** A value read from the Latin-1 text, as the UTF-8 it is. */
function utf8(latin1: string): string {
  for (let i = 0; i < latin1.length; i++) if (latin1.charCodeAt(i) >= 0x80) return Buffer.from(latin1, 'latin1').toString('utf8');
  return latin1;
}
