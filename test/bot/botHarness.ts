/**
 * Shared set-up for bot tests: the real flows, engine, lexicons and translations, a MemoryStore
 * for the conversation state, and a botbuilder TestAdapter to play transcripts.
 */
import { ActivityTypes, TestAdapter, type Activity } from 'botbuilder';
import pino from 'pino';
import { ArianeBot } from '../../src/bot';
import { type ArianeBotOptions, type BotEngine } from '../../src/bot/ArianeBot';
import { DEFAULT_FEATURED_FLOWS } from '../../src/config/loadConfig';
import { buildCatalog, converse, type Catalog } from '../../src/engine';
import { loadFlowDirectory, loadScenarioFile } from '../../src/flow';
import { loadLexicons, translate } from '../../src/i18n';
import { MemoryStore, type KeyValueStore } from '../../src/store';
import { join } from 'node:path';

let catalogCache: Catalog | undefined;

/** The project's flows as the service loads them. */
export function projectCatalog(): Catalog {
  if (!catalogCache) {
    const set = loadFlowDirectory(join(__dirname, '..', '..', 'flows'));
    if (!set.ok) throw new Error('project flows have errors');
    catalogCache = buildCatalog(set.flows, loadLexicons(), DEFAULT_FEATURED_FLOWS);
  }
  return catalogCache;
}

export const realEngine: BotEngine = { converse };
export const silentLogger = pino({ level: 'silent' });

export interface Harness {
  adapter: TestAdapter;
  bot: ArianeBot;
  store: MemoryStore;
  /** The key-value store the bot keeps its state in (the store's, unless a test gave another). */
  kv: KeyValueStore;
  /** Sends one activity (text, or a partial activity) and returns the bot's replies to it. */
  turn(activity: string | Partial<Activity>): Promise<Array<Partial<Activity>>>;
  /** Clicks a button: a message carrying the stable value, as Web Chat's messageBack sends it. */
  click(value: string, label?: string): Promise<Array<Partial<Activity>>>;
  /** The conversation start (the person joins): returns the welcome. */
  join(locale?: string): Promise<Array<Partial<Activity>>>;
}

export function makeHarness(
  options: {
    engine?: BotEngine;
    /** Another key-value store for the state than `store.kv` (a failing or racing one). */
    kv?: KeyValueStore;
    logger?: pino.Logger;
    summarize?: ArianeBotOptions['summarize'];
    engineEnv?: ArianeBotOptions['engineEnv'];
    /** The store behind the conversation state (to share it with places and summaries). */
    store?: MemoryStore;
    /** Another catalog than the project's flows (fixture flows), or a promise of it. */
    catalog?: () => Catalog | Promise<Catalog>;
  } = {},
): Harness {
  const store = options.store ?? new MemoryStore();
  const kv = options.kv ?? store.kv;
  const bot = new ArianeBot({
    engine: options.engine ?? realEngine,
    catalog: options.catalog ?? projectCatalog,
    kv,
    translate,
    logger: options.logger ?? silentLogger,
    // Fixture catalogs have the project's lexicons.
    languages: Object.keys(projectCatalog().lexicons),
    summarize: options.summarize,
    engineEnv: options.engineEnv,
  });
  const adapter = new TestAdapter((ctx) => bot.run(ctx));
  const turn = async (activity: string | Partial<Activity>) => {
    adapter.activeQueue.splice(0);
    await adapter.receiveActivity(activity);
    return adapter.activeQueue.splice(0);
  };
  return {
    adapter,
    bot,
    store,
    kv,
    turn,
    click: (value, label = value) => turn({ type: ActivityTypes.Message, text: label, value: { choice: value } }),
    join: (locale) =>
      turn({
        type: ActivityTypes.ConversationUpdate,
        locale,
        membersAdded: [{ id: 'user1', name: 'User' }],
      }),
  };
}

/** Texts of message replies, joined, for readable assertions. */
export function texts(replies: Array<Partial<Activity>>): string {
  return replies
    .filter((a) => a.type === ActivityTypes.Message)
    .map((a) => a.text ?? (a.attachments ?? []).map((x) => JSON.stringify(x.content ?? x.name ?? '')).join(' '))
    .join('\n');
}

/** Stable values of the suggested actions of the last reply that has some. */
export function buttonValues(replies: Array<Partial<Activity>>): string[] {
  const withActions = replies.filter((a) => a.suggestedActions).pop();
  return (withActions?.suggestedActions?.actions ?? []).map((a) => (a.value as { choice: string }).choice);
}

/** A sentence a person would type to ask for each core procedure. */
export const SENTENCES: Record<string, string> = {
  'caf-attestation': 'je voudrais mon attestation de la caf',
  'prefecture-rendez-vous': "il me faut un rendez-vous à la préfecture pour ma carte d'identité",
  'france-travail-inscription': "je veux m'inscrire à France Travail",
};

export type ScenarioAnswer = string | number | { choice: string };

/**
 * A French scenario of the flow's own scenario file (`flows/<id>.test.yaml`), kept up to date by the
 * flow's authors: the first one that ends (`end`) or the first that hands off (`handoff`).
 */
export function scenarioOf(flowId: string, kind: 'end' | 'handoff'): { name: string; answers: ScenarioAnswer[]; end?: string } {
  const loaded = loadScenarioFile(join(__dirname, '..', '..', 'flows', `${flowId}.test.yaml`), projectCatalog().flows);
  const found = loaded.scenarios?.scenarios.find((s) => (s.lang ?? 'fr') === 'fr' && (kind === 'end' ? s.end !== undefined : s.handoff !== undefined && s.handoff !== false));
  if (!found) throw new Error(`flows/${flowId}.test.yaml has no French scenario with ${kind}`);
  return { name: found.name, answers: found.answers as ScenarioAnswer[], end: found.end };
}
