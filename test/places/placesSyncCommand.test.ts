/**
 * `ariane places sync`, `ARIANE_PLACES_URL` and the service's daily sync, against a local HTTP
 * server: the report, the progress line, a refusal that keeps the directory, a 304.
 */
import { loadConfig, ConfigError } from '../../src/config';
import { runPlacesSync } from '../../src/cli/placesCommand';
import { HelpPlaces } from '../../src/places';
import { MemoryStore } from '../../src/store';
import { syntheticPlacesCsv } from '../bench/placesFile';
import { startArchiveServer, type ArchiveServer } from '../sources/support/archiveServer';

let server: ArchiveServer;
beforeAll(async () => {
  server = await startArchiveServer();
});
afterAll(() => server.close());

const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (l: string) => err.push(l) } };
};

describe('ariane places sync', () => {
  it('stores the file, prints the per-row report and the counts, shows progress, then says a 304 changed nothing', async () => {
    const store = new MemoryStore();
    // 1,200 places, some with hours the standard cannot read (kept, with a remark).
    server.serve({ body: Buffer.from(syntheticPlacesCsv(1200, 21)), etag: '"v1"' });
    const first = io();
    const progress: string[] = [];
    expect(await runPlacesSync(server.url, { tty: false, progress: (t) => progress.push(t) }, store, first.io)).toBe(0);
    expect(first.err).toEqual([`Téléchargement de ${server.url}`]);
    expect(progress[progress.length - 1]).toMatch(/^ {2}0,\d Mo \/ 0,\d Mo \(100 %\)\n$/);
    expect(first.out.some((l) => /^attention ligne \d+ \(synthetic-\d+\) · horaires : horaires illisibles/.test(l))).toBe(true);
    expect(first.out[first.out.length - 1]).toMatch(/^Annuaire national mis à jour : 1200 lignes lues, 1200 lieux gardés, 0 lignes écartées, \d+ gardées avec une remarque \(0,\d Mo téléchargés en .+\)\. \d+ lieux de l'annuaire de départ sont remplacés/);
    const again = io();
    expect(await runPlacesSync(server.url, { tty: false, progress: () => undefined }, store, again.io)).toBe(0);
    expect(again.out).toEqual(['Fichier inchangé depuis la dernière synchronisation (réponse 304) : annuaire national conservé (1200 lieux).']);
  });

  it('a refused file exits 1 with one line and keeps the directory in use', async () => {
    const store = new MemoryStore();
    server.serve({ body: Buffer.alloc(0), status: 500 });
    const c = io();
    expect(await runPlacesSync(server.url, { tty: false, progress: () => undefined }, store, c.io)).toBe(1);
    expect(c.err[1]).toMatch(/^Synchronisation refusée : le serveur a répondu 500 .*\. L'annuaire en place est conservé\.$/);
    expect((await new HelpPlaces(store.kv).loaded()).merged).toMatchObject({ national: 0, starters: expect.any(Number) });
  });

  it('needs an address, and --min a positive whole number', async () => {
    const c = io();
    expect(await runPlacesSync(undefined, {}, new MemoryStore(), c.io)).toBe(1);
    expect(c.err[0]).toContain('ARIANE_PLACES_URL');
    expect(await runPlacesSync(server.url, { min: 'beaucoup' }, new MemoryStore(), c.io)).toBe(1);
    expect(c.err[1]).toBe('--min doit être un nombre entier positif.');
  });

  it('--min accepts a regional file smaller than the national set', async () => {
    server.serve({ body: Buffer.from(syntheticPlacesCsv(300, 22)), etag: '"regional"' });
    const c = io();
    expect(await runPlacesSync(server.url, { min: '100', json: true, tty: false, progress: () => undefined }, new MemoryStore(), c.io)).toBe(0);
    const report = JSON.parse(c.out.join('')) as { status: string; meta: { count: number }; directory: { national: number } };
    expect(report).toMatchObject({ status: 'updated', meta: { count: 300 }, directory: { national: 300 } });
  });
});

describe('ARIANE_PLACES_URL and the daily sync', () => {
  it('is read as an http(s) address, and refused otherwise', () => {
    const url = 'https://www.data.gouv.fr/fr/datasets/r/00000000-0000-0000-0000-000000000000';
    expect(loadConfig({ ARIANE_PLACES_URL: url }, { dotenv: false }).placesUrl).toBe(url);
    expect(loadConfig({}, { dotenv: false }).placesUrl).toBeUndefined();
    expect(() => loadConfig({ ARIANE_PLACES_URL: 'lieux.csv' }, { dotenv: false })).toThrow(ConfigError);
  });

  it('the service syncs soon after start and reports it; a refusal is reported, not thrown; stop() cancels the rest', async () => {
    const store = new MemoryStore();
    const places = new HelpPlaces(store.kv, { starters: false });
    server.serve({ body: Buffer.from(syntheticPlacesCsv(1100, 23)), etag: '"daily"' });
    const reports: Array<{ status?: string; error?: string }> = [];
    let stop: () => void = () => undefined;
    await new Promise<void>((resolve) => {
      stop = places.scheduleDailySync(
        server.url,
        ({ result, error }) => {
          reports.push({ ...(result ? { status: result.status } : {}), ...(error ? { error: error.message } : {}) });
          // After the first good sync, the server fails: the next daily run reports it.
          server.serve({ body: Buffer.alloc(0), status: 503 });
          if (error) resolve();
        },
        { firstDelayMs: 10, everyMs: 50 },
      );
    });
    stop();
    expect(reports[0]).toEqual({ status: 'updated' });
    expect(reports[reports.length - 1]).toEqual({ error: expect.stringMatching(/le serveur a répondu 503/) });
    expect((await places.directory()).size).toBe(1100);
  });
});
