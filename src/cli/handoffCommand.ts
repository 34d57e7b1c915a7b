/** `ariane handoff <code>`: a mediator reads a handoff summary ("fiche de liaison"). */
import type { Command } from 'commander';
import { readHandoff, renderHandoff, type HandoffFormat } from '../handoff';
import { placesText } from '../places';
import type { Store } from '../store';
import { openCliStore, type CliIo } from './placesCommand';

const stdIo: CliIo = { out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`), err: (l) => console.error(l) };

/** Prints the summary; returns the exit code (1 when the code is unknown or expired). */
export async function runHandoff(code: string, options: { format?: string; lang?: string }, store: Store, io: CliIo = stdIo, now = new Date()): Promise<number> {
  const format = (options.format ?? 'text') as HandoffFormat;
  if (!['text', 'md', 'html'].includes(format)) {
    io.err(`Format inconnu : « ${options.format} » (text, md ou html).`);
    return 1;
  }
  const lang = options.lang ?? 'fr';
  const summary = await readHandoff(store.kv, code, now);
  if (!summary) {
    io.err(placesText(lang, 'handoff.not_found', { code }));
    return 1;
  }
  io.out(renderHandoff(summary, lang, format));
  return 0;
}

/** Registers `ariane handoff <code> [--format text|md|html] [--lang fr|en]`. */
export function registerHandoffCommand(program: Command): void {
  program
    .command('handoff <code>')
    .description('Lire une fiche de liaison (code donné par la personne, ex. K7P-4QX).')
    .option('--format <format>', 'text (par défaut), md ou html')
    .option('--lang <lang>', 'langue des titres (fr par défaut)')
    .option('--data-dir <dir>', 'dossier des données (par défaut ARIANE_DATA_DIR ou ./var)')
    .action(async (code: string, opts: { format?: string; lang?: string; dataDir?: string }) => {
      const store = await openCliStore(opts.dataDir);
      try {
        process.exitCode = await runHandoff(code, opts, store);
      } finally {
        await store.close();
      }
    });
}
