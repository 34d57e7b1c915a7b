import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArchiveError, Catalogue, OfficialSources, loadStoredCatalogue, syncCatalogue } from '../../src/sources';
import { MemoryStore } from '../../src/store';
import { fileArchive, startArchiveServer, type ArchiveServer } from './support/archiveServer';
import { ficheXml, writeFicheArchive, writeZip, INDEX_ENTRIES } from '../bench/vddArchive';

const IDS = ['F10027', 'R42726', 'N19810', 'F12118', 'F1604', 'F265', 'R49814', 'F33667', 'F1427', 'F1420', 'F1878', 'F163'];
const EMPTY = () => new Catalogue({ meta: { origin: 'embedded', source: 'test', count: 0, newest: '2020-01-01' }, fiches: [] });

let dir: string;
let server: ArchiveServer;
const zip = (name: string) => path.join(dir, name);
/** Downloads go here, so that a test can tell that a refused sync left nothing behind. */
const downloads = () => path.join(dir, 'downloads');

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sources-test-'));
  mkdirSync(downloads());
  server = await startArchiveServer();
  await writeFicheArchive(zip('good.zip'), IDS);
  await writeFicheArchive(zip('good2.zip'), [...IDS, 'F2213']);
  await writeFicheArchive(zip('few.zip'), IDS.slice(0, 3));
  await writeFicheArchive(zip('half.zip'), IDS.slice(0, 5));
  // One fiche whose file stops in the middle of an element: the DILA never publishes that.
  const broken = ficheXml('F2213').replace(/<\/Publication>\s*$/, '').replace(/<\/dc:title>/, '');
  await writeZip(zip('malformed.zip'), [...INDEX_ENTRIES, ...IDS.map((id) => ({ name: `${id}.xml`, content: ficheXml(id) })), { name: 'F2213.xml', content: broken }]);
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A store holding one good sync of good.zip, and the sources serving it. */
async function synced(): Promise<{ store: MemoryStore; sources: OfficialSources; fetchedAt: string }> {
  const store = new MemoryStore();
  const sources = await OfficialSources.open(store.kv, { embedded: EMPTY });
  server.serve(fileArchive(zip('good.zip'), '"gen-1"'));
  const result = await sources.sync(server.url, { minFiches: 5, tmpDir: downloads(), now: () => new Date('2026-12-01T03:00:00Z') });
  expect(result.status).toBe('updated');
  expect(readdirSync(downloads())).toEqual([]);
  return { store, sources, fetchedAt: '2026-12-01T03:00:00.000Z' };
}

/** The previous catalogue is still the one served and stored. */
async function expectKept(store: MemoryStore, sources: OfficialSources, fetchedAt: string): Promise<void> {
  expect(sources.catalogue.meta.fetchedAt).toBe(fetchedAt);
  expect(sources.catalogue.size).toBe(IDS.length);
  expect(sources.search('vote par procuration').map((h) => h.fiche.id)).toContain('F1604');
  const stored = await loadStoredCatalogue(store.kv);
  expect(stored?.catalogue.meta.fetchedAt).toBe(fetchedAt);
  expect(stored?.catalogue.size).toBe(IDS.length);
}

