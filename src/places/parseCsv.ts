/**
 * A small RFC 4180 CSV reader. Written here rather than adding a dependency because the import
 * needs only this (quoted fields, doubled quotes, CRLF or LF, a configurable delimiter) plus the
 * physical line number of each record, which the validation report quotes.
 */

/** One parsed record: its cells and the (1-based) file line where it starts. */
export interface CsvRecord {
  cells: string[];
  line: number;
}

/** Parses CSV text into records (the header is the first record). A BOM is ignored. */
export function parseCsv(text: string, delimiter = ','): CsvRecord[] {
  return [...csvRecords(text, delimiter)];
}

/** The records of CSV text one at a time, so that a large file can be read a few hundred rows per turn of the event loop. */
export function* csvRecords(text: string, delimiter = ','): Generator<CsvRecord> {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let cells: string[] = [];
  let cell = '';
  let recordLine = 1;
  let inQuotes = false;
  let sawAnything = false;
  const endRecord = () => {
    cells.push(cell);
    // A blank line is not a record.
    if (!(cells.length === 1 && cells[0] === '' && !sawAnything)) records.push({ cells, line: recordLine });
    cells = [];
    cell = '';
    sawAnything = false;
  };
  for (; i < text.length; i++) {
    if (records.length) yield records.pop()!;
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"') {
      inQuotes = true;
      sawAnything = true;
    } else if (ch === delimiter) {
      cells.push(cell);
      cell = '';
      sawAnything = true;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      // CRLF: handled at the \n.
    } else if (ch === '\n' || ch === '\r') {
      endRecord();
      line++;
      recordLine = line;
    } else {
      cell += ch;
      sawAnything = true;
    }
  }
  if (cell !== '' || cells.length > 0 || sawAnything) endRecord();
  if (records.length) yield records.pop()!;
}

/** Guesses the delimiter from the header line (`,` or `;`, as French exports often use). */
export function sniffDelimiter(text: string): ',' | ';' {
  const first = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
  const count = (c: string) => first.split(c).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

/** Turns CSV text into objects keyed by the header, each with its line number. */
export function csvToObjects(text: string): Array<{ line: number; record: Record<string, string> }> {
  return [...csvObjects(text)];
}

/** {@link csvToObjects} one record at a time. */
export function* csvObjects(text: string): Generator<{ line: number; record: Record<string, string> }> {
  let header: string[] | undefined;
  for (const { cells, line } of csvRecords(text, sniffDelimiter(text))) {
    if (!header) {
      header = cells.map((h) => h.trim());
      continue;
    }
    const record: Record<string, string> = {};
    header.forEach((name, k) => {
      const value = cells[k];
      if (name && value !== undefined && value !== '') record[name] = value;
    });
    yield { line, record };
  }
}
