import type { Command } from 'commander';
import { closest, formatDiagnostic, loadFlowDirectory, type Flow } from '../flow';
import { toMermaid } from '../render';

/** Where the graph and checklist commands write: stdout for the result, stderr for problems. */
export interface RenderIo {
  out: (text: string) => void;
  err: (line: string) => void;
}

/**
 * Loads the flows of `dir` and returns the one called `flowId`, or writes why not (unknown id with
 * the closest one, or the file's own errors) and returns undefined. A flow with graph warnings is
 * still returned: drawing a half-finished flow is exactly what an admin wants while editing it.
 */
export function loadOneFlow(flowId: string, dir: string, err: RenderIo['err']): Flow | undefined {
  const set = loadFlowDirectory(dir);
  const flow = set.byId.get(flowId);
  if (flow) return flow;
  const own = set.diagnostics.filter((d) => d.file.replace(/\\/g, '/').endsWith(`/${flowId}.yaml`) || d.file === `${flowId}.yaml`);
  if (own.length > 0) {
    err(`Le parcours « ${flowId} » a des erreurs :`);
    for (const d of own) err(formatDiagnostic(d));
    return undefined;
  }
  const guess = closest(flowId, set.byId.keys());
  err(`Parcours inconnu : « ${flowId} » dans ${dir}${guess ? ` (vouliez-vous dire « ${guess} » ?)` : ''}`);
  return undefined;
}

export interface GraphOptions {
  flows?: string;
  lang?: string;
  /** Wrap the chart in a ```mermaid block, ready to paste into a Markdown page (GitLab, GitHub). */
  markdown?: boolean;
}

/** `ariane graph`: writes the flow as Mermaid; returns the exit code (1 when the flow cannot be loaded). */
export function runGraph(flowId: string, options: GraphOptions, io: RenderIo): number {
  const flow = loadOneFlow(flowId, options.flows ?? 'flows', io.err);
  if (!flow) return 1;
  const chart = toMermaid(flow, options.lang ?? 'fr');
  io.out(options.markdown ? `\`\`\`mermaid\n${chart}\`\`\`\n` : chart);
  return 0;
}

/** Registers `ariane graph <flow-id> [--flows dir] [--lang xx] [--markdown]`. */
export function registerGraphCommand(program: Command): void {
  program
    .command('graph')
    .description('Dessine un parcours en diagramme Mermaid (à coller dans un fichier .md, GitLab/GitHub ou mermaid.live).')
    .argument('<flow-id>', 'identifiant du parcours, par exemple caf-attestation')
    .option('--flows <dir>', 'dossier des parcours', 'flows')
    .option('--lang <lang>', 'langue des textes (fr par défaut)', 'fr')
    .option('--markdown', 'entourer le diagramme d’un bloc ```mermaid, à coller dans une page Markdown')
    .action((flowId: string, opts: GraphOptions) => {
      const code = runGraph(flowId, opts, { out: (t) => process.stdout.write(t), err: (l) => process.stderr.write(`${l}\n`) });
      if (code !== 0) process.exitCode = code;
    });
}
