/**
 * Runs a function of the places module in a child Node process under a given `TZ`. Jest keeps its
 * own copy of `process.env`, so assigning TZ inside a test does not change the zone Date uses; a
 * child process does. TypeScript sources are compiled on the fly with esbuild (a dev dependency).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

const HOOK = `
const fs = require('fs');
const esbuild = require(${JSON.stringify(require.resolve('esbuild'))});
require.extensions['.ts'] = (m, filename) => {
  const { code } = esbuild.transformSync(fs.readFileSync(filename, 'utf8'), { loader: 'ts', format: 'cjs', sourcefile: filename });
  m._compile(code, filename);
};
`;

/**
 * Evaluates `body` (JavaScript, with `places` bound to src/places/openingStatus) in a child under `tz` and returns
 * what it returns, through JSON.
 */
export function runUnderTz<T>(tz: string, body: string): T {
  const script = `${HOOK}
const places = require(${JSON.stringify(path.join(ROOT, 'src/places/openingStatus.ts'))});
const result = (() => { ${body} })();
process.stdout.write(JSON.stringify({ offset: new Date('2026-01-15T12:00:00Z').getTimezoneOffset(), result }));`;
  const out = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, env: { ...process.env, TZ: tz }, encoding: 'utf8' });
  return JSON.parse(out) as T;
}
