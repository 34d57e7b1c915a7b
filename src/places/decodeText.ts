/**
 * The text of a downloaded or imported file. Spreadsheets often save CSV as Windows-1252: bytes
 * that are not UTF-8 mean the file is not UTF-8, and it is read as Windows-1252 instead.
 */
export function decodeText(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'windows-1252' } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}
