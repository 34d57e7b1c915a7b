import { csvToObjects, parseCsv, sniffDelimiter } from '../../src/places/parseCsv';

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted fields, doubled quotes, embedded separators and newlines, CRLF, and keeps line numbers', () => {
    const text = 'a,b,c\r\n1,"x, y","he said ""hi"""\r\n2,"multi\nline",z\n\n3,,last\n';
    const rows = parseCsv(text);
    expect(rows.map((r) => r.cells)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'he said "hi"'],
      ['2', 'multi\nline', 'z'],
      ['3', '', 'last'],
    ]);
    // Records are numbered by the file line they start on: the two-line cell spans 3–4, line 5 is blank.
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3, 6]);
  });

  it('ignores a BOM, reads a last line without newline, and sniffs `;`', () => {
    const text = '\ufeffnom;code\nA;1\nB;2';
    expect(sniffDelimiter(text)).toBe(';');
    expect(csvToObjects(text)).toEqual([
      { line: 2, record: { nom: 'A', code: '1' } },
      { line: 3, record: { nom: 'B', code: '2' } },
    ]);
  });

  it('leaves empty cells out of the record', () => {
    expect(csvToObjects('a,b\n,2\n')[0]?.record).toEqual({ b: '2' });
  });
});