describe('ariane sources sync against a local HTTP server', () => {
  it('a good archive becomes the catalogue, in the store and in memory', async () => {
    const before = server.requests.length;
    const { store, sources } = await synced();
    expect(server.requests[before]?.['if-none-match']).toBeUndefined();
    expect(sources.catalogue.meta).toMatchObject({ origin: 'sync', source: server.url, count: IDS.length, etag: '"gen-1"', lastModified: 'Thu, 12 Nov 2020 10:00:00 GMT' });
    expect(sources.catalogue.get('F10027')).toEqual({
      id: 'F10027',
      type: "Fiche d'information conditionnée",
      title: 'Complémentaire santé solidaire (ex-CMU-C)',
      description: expect.stringMatching(/^Vous avez de faibles ressources \?/),
      theme: 'Social - Santé > Complémentaire santé et couverture maladie universelle complémentaire',
      audience: ['Particuliers'],
      modified: '2020-09-21',
      url: 'https://www.service-public.gouv.fr/particuliers/vosdroits/F10027',
    });
    // A restart reads it back from the store.
    const reopened = await OfficialSources.open(store.kv, { embedded: () => { throw new Error('the embedded catalogue must not be read'); } });
    expect(reopened.catalogue.meta.fetchedAt).toBe('2026-12-01T03:00:00.000Z');
    expect(reopened.search('chèque énergie').map((h) => h.fiche.id)).toEqual(['F33667']);
    expect(reopened.describe().label).toMatch(/^Catalogue téléchargé le 1er décembre 2026 : 12 fiches service-public/);
  });

  it('the same archive again: a conditional request, 304, nothing replaced', async () => {
    const { store, sources, fetchedAt } = await synced();
    const before = server.requests.length;
    const result = await sources.sync(server.url, { minFiches: 5, now: () => new Date('2026-12-02T03:00:00Z') });
    expect(result.status).toBe('not-modified');
    expect(server.requests[before]?.['if-none-match']).toBe('"gen-1"');
    expect(server.requests[before]?.['if-modified-since']).toBe('Thu, 12 Nov 2020 10:00:00 GMT');
    await expectKept(store, sources, fetchedAt);
    expect((await loadStoredCatalogue(store.kv))?.catalogue.meta.checkedAt).toBe('2026-12-02T03:00:00.000Z');
  });

  it('a changed archive (new ETag) replaces the catalogue', async () => {
    const { sources } = await synced();
    server.serve(fileArchive(zip('good2.zip'), '"gen-2"'));
    const result = await sources.sync(server.url, { minFiches: 5 });
    expect(result.status).toBe('updated');
    expect(sources.catalogue.size).toBe(IDS.length + 1);
    expect(sources.catalogue.get('F2213')?.title).toBe('Naturalisation');
  });

  it('another instance synced meanwhile: its catalogue is picked up on the 304', async () => {
    const { store, sources } = await synced();
    const other = await OfficialSources.open(store.kv, { embedded: EMPTY });
    server.serve(fileArchive(zip('good2.zip'), '"gen-2"'));
    expect((await other.sync(server.url, { minFiches: 5 })).status).toBe('updated');
    expect((await sources.sync(server.url, { minFiches: 5 })).status).toBe('not-modified');
    expect(sources.catalogue.size).toBe(IDS.length + 1);
  });

  const refusals: Array<[string, () => void, RegExp]> = [
    ['a 500', () => server.serve({ body: Buffer.alloc(0), status: 500 }), /le serveur a répondu 500/],
    ['a 404 (the address moved)', () => server.serve({ body: Buffer.alloc(0), status: 404 }), /le serveur a répondu 404/],
    ['a download cut short (Content-Length not reached)', () => server.serve({ ...fileArchive(zip('good2.zip'), '"gen-3"'), cutAfter: 4000 }), /téléchargement interrompu après|téléchargement tronqué/],
    ['a cut archive sent without Content-Length', () => server.serve({ ...fileArchive(zip('good2.zip'), '"gen-3"'), chunked: true, body: readFileSync(zip('good2.zip')).subarray(0, 5000) }), /n'est pas un fichier zip complet/],
    ['an HTML page instead of a zip', () => server.serve({ body: Buffer.from('<html><body>Maintenance</body></html>'), etag: '"html"' }), /n'est pas un fichier zip complet/],
    ['a malformed XML file', () => server.serve(fileArchive(zip('malformed.zip'), '"gen-3"')), /^F2213\.xml : XML mal formé/],
    ['too few fiches', () => server.serve(fileArchive(zip('few.zip'), '"gen-3"')), /ne contient que 3 fiches pour les particuliers \(au moins 5 attendues\)/],
  ];
  it.each(refusals)('%s is refused with one clear line, and the previous catalogue keeps serving', async (_name, serve, message) => {
    const { store, sources, fetchedAt } = await synced();
    serve();
    const error = await sources.sync(server.url, { minFiches: 5, tmpDir: downloads() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
    await expectKept(store, sources, fetchedAt);
    expect(readdirSync(downloads())).toEqual([]);
  });

  it('an archive with less than half the fiches of the catalogue in use is refused', async () => {
    const { store, sources, fetchedAt } = await synced();
    server.serve(fileArchive(zip('half.zip'), '"gen-3"'));
    await expect(sources.sync(server.url, { minFiches: 3 })).rejects.toThrow(/ne contient que 5 fiches, moins de la moitié des 12 du catalogue actuel/);
    await expectKept(store, sources, fetchedAt);
  });

  it('limits: an archive over the size limit is not downloaded whole', async () => {
    const { store, sources, fetchedAt } = await synced();
    server.serve(fileArchive(zip('good2.zip'), '"gen-3"'));
    await expect(sources.sync(server.url, { minFiches: 5, download: { maxBytes: 1000 } })).rejects.toThrow(/annonce .* plus que la limite/);
    server.serve({ ...fileArchive(zip('good2.zip'), '"gen-3"'), chunked: true });
    await expect(sources.sync(server.url, { minFiches: 5, download: { maxBytes: 1000 } })).rejects.toThrow(/dépasse la limite/);
    await expectKept(store, sources, fetchedAt);
  });

  it('a server that stops sending is given up after the idle limit', async () => {
    const { store, sources, fetchedAt } = await synced();
    const { createServer } = await import('node:http');
    const stalled = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(10));
    });
    await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', () => r()));
    const port = (stalled.address() as { port: number }).port;
    try {
      await expect(sources.sync(`http://127.0.0.1:${port}/vosdroits-latest.zip`, { minFiches: 5, download: { idleMs: 300 } })).rejects.toThrow(/aucune donnée reçue pendant 0 s|interrompu/);
    } finally {
      stalled.closeAllConnections();
      await new Promise<void>((r) => stalled.close(() => r()));
    }
    await expectKept(store, sources, fetchedAt);
  });

  it('a sync from another address does not send the validators of the first', async () => {
    const store = new MemoryStore();
    server.serve(fileArchive(zip('good.zip'), '"gen-1"'));
    await syncCatalogue(store.kv, { url: server.url, minFiches: 5 });
    const before = server.requests.length;
    await syncCatalogue(store.kv, { url: `${server.url}?moved=1`, minFiches: 5 });
    expect(server.requests[before]?.['if-none-match']).toBeUndefined();
  });

  it('the daily schedule runs a first sync soon after start and reports it; stop() cancels the rest', async () => {
    const store = new MemoryStore();
    const sources = await OfficialSources.open(store.kv, { embedded: EMPTY });
    server.serve(fileArchive(zip('good.zip'), '"daily"'));
    const reports: Array<{ status?: string; error?: string }> = [];
    let stop: () => void = () => undefined;
    await new Promise<void>((resolve) => {
      stop = sources.scheduleDailySync(
        server.url,
        ({ result, error }) => {
          reports.push({ ...(result ? { status: result.status } : {}), ...(error ? { error: error.message } : {}) });
          resolve();
        },
        { firstDelayMs: 10 },
      );
    });
    stop();
    // The default minimum (1,000 fiches) refuses this small archive: reported, not thrown.
    expect(reports).toEqual([{ error: expect.stringMatching(/ne contient que 12 fiches pour les particuliers \(au moins 1000 attendues\)/) }]);
    expect(sources.catalogue.size).toBe(0);
  });
});
