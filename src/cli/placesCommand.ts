/**
 * `ariane places import|sync|near`: load help places into the store (a file by hand, or the national
 * dataset from its address) and find the nearest ones, for admins, mediators and scripts. The store
 * is the service's own (SQLite in ARIANE_DATA_DIR, or PostgreSQL with DATABASE_URL), so what is
 * imported or synced is what the bot will use.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { STANDARD_PROGRAMMES, STANDARD_SERVICES, STANDARD_SPECIFIC_SUPPORT, type Support } from '../flow';
import { getGeocoder, foldName, type GeocodeResult } from '../geo';
import {
  decodeText,
  HelpPlaces,
  importPlaces,
  loadDirectory,
  locateByCommune,
  PlacesSyncError,
  placesText,
  removeStarterPlaces,
  starterPlaces,
  type ImportReport,
  type NearResult,
  type PlaceFormat,
  type PlacesSyncResult,
  type RowIssue,
} from '../places';
import { createStore, type Store } from '../store';
import { placeWords } from './positionalArgs';
import { progressLine } from './progressLine';

/** Where a command writes: results on `out`, problems on `err`. */
export interface CliIo {
  out: (text: string) => void;
  err: (line: string) => void;
}

const stdIo: CliIo = { out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`), err: (l) => console.error(l) };

/** Opens the service's store (`--data-dir` overrides ARIANE_DATA_DIR; DATABASE_URL selects PostgreSQL). */
export async function openCliStore(dataDir?: string): Promise<Store> {
  const config = loadConfig(process.env, { dotenv: false });
  return createStore({ dataDir: dataDir ? path.resolve(dataDir) : config.dataDir, ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) });
}

/** Reads an enumeration value loosely (case, accents, a unique prefix): `aide aux demarches` → the standard's. */
export function pickValue(input: string, values: readonly string[], what: string): string {
  const f = foldName(input);
  const exact = values.find((v) => foldName(v) === f);
  if (exact) return exact;
  const prefix = values.filter((v) => foldName(v).startsWith(f) || foldName(v).includes(f));
  if (prefix.length === 1 && prefix[0]) return prefix[0];
  throw new Error(`${what} inconnu : « ${input} ». Valeurs possibles :\n  - ${values.join('\n  - ')}`);
}

/** `ariane places import`: returns the exit code (0 when at least the file was read). */
export async function runPlacesImport(
  file: string,
  options: { format?: string; date?: string; json?: boolean; all?: boolean },
  store: Store,
  io: CliIo = stdIo,
): Promise<number> {
  const format = (options.format ?? 'standard') as PlaceFormat;
  if (format !== 'standard' && format !== 'france-services') {
    io.err(`Format inconnu : « ${options.format} ». Utilisez --format standard ou --format france-services.`);
    return 1;
  }
  let text: string;
  try {
    const decoded = decodeText(readFileSync(file));
    text = decoded.text;
    if (decoded.encoding !== 'utf-8') io.err(`(${path.basename(file)} n'est pas en UTF-8 : lu comme Windows-1252.)`);
  } catch (err) {
    io.err(`Impossible de lire ${file} : ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  // A France Services list carries no update date: use the one in its file name when present.
  const date = options.date ?? /(\d{4}-\d{2}-\d{2})/.exec(path.basename(file))?.[1];
  let report: ImportReport;
  try {
    report = await importPlaces(store.kv, text, { format, ...(date ? { date } : {}), locate: locateByCommune });
  } catch (err) {
    io.err(err instanceof Error ? err.message : String(err));
    return 1;
  }
  // Starter places an earlier release wrote into the store go: the shipped file is used in memory,
  // and the imported places that it also has replace them there.
  if (report.imported > 0) await removeStarterPlaces(store.kv);
  const { merged } = await loadDirectory(store.kv, starterPlaces(locateByCommune));
  if (options.json) {
    io.out(JSON.stringify({ ...report, starterReplaced: merged.replacedStarters }, null, 2));
    return 0;
  }
  if (merged.replacedStarters) io.err(`(${merged.replacedStarters} lieux de l'annuaire de départ sont remplacés par les lieux importés qui sont les mêmes.)`);
  printIssues(report.issues, !!options.all, io);
  io.out(
    `${report.rows} lignes lues : ${report.imported} lieux importés (${report.created} nouveaux, ${report.updated} mis à jour), ` +
      `${report.skipped} lignes écartées, ${report.withWarnings} gardées avec une remarque. (${report.durationMs} ms)`,
  );
  return 0;
}

/** The per-row report: the first 50 remarks, or all of them. */
function printIssues(issues: readonly RowIssue[], all: boolean, io: CliIo): void {
  const shown = all ? issues : issues.slice(0, 50);
  for (const i of shown) io.out(`${i.severity === 'error' ? 'ERREUR ' : 'attention'} ligne ${i.row}${i.ref ? ` (${i.ref})` : ''} · ${i.field} : ${i.reason}`);
  if (shown.length < issues.length) io.out(`… et ${issues.length - shown.length} autres remarques (--all pour tout voir, --json pour un rapport complet).`);
}

const mb = (n: number) => `${(n / 1e6).toFixed(1).replace('.', ',')} Mo`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1).replace('.', ',')} s`;

/**
 * `ariane places sync`: downloads the national dataset from `url` and stores it as the national set
 * (see `syncPlaces`). Returns the exit code: 0 when stored or unchanged, 1 when the file is refused.
 */
export async function runPlacesSync(
  url: string | undefined,
  options: { json?: boolean; all?: boolean; min?: string; tty?: boolean; progress?: (text: string) => void },
  store: Store,
  io: CliIo = stdIo,
): Promise<number> {
  if (!url) {
    io.err("Adresse du fichier inconnue : donnez --url, ou ARIANE_PLACES_URL (le CSV ou le JSON du jeu « Lieux de médiation numérique » de data.gouv.fr, voir src/places/README.md).");
    return 1;
  }
  const minPlaces = options.min !== undefined ? Number(options.min) : undefined;
  if (minPlaces !== undefined && !(Number.isInteger(minPlaces) && minPlaces >= 1)) {
    io.err('--min doit être un nombre entier positif.');
    return 1;
  }
  const places = new HelpPlaces(store.kv);
  io.err(`Téléchargement de ${url}`);
  const progress = progressLine(options.progress ?? ((t) => process.stderr.write(t)), options.tty ?? process.stderr.isTTY === true);
  let result: PlacesSyncResult;
  try {
    result = await places.sync(url, { download: { onProgress: progress.update }, ...(minPlaces !== undefined ? { minPlaces } : {}) });
    progress.done();
  } catch (err) {
    progress.done();
    if (!(err instanceof PlacesSyncError)) throw err;
    io.err(`Synchronisation refusée : ${err.message}. L'annuaire en place est conservé.`);
    return 1;
  }
  const { merged } = await places.loaded();
  if (options.json) {
    const { places: _places, ...rest } = result as PlacesSyncResult & { places?: unknown };
    io.out(JSON.stringify({ ...rest, directory: merged }, null, 2));
    return 0;
  }
  switch (result.status) {
    case 'not-modified':
      io.out(`Fichier inchangé depuis la dernière synchronisation (réponse 304) : annuaire national conservé (${result.meta?.count ?? 0} lieux).`);
      return 0;
    case 'concurrent':
      io.out("Une autre instance vient d'enregistrer un annuaire : le sien est gardé.");
      return 0;
    case 'updated': {
      const r = result.report;
      printIssues(r.issues, !!options.all, io);
      io.out(
        `Annuaire national mis à jour : ${r.rows} lignes lues, ${r.imported} lieux gardés, ${r.skipped} lignes écartées, ${r.withWarnings} gardées avec une remarque ` +
          `(${mb(result.bytes)} téléchargés en ${seconds(result.downloadMs)}, lus en ${seconds(result.parseMs)}, enregistrés en ${seconds(result.storeMs)}). ` +
          `${merged.replacedStarters} lieux de l'annuaire de départ sont remplacés par les mêmes lieux de l'annuaire national ; ${merged.starters} restent.`,
      );
      return 0;
    }
  }
}

