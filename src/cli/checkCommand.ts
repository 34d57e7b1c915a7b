import type { Command } from 'commander';
import { formatDiagnostic, loadFlowFiles } from '../flow';

export interface CheckOptions {
  strict?: boolean;
  /** `YYYY-MM-DD`, for reproducible results (tests, CI); default: today. */
  today?: string;
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
  });
  for (const d of result.diagnostics) write(formatDiagnostic(d));
  return result.ok ? 0 : 1;
}

/** Registers `ariane check [paths...] [--strict]`. */
export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('Vérifie les parcours : une ligne par problème (fichier:ligne:colonne), code de sortie 1 s’il y a une erreur.')
    .argument('[paths...]', 'dossiers ou fichiers .yaml à vérifier (par défaut : flows)')
    .option('--strict', 'compter les avertissements comme des erreurs')
    .option('--today <date>', 'date du jour AAAA-MM-JJ pour le contrôle de « reviewed » (par défaut : aujourd’hui)')
    .action((paths: string[], opts: CheckOptions) => {
      const code = runCheck(paths, opts, (line) => process.stdout.write(`${line}\n`));
      if (code !== 0) process.exitCode = code;
    });
}
