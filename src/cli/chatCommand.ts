/**
 * `ariane chat [flow-id]`: talk to a flow in the terminal, to try an edit before publishing it. Uses
 * the same engine and texts as the bot; works with piped input (one answer per line).
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { buildCatalog, converse, initialState, type Catalog, type Lang, type Output, type StepResult } from '../engine';
import { closest, formatDiagnostic, loadFlowDirectory } from '../flow';
import { loadLexicons, translate, type Translator } from '../i18n';
import { starterFinder } from '../places';

/** The flows directory: `--flows`, else `./flows` when it exists, else the project's own. */
export function resolveFlowsDir(option?: string): string {
  if (option) return resolve(option);
  const local = resolve('flows');
  return existsSync(local) ? local : resolve(__dirname, '..', '..', 'flows');
}

/**
 * Loads a flows directory into an engine catalog, writing load problems to `warn` (a flow with
 * errors elsewhere in the directory should not stop an admin from trying the one they edit).
 */
export function loadCatalog(flowsDir: string, warn: (line: string) => void = () => {}): Catalog {
  const set = loadFlowDirectory(flowsDir);
  for (const d of set.diagnostics) if (d.severity === 'error') warn(formatDiagnostic(d));
  return buildCatalog(set.flows, loadLexicons(), [], { examples: set.examples });
}

/** Renders one turn's outputs as terminal lines: texts, numbered choices, links, checklists. */
export function renderText(outputs: readonly Output[], lang: Lang, t: Translator = translate): string[] {
  const lines: string[] = [];
  let current = lang;
  for (const o of outputs) {
    switch (o.kind) {
      case 'say':
        lines.push(t(o.message, current));
        break;
      case 'choices':
        o.choices.forEach((c, i) => lines.push(`  ${i + 1}. ${t(c.label, current)}`));
        break;
      case 'link':
        lines.push(`  🔗 ${t(o.label, current)} : ${o.url}`);
        break;
      case 'image':
        lines.push(`  [image : ${t(o.alt, current)}]`);
        break;
      case 'checklist':
        if (o.title) lines.push(t(o.title, current));
        for (const item of o.items) lines.push(`  ☐ ${t(item, current)}`);
        break;
      case 'end':
        lines.push(`[fin du parcours : ${o.flowId} / ${o.nodeId}]`);
        break;
      case 'handoff': {
        const services = o.support ? ` — ${[...o.support.services, ...(o.support.programmes ?? [])].join(', ')}` : '';
        const detail = o.detail ? ` — ${t(o.detail, current)}` : '';
        lines.push(`[relais vers une personne : ${o.reason}${detail}${services}]`);
        break;
      }
      case 'language':
        current = o.lang;
        lines.push(`[langue : ${o.lang}]`);
        break;
      case 'official':
        for (const p of o.pages) lines.push(`  📄 ${p.title}${p.description ? ` — ${p.description}` : ''} : ${p.url}`);
        break;
      case 'contact': {
        const details = [o.cost, o.hours].filter(Boolean).join(', ');
        lines.push(`  ☎ ${o.label}${o.phone ? ` : ${o.phone}` : ''}${details ? ` (${details})` : ''}${o.url ? ` — ${o.url}` : ''}`);
        break;
      }
      case 'places':
        // As on the bot's cards: the opening status and the phone first, the date of the information last.
        for (const p of o.places) {
          const phone = p.phone ? ` — ☎ ${p.phone.text}` : '';
          lines.push(`  📍 ${p.name} — ${p.status}${phone} — ${p.address} (${p.distanceKm.toFixed(1).replace('.', ',')} km)`);
          if (p.itinerant) lines.push(`     ${t({ key: 'places:result.itinerant' }, current)}`);
          if (p.updatedText) lines.push(`     ${p.updatedText}`);
        }
        break;
    }
  }
  return lines;
}

export interface ChatOptions {
  lang?: string;
  flows?: string;
}

/**
 * Runs a terminal conversation. Starts in `flowId` (or on the welcome without one), reads one answer
 * per line from `input`, stops at an end, at a handoff the help dialogue has nothing more to ask
 * about, or at end of input. The help dialogue searches the starter directory shipped with the
 * project (no store needed). Returns the exit code: 0, or 1 when the flow does not exist.
 */
export async function runChat(flowId: string | undefined, options: ChatOptions, input: Readable, write: (line: string) => void, catalog?: Catalog): Promise<number> {
  const cat = catalog ?? loadCatalog(resolveFlowsDir(options.flows), (l) => write(l));
  if (flowId && !cat.flows.has(flowId)) {
    const guess = closest(flowId, cat.flows.keys());
    write(`Aucun parcours « ${flowId} »${guess ? ` : vouliez-vous dire « ${guess} » ?` : '.'}`);
    return 1;
  }
  const env = () => ({ findHelp: starterFinder(new Date()) });
  let res: StepResult = converse(cat, initialState(options.lang ?? 'fr'), flowId ? { kind: 'flow', flowId } : { kind: 'start' }, env());
  const show = (r: StepResult, lang: Lang) => {
    for (const l of renderText(r.outputs, lang)) write(l);
  };
  show(res, options.lang ?? 'fr');
  // A handoff followed by "where are you?" (or places to choose from) goes on: that dialogue is part of the conversation.
  const over = (r: StepResult) => r.state.status === 'ended' || (r.state.status === 'handoff' && r.outputs.some((o) => o.kind === 'handoff') && !r.state.help?.asking && !r.outputs.some((o) => o.kind === 'places'));
  if (over(res)) return 0;
  const rl = createInterface({ input, terminal: false });
  try {
    for await (const line of rl) {
      const text = line.trim();
      if (!text) continue;
      // Piped answers are echoed so that the transcript reads like a conversation; typed ones are already on screen.
      if (!(input as { isTTY?: boolean }).isTTY) write(`> ${text}`);
      const lang = res.state.lang;
      res = converse(cat, res.state, { kind: 'text', text }, env());
      show(res, lang);
      if (over(res)) break;
    }
  } finally {
    rl.close();
  }
  return 0;
}

/** `ariane chat … | head`: a reader that stops early is not an error worth a stack trace. */
export function quietOnClosedPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/** Registers `ariane chat [flow-id] [--lang en] [--flows dir]`. */
export function registerChatCommand(program: Command): void {
  program
    .command('chat')
    .description('Discuter avec un parcours dans le terminal (une réponse par ligne ; fonctionne aussi avec une entrée redirigée).')
    .argument('[flow-id]', 'le parcours (sans lui : l’accueil, pour essayer le choix de la démarche)')
    .option('--lang <lang>', 'langue de la conversation (fr, en, ar, fr-facile…)', 'fr')
    .option('--flows <dir>', 'dossier des parcours (par défaut : flows)')
    .action(async (flowId: string | undefined, opts: ChatOptions) => {
      quietOnClosedPipe();
      const code = await runChat(flowId, opts, process.stdin, (line) => process.stdout.write(`${line}\n`));
      if (code !== 0) process.exitCode = code;
    });
}