/** The text of one result, as a mediator reads it in a terminal. */
function formatResult(r: NearResult, n: number): string {
  // As on the residents' cards: the opening status and the phone first, the date of the information last.
  const lines = [`${n}. ${r.place.nom}${r.place.starter ? ' [annuaire de départ]' : ''}`, `   ${r.statusText}`];
  if (r.phoneText) lines.push(`   Tél. ${r.phoneText} (${r.phoneLink})`);
  lines.push(`   ${r.address} — à ${r.distanceKm.toFixed(1).replace('.', ',')} km${r.place.position_approx ? ' (position approximative)' : ''}`);
  if (r.itinerant) lines.push(`   ${placesText('fr', 'result.itinerant')}`);
  if (r.appointmentUrl) lines.push(`   Rendez-vous : ${r.appointmentUrl}`);
  if (r.email) lines.push(`   E-mail : ${r.email}`);
  lines.push(`   Carte : ${r.mapUrl}`);
  lines.push(`   ${r.updatedText}`);
  if (r.place.starter_source) lines.push(`   Source : ${r.place.starter_source}`);
  return lines.join('\n');
}

/** Explains an ambiguous or unknown place name. */
export function describeGeocodeProblem(result: GeocodeResult): string {
  if (result.kind === 'none') return `Lieu introuvable : « ${result.query} ». Donnez un code postal (5 chiffres), le nom de la commune, ou « latitude,longitude ».`;
  const options = result.matches.slice(0, 8).map((m) => `  - ${m.nom} (${m.departementNom}, ${m.departement}) : « ${m.nom} ${m.departement} »`);
  return `Plusieurs communes s'appellent « ${result.query} ». Précisez le département :\n${options.join('\n')}`;
}

