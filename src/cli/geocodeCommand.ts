/** `ariane geocode <query…>`: the offline geocoder from the command line (or one query per line on stdin). */
import type { Command } from 'commander';
import { getGeocoder, type GeocodeResult } from '../geo';
import type { CliIo } from './placesCommand';
import { placeWords } from './positionalArgs';

const stdIo: CliIo = { out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`), err: (l) => console.error(l) };

function describe(r: GeocodeResult): string {
  if (r.kind === 'none') return `${r.query} → introuvable`;
  const head = r.kind === 'coordinates' ? `${r.query} → point ${r.point?.lat}, ${r.point?.lon}, commune la plus proche :` : `${r.query} →${r.ambiguous ? ' plusieurs communes (précisez le département) :' : ''}`;
  const lines = r.matches.slice(0, 10).map(
    (m) =>
      `  ${m.nom}${m.matchedName && m.matchedName !== m.nom ? ` (saisi : ${m.matchedName})` : ''} — INSEE ${m.insee}, CP ${m.postcode ?? '?'}, ${m.departementNom} (${m.departement}) — ${m.lat.toFixed(5)}, ${m.lon.toFixed(5)}${m.precision === 'commune' ? '' : ` [position approchée : ${m.precision}]`}`,
  );
  return [head, ...lines].join('\n');
}

/** Geocodes each query; returns the exit code (1 when one of them was not found). */
export function runGeocode(queries: string[], options: { json?: boolean }, io: CliIo = stdIo): number {
  const geocoder = getGeocoder();
  const results = queries.map((q) => q.trim()).filter(Boolean).map((q) => geocoder.geocode(q));
  if (options.json) io.out(JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
  else for (const r of results) io.out(describe(r));
  return results.some((r) => r.kind === 'none') ? 1 : 0;
}

async function readStdin(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
}

/** Registers `ariane geocode [query…] [--json]`. */
export function registerGeocodeCommand(program: Command): void {
  program
    .command('geocode [query...]')
    .description('Trouver une commune (code postal, nom même mal orthographié, ou « latitude,longitude ») sans connexion. Sans argument : une requête par ligne sur l’entrée standard.')
    .option('--json', 'résultat en JSON')
    // Coordinates may start with a dash (-21.1,55.5): unknown options are read as words, then checked.
    .allowUnknownOption()
    .action(async (query: string[], opts: { json?: boolean }) => {
      const words = placeWords(query);
      if ('error' in words) {
        console.error(words.error);
        process.exitCode = 1;
        return;
      }
      const queries = words.words.length ? [words.words.join(' ')] : await readStdin();
      process.exitCode = runGeocode(queries, opts);
    });
}
