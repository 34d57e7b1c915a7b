/**
 * Reads a request body as JSON with a size limit. Our own (rather than restify's bodyParser) so that
 * every malformed body gets the same `{ error: { code, message } }` 4xx as the routes' own checks.
 */
import type { IncomingMessage } from 'node:http';

/** No activity needs more; deeper bodies would only make later recursive code (stringify…) overflow. */
const MAX_DEPTH = 32;

/** Deepest `[`/`{` nesting outside strings, in one linear pass (stops counting past the limit). */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > MAX_DEPTH) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

export type BodyResult = { ok: true; value: unknown } | { ok: false; status: number; code: string; message: string };

/** Resolves with the parsed body (`undefined` when empty) or the 4xx to answer; never rejects. */
export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      req.resume();
      resolve({ ok: false, status: 413, code: 'MessageTooLarge', message: `The body is larger than ${maxBytes} bytes.` });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: BodyResult) => {
      if (!done) {
        done = true;
        resolve(r);
      }
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        finish({ ok: false, status: 413, code: 'MessageTooLarge', message: `The body is larger than ${maxBytes} bytes.` });
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => finish({ ok: false, status: 400, code: 'BadArgument', message: 'The body could not be read.' }));
    req.on('end', () => {
      if (done) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return finish({ ok: true, value: undefined });
      const type = String(req.headers['content-type'] ?? '').toLowerCase();
      if (type !== '' && !type.includes('json')) {
        return finish({ ok: false, status: 415, code: 'UnsupportedMediaType', message: 'The body must be JSON (Content-Type: application/json).' });
      }
      if (nestingDepth(text) > MAX_DEPTH) {
        return finish({ ok: false, status: 400, code: 'BadArgument', message: `The body is nested more than ${MAX_DEPTH} levels deep.` });
      }
      try {
        finish({ ok: true, value: JSON.parse(text) as unknown });
      } catch {
        finish({ ok: false, status: 400, code: 'BadArgument', message: 'The body is not valid JSON.' });
      }
    });
  });
}