/** `ariane places near`: returns the exit code. */
export async function runPlacesNear(
  where: string,
  options: { service?: string[]; programme?: string[]; specific?: string[]; free?: boolean; openNow?: boolean; limit?: string; at?: string; json?: boolean; lang?: string },
  store: Store,
  io: CliIo = stdIo,
): Promise<number> {
  let support: Support | undefined;
  let programmes: string[] | undefined;
  let specificNeeds: string[][] = [];
  try {
    const services = (options.service ?? []).map((s) => pickValue(s, STANDARD_SERVICES, 'Service'));
    const specific = (options.specific ?? []).map((s) => pickValue(s, STANDARD_SPECIFIC_SUPPORT, 'Prise en charge'));
    programmes = (options.programme ?? []).map((s) => pickValue(s, STANDARD_PROGRAMMES, 'Dispositif'));
    specificNeeds = specific.map((s) => [s]);
    if (services.length || options.free) {
      support = { services: services.length ? services : [...STANDARD_SERVICES], ...(options.free ? { free: true } : {}) };
    }
  } catch (err) {
    io.err(err instanceof Error ? err.message : String(err));
    return 1;
  }
  const at = options.at ? new Date(options.at) : new Date();
  if (Number.isNaN(at.getTime())) {
    io.err(`Date illisible pour --at : « ${options.at} » (exemple : 2026-05-04T10:00:00+02:00).`);
    return 1;
  }
  const limit = options.limit ? Number(options.limit) : 5;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    io.err('--limit doit être un nombre entier entre 1 et 100.');
    return 1;
  }
  const geo = getGeocoder().geocode(where);
  if (!geo.point || geo.ambiguous) {
    io.err(describeGeocodeProblem(geo));
    return 1;
  }
  const { directory, merged } = await loadDirectory(store.kv, starterPlaces(locateByCommune));
  if (!merged.national && !merged.local) io.err(`(Aucun lieu importé ni synchronisé : l'annuaire de départ de ${merged.starters} lieux est utilisé.)`);
  const results = directory.near(geo.point, {
    ...(support ? { support } : {}),
    ...(programmes?.length ? { programmes } : {}),
    ...(specificNeeds.length ? { specific: specificNeeds } : {}),
    openNow: !!options.openNow,
    limit,
    at,
    lang: options.lang ?? 'fr',
  });
  const label = geo.kind === 'coordinates' ? `${geo.point.lat.toFixed(4)}, ${geo.point.lon.toFixed(4)}` : `${geo.matches[0]?.nom ?? where} (${geo.matches[0]?.postcode ?? ''})`;
  if (options.json) {
    io.out(JSON.stringify({ where: { query: where, ...geo.point, label, kind: geo.kind }, at: at.toISOString(), results }, null, 2));
    return 0;
  }
  if (!results.length) {
    io.out(`Aucun lieu d'aide trouvé près de ${label}${options.openNow ? ' qui soit ouvert maintenant' : ''}.`);
    return 0;
  }
  io.out(`Lieux d'aide près de ${label} :\n`);
  io.out(results.map((r, i) => formatResult(r, i + 1)).join('\n\n'));
  return 0;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Registers `ariane places import`, `ariane places sync` and `ariane places near`. */
