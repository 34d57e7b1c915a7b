/**
 * `ariane sources sync|status|search`: the catalogue of official pages (service-public fiches) in
 * the service's store — sync it from the DILA's archive, say which one is in use, try the search.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { ArchiveError, DEFAULT_SOURCES_URL, OfficialSources, frenchDate, oneLine, type SyncResult } from '../sources';
import type { Store } from '../store';
import { openCliStore, type CliIo } from './placesCommand';
import { progressLine } from './progressLine';

export { progressLine } from './progressLine';

const stdIo: CliIo = { out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`), err: (l) => console.error(l) };

const mb = (n: number) => `${(n / 1e6).toFixed(1).replace('.', ',')} Mo`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1).replace('.', ',')} s`;

/** The address to sync from: `--url`, else ARIANE_SOURCES_URL, else the DILA's current one. */
export function sourcesUrl(option?: string): string {
  if (option) return option;
  return loadConfig(process.env, { dotenv: false }).sourcesUrl ?? DEFAULT_SOURCES_URL;
}

/** The result of a sync in one line of French. */
export function describeSync(result: SyncResult, sources: OfficialSources): string {
  const d = sources.describe();
  switch (result.status) {
    case 'updated':
      return `Catalogue mis à jour : ${d.count} fiches, la plus récente modifiée le ${frenchDate(d.newest)} (${mb(result.bytes)} téléchargés en ${seconds(result.downloadMs)}, lus en ${seconds(result.readMs)}).`;
    case 'not-modified':
      return `Archive inchangée depuis la dernière synchronisation (réponse 304) : catalogue conservé. ${d.label}`;
    case 'concurrent':
      return `Une autre instance vient d'enregistrer une archive : la sienne est gardée. ${d.label}`;
  }
}

/** `ariane sources sync`: returns the exit code (1 when the archive is refused). */
export async function runSourcesSync(
  url: string,
  store: Store,
  io: CliIo = stdIo,
  options: { tty?: boolean; minFiches?: number; progress?: (text: string) => void } = {},
): Promise<number> {
  const sources = await OfficialSources.open(store.kv);
  io.err(`Téléchargement de ${url}`);
  const progress = progressLine(options.progress ?? ((t) => process.stderr.write(t)), options.tty ?? process.stderr.isTTY === true);
  try {
    const result = await sources.sync(url, { download: { onProgress: progress.update }, ...(options.minFiches !== undefined ? { minFiches: options.minFiches } : {}) });
    progress.done();
    io.out(describeSync(result, sources));
    return 0;
  } catch (err) {
    progress.done();
    if (!(err instanceof ArchiveError)) throw err;
    io.err(`Synchronisation refusée : ${err.message}. Le catalogue en place est conservé. ${sources.describe().label}`);
    return 1;
  }
}

/** `ariane sources status`. */
export async function runSourcesStatus(store: Store, io: CliIo = stdIo, json = false): Promise<number> {
  const d = (await OfficialSources.open(store.kv)).describe();
  io.out(json ? JSON.stringify(d, null, 2) : d.label);
  return 0;
}

/** `ariane sources search`: the pages a resident would be offered. */
export async function runSourcesSearch(text: string, store: Store, io: CliIo = stdIo, options: { lang?: string; json?: boolean } = {}): Promise<number> {
  const sources = await OfficialSources.open(store.kv);
  const hits = sources.search(text, options.lang);
  if (options.json) {
    io.out(JSON.stringify(hits.map((h) => ({ ...h.fiche, score: Math.round(h.score * 10) / 10 })), null, 2));
    return 0;
  }
  if (hits.length === 0) {
    io.out('Aucune page officielle ne correspond assez à cette phrase.');
    return 0;
  }
  io.out(hits.map((h, i) => `${i + 1}. ${h.fiche.title} (${h.fiche.id})\n   ${oneLine(h.fiche.description)}\n   ${h.fiche.url}`).join('\n'));
  return 0;
}

async function withStore(dataDir: string | undefined, run: (store: Store) => Promise<number>): Promise<void> {
  const store = await openCliStore(dataDir);
  try {
    process.exitCode = await run(store);
  } finally {
    await store.close();
  }
}

/** Registers `ariane sources sync|status|search`. */
export function registerSourcesCommand(program: Command): void {
  const sources = program.command('sources').description('Pages officielles (fiches service-public) : synchroniser le catalogue, voir lequel est utilisé, essayer la recherche.');
  sources
    .command('sync')
    .description("Télécharger l'archive « Vos droits et démarches » de la DILA et remplacer le catalogue si elle est complète (sinon, l'ancien reste).")
    .option('--url <url>', `adresse de l'archive (par défaut ARIANE_SOURCES_URL, sinon ${DEFAULT_SOURCES_URL})`)
    .option('--data-dir <dir>', 'dossier des données (par défaut ARIANE_DATA_DIR ou ./var)')
    .action((opts: { url?: string; dataDir?: string }) => withStore(opts.dataDir, (store) => runSourcesSync(sourcesUrl(opts.url), store)));
  sources
    .command('status')
    .description('Le catalogue utilisé : embarqué ou téléchargé, sa date, son nombre de fiches.')
    .option('--data-dir <dir>', 'dossier des données (par défaut ARIANE_DATA_DIR ou ./var)')
    .option('--json', 'en JSON')
    .action((opts: { dataDir?: string; json?: boolean }) => withStore(opts.dataDir, (store) => runSourcesStatus(store, stdIo, opts.json)));
  sources
    .command('search <text...>')
    .description("Les pages officielles qu'Ariane proposerait pour cette phrase (3 au plus).")
    .option('--lang <lang>', 'langue de la phrase (fr par défaut)')
    .option('--data-dir <dir>', 'dossier des données (par défaut ARIANE_DATA_DIR ou ./var)')
    .option('--json', 'en JSON, avec les scores')
    .action((text: string[], opts: { lang?: string; dataDir?: string; json?: boolean }) => withStore(opts.dataDir, (store) => runSourcesSearch(text.join(' '), store, stdIo, opts)));
}
