import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { formatDiagnostic, loadFlowFiles, type FicheLookup } from '../flow';
import { loadEmbeddedCatalogue, loadStoredCatalogue, type Catalogue } from '../sources';
import { createStore } from '../store';

export interface CheckOptions {
  strict?: boolean;
  /** `YYYY-MM-DD`, for reproducible results (tests, CI); default: today. */
  today?: string;
  /** The catalogue to check fiche citations against (the CLI passes the one in use). */
  fiches?: FicheLookup;
}

/**
 * The catalogue `ariane check` checks citations against: the service's synced one when its store
 * exists (a check never creates a database), else the embedded snapshot. Undefined, with a note on
 * `note`, when neither can be read: the flows are then checked without their fiches.
 */
export async function checkCatalogue(note: (line: string) => void, dataDir?: string): Promise<Catalogue | undefined> {
  const config = loadConfig(process.env, { dotenv: false });
  const dir = dataDir ? path.resolve(dataDir) : config.dataDir;
  if (config.databaseUrl || existsSync(path.join(dir, 'ariane.db'))) {
    try {
      const store = await createStore({ dataDir: dir, ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) });
      try {
        const stored = await loadStoredCatalogue(store.kv);
        if (stored) return stored.catalogue;
      } finally {
        await store.close();
      }
    } catch (err) {
      note(`(Catalogue des fiches : stockage illisible, catalogue embarqué utilisé : ${err instanceof Error ? err.message : String(err)})`);
    }
  }
  try {
    return loadEmbeddedCatalogue();
  } catch (err) {
    note(`(Fiches service-public non vérifiées : ${err instanceof Error ? err.message : String(err)})`);
    return undefined;
  }
}

/**
 * `ariane check`: loads and checks flow files (and the shape of scenario files), writes one line per
 * problem, and returns the exit code: 1 when there is any error (warnings too with `strict`), else 0.
 * Writes nothing when everything is clean, so that it reads well in CI logs and git hooks.
 */
export function runCheck(paths: readonly string[], options: CheckOptions, write: (line: string) => void): number {
  if (options.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.today)) {
    write(`--today : date invalide « ${options.today} » (écrivez AAAA-MM-JJ)`);
    return 2;
  }
  const result = loadFlowFiles(paths.length > 0 ? paths : ['flows'], {
    strict: options.strict ?? false,
    checkScenarios: true,
    ...(options.today ? { today: options.today } : {}),
    ...(options.fiches ? { fiches: options.fiches } : {}),
  });
  for (const d of result.diagnostics) write(formatDiagnostic(d));
  return result.ok ? 0 : 1;
}

/** Registers `ariane check [paths...] [--strict]`. */
export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('Vérifie les parcours et les fiches service-public qu’ils citent : une ligne par problème (fichier:ligne:colonne), code de sortie 1 s’il y a une erreur.')
    .argument('[paths...]', 'dossiers ou fichiers .yaml à vérifier (par défaut : flows)')
    .option('--strict', 'compter les avertissements comme des erreurs')
    .option('--today <date>', 'date du jour AAAA-MM-JJ pour le contrôle de « reviewed » (par défaut : aujourd’hui)')
    .option('--data-dir <dir>', 'dossier des données, pour le catalogue des fiches synchronisé (par défaut ARIANE_DATA_DIR ou ./var)')
    .action(async (paths: string[], opts: CheckOptions & { dataDir?: string }) => {
      const catalogue = await checkCatalogue((line) => process.stderr.write(`${line}\n`), opts.dataDir);
      const code = runCheck(paths, { ...opts, ...(catalogue ? { fiches: catalogue.lookup() } : {}) }, (line) => process.stdout.write(`${line}\n`));
      if (code !== 0) process.exitCode = code;
    });
}
