import type { Command } from 'commander';
import { isPlaceName } from '../geo';
import { buildCatalog, classifyWith, CLOSE_RATIO, converse, initialState, MIN_PICK_SCORE, readRequest, resolveText, type Catalog, type EngineEnv, type Lang } from '../engine';
import { hasErrors, loadFlowDirectory } from '../flow';
import { loadLexicons } from '../i18n';
import { loadEmbeddedCatalogue, officialPages, officialWords } from '../sources';

/** What the conversation would do with the sentence, as `converse` decides at the start of a chat. */
export type MatchDecision =
  | { kind: 'start'; flowId: string }
  | { kind: 'which'; candidates: string[] }
  | { kind: 'confirm'; flowId: string }
  | { kind: 'official'; pages: string[] }
  | { kind: 'none' }
  | { kind: 'intent' };

/** One ranked flow, as printed (and as `--json` returns it). */
export interface MatchRow {
  flowId: string;
  score: number;
  title: string;
  /** False below the engine's threshold: such a flow is never started nor offered. */
  accepted: boolean;
  /** The sentence names the flow (a keyword of its own, a whole phrase): it may start without asking. */
  anchored: boolean;
}

/** The whole answer of `ariane match`. */
export interface MatchReport {
  sentence: string;
  lang: Lang;
  threshold: number;
  closeRatio: number;
  ranked: MatchRow[];
  /** How strongly the sentence speaks of a subject no flow knows. */
  other: number;
  /** What the classifier learnt from the example requests reads in it (best 3; `none`: no procedure). */
  learnt: Array<{ flowId: string; score: number }>;
  /** The conversation's language after the sentence (it follows a person writing another language). */
  langAfter: Lang;
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
export function matchSentence(catalog: Catalog, sentence: string, lang: Lang = 'fr', env: EngineEnv = {}): MatchReport {
  const reading = readRequest(catalog, sentence, lang, env.knownWord, env.isPlace);
  const ranked = reading.ranked.map((s) => {
    const flow = catalog.flows.get(s.flowId);
    return { flowId: s.flowId, score: s.score, title: flow ? resolveText(flow.title, lang) : s.flowId, accepted: s.score >= MIN_PICK_SCORE, anchored: s.anchored };
  });
  const { state, outputs } = converse(catalog, initialState(lang), { kind: 'text', text: sentence }, env);
  let decision: MatchDecision;
  const official = outputs.find((o) => o.kind === 'official');
  if (state.flowId && state.status !== 'choosing') decision = { kind: 'start', flowId: state.flowId };
  else if (state.candidates?.length) decision = { kind: 'which', candidates: [...state.candidates] };
  else if (state.offer?.kind === 'flow') decision = { kind: 'confirm', flowId: state.offer.flowId };
  else if (official?.kind === 'official') decision = { kind: 'official', pages: official.pages.map((p) => p.id) };
  else if (outputs.some((o) => o.kind === 'say' && 'key' in o.message && o.message.key === 'engine:pick.none')) decision = { kind: 'none' };
  else decision = { kind: 'intent' };
  const learnt = classifyWith(catalog, sentence)
    .slice(0, 3)
    .map((c) => ({ flowId: c.flowId, score: Math.round(c.score * 1000) / 1000 }));
  return { sentence, lang, threshold: MIN_PICK_SCORE, closeRatio: CLOSE_RATIO, ranked, other: reading.other, learnt, langAfter: state.lang, decision };
}

function describe(decision: MatchDecision): string {
  switch (decision.kind) {
    case 'start':
      return `démarre le parcours « ${decision.flowId} »`;
    case 'which':
      return `demande lequel : ${decision.candidates.join(', ')}`;
    case 'confirm':
      return `demande « Vous voulez dire : ${decision.flowId} ? » (la phrase évoque ce parcours sans le nommer)`;
    case 'official':
      return `ne reconnaît aucune démarche guidée ; montre les pages officielles ${decision.pages.join(', ')}, les démarches fréquentes et propose une aide humaine`;
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
    lines.push(`  ${String(i + 1).padStart(2)}. ${r.flowId.padEnd(width)}  ${r.score.toFixed(3).padStart(7)}  ${r.title}${r.anchored ? '  (nommé)' : ''}${r.accepted ? '' : '  (sous le seuil)'}`);
  });
  if (report.ranked.length > shown.length) lines.push(`  … ${report.ranked.length - shown.length} autre(s) (--all pour tout voir)`);
  lines.push(`  seuil : ${report.threshold} (en dessous, le parcours n'est jamais proposé) ; « proche » : au moins ${Math.round(report.closeRatio * 100)} % du meilleur score`);
  if (report.other > 0) lines.push(`  autre sujet : ${report.other} (mots qu'aucun parcours ne connaît, qui comptent contre chaque parcours)`);
  if (report.learnt.length) lines.push(`  d'après les exemples : ${report.learnt.map((c) => `${c.flowId} ${c.score.toFixed(2)}`).join(', ')} (none : aucune démarche)`);
  if (report.langAfter !== report.lang) lines.push(`  langue suivie : ${report.langAfter} (la phrase est écrite dans cette langue)`);
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
  const catalog = buildCatalog(set.flows, loadLexicons(), [], { examples: set.examples });
  // The official pages, as the service weighs them (the embedded snapshot; none when not built).
  let env: EngineEnv = { isPlace: isPlaceName };
  try {
    const official = loadEmbeddedCatalogue();
    env = { ...env, searchOfficial: officialPages(() => official), knownWord: officialWords(() => official) };
  } catch {
    io.err('Attention : le catalogue des pages officielles n’est pas construit (npm run build) ; elles ne sont pas prises en compte.');
  }
  const report = matchSentence(catalog, sentence, options.lang ?? 'fr', env);
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