export function registerPlacesCommand(program: Command): void {
  const places = program.command('places').description("Lieux d'aide : importer ou synchroniser l'annuaire, chercher les plus proches.");
  places
    .command('import <file>')
    .description("Importer des lieux (CSV ou JSON du standard national des lieux de médiation numérique, ou liste France Services). Réimporter met à jour sans doublon.")
    .option('--format <format>', 'standard (par défaut) ou france-services')
    .option('--date <AAAA-MM-JJ>', 'date de mise à jour pour les fichiers qui n’en ont pas (France Services)')
    .option('--data-dir <dir>', 'dossier des données (par défaut ARIANE_DATA_DIR ou ./var)')
    .option('--all', 'afficher toutes les remarques')
    .option('--json', 'rapport complet en JSON')
    .action(async (file: string, opts: { format?: string; date?: string; dataDir?: string; all?: boolean; json?: boolean }) => {
      const store = await openCliStore(opts.dataDir);
      try {
        process.exitCode = await runPlacesImport(file, opts, store);
      } finally {
        await store.close();
      }
    });
  places
    .command('sync')
    .description("Synchroniser l'annuaire national (jeu « Lieux de médiation numérique » de data.gouv.fr, CSV ou JSON) : téléchargement, vérification ligne par ligne, remplacement de tout l'ensemble d'un coup. Un fichier refusé laisse l'annuaire en place.")
    .option('--url <url>', 'adresse du fichier (par défaut ARIANE_PLACES_URL)')
    .option('--min <n>', 'nombre minimal de lieux valides pour accepter le fichier (1000 par défaut ; moins pour un fichier régional)')
    .option('--data-dir <dir>', 'dossier des données (par défaut ARIANE_DATA_DIR ou ./var)')
    .option('--all', 'afficher toutes les remarques')
    .option('--json', 'rapport complet en JSON')
    .action(async (opts: { url?: string; min?: string; dataDir?: string; all?: boolean; json?: boolean }) => {
      const url = opts.url ?? loadConfig(process.env, { dotenv: false }).placesUrl;
      const store = await openCliStore(opts.dataDir);
      try {
        process.exitCode = await runPlacesSync(url, opts, store);
      } finally {
        await store.close();
      }
    });
  places
    .command('near <where...>')
    .description('Les lieux d’aide les plus proches d’un code postal, d’une commune ou de « latitude,longitude ».')
    .option('--service <service>', 'service demandé (répétable), ex. « Aide aux démarches administratives »', collect)
    .option('--programme <dispositif>', 'seulement ce dispositif (répétable), ex. « France Services », « Aidants Connect »', collect)
    .option('--specific <prise en charge>', 'prise en charge spécifique exigée (répétable), ex. « Surdité »', collect)
    .option('--free', 'seulement des lieux gratuits')
    .option('--open-now', 'seulement les lieux ouverts maintenant')
    .option('--at <date>', 'calculer les horaires à cet instant (ISO 8601) au lieu de maintenant')
    .option('--limit <n>', 'nombre de lieux (5 par défaut)')
    .option('--lang <lang>', 'langue des horaires (fr par défaut)')
    .option('--data-dir <dir>', 'dossier des données (par défaut ARIANE_DATA_DIR ou ./var)')
    .option('--json', 'résultat en JSON')
    // Coordinates may start with a dash (-21.1,55.5): unknown options are read as words, then checked.
    .allowUnknownOption()
    .action(async (where: string[], opts: Parameters<typeof runPlacesNear>[1] & { dataDir?: string }) => {
      const words = placeWords(where);
      if ('error' in words) {
        console.error(words.error);
        process.exitCode = 1;
        return;
      }
      const store = await openCliStore(opts.dataDir);
      try {
        process.exitCode = await runPlacesNear(words.words.join(' '), opts, store);
      } finally {
        await store.close();
      }
    });
}
