import type { Command } from 'commander';
import { buildCatalog, CLOSE_RATIO, converse, initialState, MIN_PICK_SCORE, pickFlow, resolveText, type Catalog, type Lang } from '../engine';
import { hasErrors, loadFlowDirectory } from '../flow';
import { loadLexicons } from '../i18n';

/** What the conversation would do with the sentence, as `converse` decides at the start of a chat. */
export type MatchDecision =
  | { kind: 'start'; flowId: string }
  | { kind: 'which'; candidates: string[] }
  | { kind: 'none' }
  | { kind: 'intent' };

/** One ranked flow, as printed (and as `--json` returns it). */
export interface MatchRow {
  flowId: string;
  score: number;
  title: string;
  /** False below the engine's threshold: such a flow is never started nor offered. */
  accepted: boolean;
}

/** The whole answer of `ariane match`. */
export interface MatchReport {
  sentence: string;
  lang: Lang;
  threshold: number;
  closeRatio: number;
  ranked: MatchRow[];
  decision: MatchDecision;
}

export interface MatchIo {
  out: (text: string) => void;
  err: (line: string) => void;
}

/**
 * Ranks the catalog's flows for a sentence with the engine's own `pickFlow`, and says what a new
 * conversation would do with it. Admins use it to see why a sentence goes (or does not go) to a
 * flow before and after editing keywords; `converse` is asked rather than re-implemented, so the
 * decision shown is the one residents get.
 */
export function matchSentence(catalog: Catalog, sentence: string, lang: Lang = 'fr'): MatchReport {
  const ranked = pickFlow(catalog, sentence, lang).map((s) => {
    const flow = catalog.flows.get(s.flowId);
    return { flowId: s.flowId, score: s.score, title: flow ? resolveText(flow.title, lang) : s.flowId, accepted: s.score >= MIN_PICK_SCORE };
  });
  const { state, outputs } = converse(catalog, initialState(lang), { kind: 'text', text: sentence });
  let decision: MatchDecision;
  if (state.flowId && state.status !== 'choosing') decision = { kind: 'start', flowId: state.flowId };
  else if (state.candidates?.length) decision = { kind: 'which', candidates: [...state.candidates] };
  else if (outputs.some((o) => o.kind === 'handoff' && o.reason === 'no-match')) decision = { kind: 'none' };
  else decision = { kind: 'intent' };
  return { sentence, lang, threshold: MIN_PICK_SCORE, closeRatio: CLOSE_RATIO, ranked, decision };
}

function describe(decision: MatchDecision): string {
  switch (decision.kind) {
    case 'start':
      return `démarre le parcours « ${decision.flowId} »`;
    case 'which':
      return `demande lequel : ${decision.candidates.join(', ')}`;
    case 'none':
      return 'ne reconnaît aucune démarche (montre les démarches fréquentes et propose une aide humaine)';
    case 'intent':
      return 'comprend une demande générale (aide, langue, retour…), pas une démarche';
  }
}

/** The report as text for a terminal: one line per flow, best first, then the decision. */
export function formatMatch(report: MatchReport, limit: number): string {
  const lines = [`« ${report.sentence} » (${report.lang})`];
  if (report.ranked.length === 0) lines.push('  aucun parcours ne partage un mot avec cette phrase');
  const shown = report.ranked.slice(0, limit);
  const width = Math.max(0, ...shown.map((r) => r.flowId.length));
  shown.forEach((r, i) => {
    lines.push(`  ${String(i + 1).padStart(2)}. ${r.flowId.padEnd(width)}  ${r.score.toFixed(3).padStart(7)}  ${r.title}${r.accepted ? '' : '  (sous le seuil)'}`);
  });
  if (report.ranked.length > shown.length) lines.push(`  … ${report.ranked.length - shown.length} autre(s) (--all pour tout voir)`);
  lines.push(`  seuil : ${report.threshold} (en dessous, le parcours n'est jamais proposé) ; « proche » : au moins ${Math.round(report.closeRatio * 100)} % du meilleur score`);
  lines.push(`Décision : ${describe(report.decision)}`);
  return `${lines.join('\n')}\n`;
}

/** `ariane match`: returns the exit code (1 when no flow could be loaded or the sentence is empty). */
export function runMatch(words: string[], options: { lang?: string; json?: boolean; flows?: string; all?: boolean }, io: MatchIo): number {
  const sentence = words.join(' ').trim();
  if (!sentence) {
    io.err('Donnez une phrase, par exemple : ariane match "jveu mon attestation caf"');
    return 1;
  }
  const dir = options.flows ?? 'flows';
  const set = loadFlowDirectory(dir);
  if (set.flows.length === 0) {
    io.err(`Aucun parcours chargé depuis ${dir}${hasErrors(set.diagnostics) ? ' (lancez « ariane check » pour voir les erreurs)' : ''}`);
    return 1;
  }
  // Flows with errors are still ranked: an admin tunes keywords of a flow under construction too.
  if (hasErrors(set.diagnostics)) io.err(`Attention : des parcours de ${dir} ont des erreurs (ariane check) ; ils sont quand même classés.`);
  const catalog = buildCatalog(set.flows, loadLexicons());
  const report = matchSentence(catalog, sentence, options.lang ?? 'fr');
  io.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatMatch(report, options.all ? Infinity : 10));
  return 0;
}

/** Registers `ariane match <sentence…> [--lang xx] [--json] [--flows dir] [--all]`. */
export function registerMatchCommand(program: Command): void {
  program
    .command('match')
    .description('Classe les parcours pour une phrase, avec leurs scores, et dit ce que ferait la conversation (pour régler les mots-clés).')
    .argument('<sentence...>', 'la phrase, telle qu’une personne l’écrirait (les guillemets sont facultatifs)')
    .option('--lang <lang>', 'langue de la conversation (fr par défaut)', 'fr')
    .option('--json', 'résultat en JSON (pour des scripts)')
    .option('--flows <dir>', 'dossier des parcours', 'flows')
    .option('--all', 'afficher tous les parcours classés, pas seulement les 10 premiers')
    .action((words: string[], opts: { lang: string; json?: boolean; flows: string; all?: boolean }) => {
      const code = runMatch(words, opts, { out: (t) => process.stdout.write(t), err: (l) => process.stderr.write(`${l}\n`) });
      if (code !== 0) process.exitCode = code;
    });
}
