import type { Command } from 'commander';
import { toChecklist } from '../render';
import { loadOneFlow, type RenderIo } from './graphCommand';

export interface ChecklistCommandOptions {
  flows?: string;
  lang?: string;
  format?: string;
}

/**
 * `ariane checklist`: writes the flow as a mediator's checklist (Markdown or printable HTML);
 * returns the exit code: 2 for a bad option, 1 when the flow cannot be loaded.
 */
export function runChecklist(flowId: string, options: ChecklistCommandOptions, io: RenderIo): number {
  const format = options.format ?? 'md';
  if (format !== 'md' && format !== 'html') {
    io.err(`--format : « ${format} » inconnu (écrivez md ou html)`);
    return 2;
  }
  const flow = loadOneFlow(flowId, options.flows ?? 'flows', io.err);
  if (!flow) return 1;
  const lang = options.lang ?? 'fr';
  if (!flow.languages.includes(lang)) {
    io.err(`Attention : le parcours « ${flowId} » n'est pas traduit en « ${lang} » (langues : ${flow.languages.join(', ')}) ; les textes manquants sont en français.`);
  }
  io.out(toChecklist(flow, { lang, format }));
  return 0;
}

/** Registers `ariane checklist <flow-id> [--lang xx] [--format md|html] [--flows dir]`. */
export function registerChecklistCommand(program: Command): void {
  program
    .command('checklist')
    .description('Écrit un parcours sous forme de fiche à cocher pour le médiateur (Markdown ou page HTML imprimable).')
    .argument('<flow-id>', 'identifiant du parcours, par exemple caf-attestation')
    .option('--flows <dir>', 'dossier des parcours', 'flows')
    .option('--lang <lang>', 'langue des textes (fr par défaut)', 'fr')
    .option('--format <format>', 'md (Markdown) ou html (page imprimable)', 'md')
    .action((flowId: string, opts: ChecklistCommandOptions) => {
      const code = runChecklist(flowId, opts, { out: (t) => process.stdout.write(t), err: (l) => process.stderr.write(`${l}\n`) });
      if (code !== 0) process.exitCode = code;
    });
}
