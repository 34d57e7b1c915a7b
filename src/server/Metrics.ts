/**
 * Prometheus metrics (`GET /metrics`): counters and histograms only, never text or identifiers.
 * One registry per service instance (tests start several in one process).
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Channels a turn can come from. */
export type TurnChannel = 'directline' | 'api' | string;

export class Metrics {
  readonly registry = new Registry();
  private readonly turns: Counter<'channel'>;
  private readonly turnSeconds: Histogram<'channel'>;
  private readonly escalations: Counter<'reason'>;
  private readonly errors: Counter<'kind'>;
  private readonly storeSeconds: Histogram<'op'>;
  private readonly http: Counter<'route' | 'status'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.turns = new Counter({ name: 'ariane_turns_total', help: 'Conversation turns run by the bot.', labelNames: ['channel'], registers });
    this.turnSeconds = new Histogram({
      name: 'ariane_turn_duration_seconds',
      help: 'Time to run one turn: state read, engine, state write, replies stored.',
      labelNames: ['channel'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.escalations = new Counter({ name: 'ariane_escalations_total', help: 'Handoffs to a human, by reason.', labelNames: ['reason'], registers });
    this.errors = new Counter({ name: 'ariane_errors_total', help: 'Errors by kind (turn, store, request).', labelNames: ['kind'], registers });
    this.storeSeconds = new Histogram({
      name: 'ariane_store_operation_seconds',
      help: 'Store operation latency.',
      labelNames: ['op'],
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers,
    });
    this.http = new Counter({ name: 'ariane_http_responses_total', help: 'HTTP responses by route and status class.', labelNames: ['route', 'status'], registers });
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'ariane_' });
  }

  turn(channel: TurnChannel, seconds: number): void {
    this.turns.inc({ channel });
    this.turnSeconds.observe({ channel }, seconds);
  }

  escalation(reason: string): void {
    this.escalations.inc({ reason });
  }

  error(kind: string): void {
    this.errors.inc({ kind });
  }

  response(route: string, status: number): void {
    this.http.inc({ route, status: `${Math.floor(status / 100)}xx` });
  }

  /**
   * One store call, as `observeStore` reports it (`op` like `kv.get`, `commitTurn`): its duration,
   * and a store error (a lost race, `conflict`, is not one).
   */
  storeOperation(op: string, milliseconds: number, outcome: 'ok' | 'conflict' | 'error'): void {
    this.storeSeconds.observe({ op }, milliseconds / 1000);
    if (outcome === 'error') this.errors.inc({ kind: 'store' });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
