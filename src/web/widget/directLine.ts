/**
 * A small Direct Line 3.0 client for the residents' widget (browser code, bundled by esbuild).
 *
 * Why our own instead of botframework-directlinejs: that client pulls RxJS and weighs more than the
 * whole widget may (60 KB gzipped, for old phones on small data plans). This one only polls, which is
 * all our self-hosted channel needs.
 *
 * Guarantees it keeps:
 * - every outgoing message carries a `channelData.clientActivityID`; it stays in `pending` (saved in
 *   sessionStorage) until the server acknowledged it, and is re-sent with the SAME id after a network
 *   loss or a reload — the server processes a repeated id once, so nothing is lost or doubled;
 * - incoming activities are de-duplicated by `id`, so a retried poll or a reload never shows a message
 *   twice;
 * - the conversation (id, token, watermark) lives in sessionStorage, i.e. only in this browser tab: a
 *   reload resumes it, closing the tab or "Quitter et effacer" forgets it.
 */

/** The parts of a Bot Framework activity the widget reads or writes. */
export interface Activity {
  id?: string;
  type: string;
  from?: { id: string; role?: string; name?: string };
  text?: string;
  value?: unknown;
  name?: string;
  locale?: string;
  timestamp?: string;
  replyToId?: string;
  channelData?: Record<string, unknown>;
  suggestedActions?: { actions?: CardAction[] };
  attachments?: Attachment[];
  attachmentLayout?: string;
  textFormat?: string;
  speak?: string;
}

/** A button of a suggested action or a card. */
export interface CardAction {
  type: string;
  title?: string;
  value?: unknown;
  text?: string;
  displayText?: string;
}

/** An attachment; the widget renders hero cards and ignores other kinds it cannot show. */
export interface Attachment {
  contentType: string;
  content?: unknown;
  contentUrl?: string;
  name?: string;
}

/** Connection status shown to the person. */
export type Status = 'connecting' | 'online' | 'offline' | 'ended' | 'failed';

interface PendingPost {
  clientActivityID: string;
  activity: Activity;
}

/** What survives a reload of the tab. */
export interface SavedSession {
  conversationId: string;
  token: string;
  userId: string;
  watermark?: string;
  /** Epoch ms when the token should be refreshed. */
  refreshAt: number;
  pending: PendingPost[];
}

export interface DirectLineOptions {
  /** e.g. `https://ariane.example/v3/directline` */
  domain: string;
  /** sessionStorage, or null when the browser refuses it (private mode of some old browsers). */
  storage: Storage | null;
  storageKey: string;
  /** The language the welcome should be in (sent when the conversation starts). */
  locale?: () => string;
  onActivity(activity: Activity): void;
  onStatus(status: Status): void;
  /** A message the server refused for good (e.g. 400): it will not be sent again. */
  onRefused?(clientActivityID: string): void;
  /** Polling interval when idle, ms. */
  pollMs?: number;
}

const RETRY_MAX_MS = 15000;

/** A random id; `crypto.randomUUID` is missing from browsers older than 2021–2022. */
export function randomId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c && typeof c.getRandomValues === 'function') {
    const b = new Uint8Array(16);
    c.getRandomValues(b);
    return Array.from(b, (x) => (x < 16 ? '0' : '') + x.toString(16)).join('');
  }
  return Math.random().toString(36).slice(2) + Date.now().toString(36);
}

class HttpError extends Error {
  constructor(public readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** Polling Direct Line client; see the file comment for its guarantees. */
export class DirectLineClient {
  private session: SavedSession | undefined;
  private readonly seen = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private polling = false;
  private stopped = false;
  private failures = 0;
  /** Until when polls run fast (just after the person sent something, replies are expected). */
  private fastUntil = 0;
  private flushing = false;
  private status: Status | undefined;

  constructor(private readonly opts: DirectLineOptions) {
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', () => {
        if (!document.hidden && this.session && !this.stopped && !this.polling) this.schedule(0);
      });
    }
  }

  /** True when a conversation was saved in this tab (a reload can resume it). */
  hasSavedSession(): boolean {
    return this.load() !== undefined;
  }

  /** Resumes the tab's conversation, or starts a new one. Resolves once connected (or failed). */
  async start(): Promise<void> {
    this.stopped = false;
    this.setStatus('connecting');
    const saved = this.load();
    try {
      if (saved) {
        this.session = saved;
        // Reconnect: checks the conversation still exists (it may have been purged).
        const res = await this.call('GET', `/conversations/${encodeURIComponent(saved.conversationId)}?watermark=${encodeURIComponent(saved.watermark ?? '')}`);
        this.absorbToken(res);
        // The transcript is not kept in the browser: fetch it again from the start, once.
        this.session.watermark = undefined;
      } else {
        await this.open();
      }
    } catch (err) {
      if (saved && err instanceof HttpError && (err.status === 403 || err.status === 404 || err.status === 401)) {
        // The saved conversation is gone or its token expired for good: start afresh.
        this.wipeStorage();
        this.session = undefined;
        await this.start();
        return;
      }
      this.setStatus('offline');
      this.schedule(this.backoff());
      return;
    }
    this.setStatus('online');
    this.save();
    void this.flush();
    this.schedule(0);
  }

  private async open(): Promise<void> {
    const gen = (await this.call('POST', '/tokens/generate', undefined, false)) as { token?: string; conversationId?: string; expires_in?: number } | undefined;
    if (!gen || typeof gen.token !== 'string') throw new HttpError(502);
    this.session = { conversationId: gen.conversationId ?? '', token: gen.token, userId: userIdFromToken(gen.token) ?? 'dl_' + randomId(), refreshAt: refreshTime(gen.expires_in), pending: [] };
    const conv = (await this.call('POST', '/conversations', { locale: this.opts.locale?.() ?? 'fr' })) as { conversationId?: string; token?: string; expires_in?: number } | undefined;
    if (!conv || typeof conv.conversationId !== 'string') throw new HttpError(502);
    this.session.conversationId = conv.conversationId;
    this.absorbToken(conv);
  }

  /**
   * Queues an activity and sends it (retrying with the same clientActivityID until acknowledged).
   * Returns the clientActivityID so the UI can show the message at once and match its echo later.
   */
  send(activity: Activity): string {
    const clientActivityID = randomId();
    const full: Activity = {
      ...activity,
      from: { id: this.session?.userId ?? 'user', role: 'user' },
      channelData: { ...(activity.channelData ?? {}), clientActivityID },
    };
    if (this.session) {
      this.session.pending.push({ clientActivityID, activity: full });
      this.save();
    }
    this.fastUntil = Date.now() + 8000;
    void this.flush();
    return clientActivityID;
  }

  /** Activities queued but not yet acknowledged by the server (shown as "sending"). */
  pending(): Activity[] {
    return this.session ? this.session.pending.map((p) => p.activity) : [];
  }

  private async flush(): Promise<void> {
    if (this.flushing || !this.session || this.stopped) return;
    this.flushing = true;
    try {
      while (this.session && this.session.pending.length > 0 && !this.stopped) {
        const first = this.session.pending[0]!;
        try {
          await this.call('POST', `/conversations/${encodeURIComponent(this.session.conversationId)}/activities`, first.activity);
        } catch (err) {
          if (err instanceof HttpError && err.status >= 400 && err.status < 500 && err.status !== 403 && err.status !== 429 && err.status !== 408) {
            // Refused for good (e.g. too long): drop it rather than block every later message.
            this.session.pending.shift();
            this.save();
            this.opts.onRefused?.(first.clientActivityID);
            continue;
          }
          this.setStatus('offline');
          setTimeout(() => void this.flush(), this.backoff());
          return;
        }
        this.session.pending.shift();
        this.save();
        this.schedule(150);
      }
    } finally {
      this.flushing = false;
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), ms);
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    if (this.polling || this.stopped) return;
    if (!this.session) {
      await this.start();
      return;
    }
    this.polling = true;
    let more = false;
    try {
      if (Date.now() > this.session.refreshAt) await this.refresh();
      const s = this.session;
      const wm = s.watermark !== undefined ? `?watermark=${encodeURIComponent(s.watermark)}` : '';
      const res = (await this.call('GET', `/conversations/${encodeURIComponent(s.conversationId)}/activities${wm}`)) as { activities?: Activity[]; watermark?: string | number } | undefined;
      if (this.stopped || this.session !== s) return;
      const list = Array.isArray(res?.activities) ? res.activities : [];
      for (const a of list) {
        if (!a || typeof a !== 'object') continue;
        if (a.id) {
          if (this.seen.has(a.id)) continue;
          this.seen.add(a.id);
        }
        this.opts.onActivity(a);
      }
      if (res?.watermark !== undefined && res.watermark !== null) s.watermark = String(res.watermark);
      more = list.length > 0;
      this.failures = 0;
      this.save();
      this.setStatus('online');
      if (s.pending.length > 0) void this.flush();
    } catch (err) {
      let gone = err instanceof HttpError && err.status === 404;
      if (err instanceof HttpError && err.status === 403) {
        try {
          await this.refresh();
          this.polling = false;
          this.schedule(0);
          return;
        } catch (refreshErr) {
          gone = refreshErr instanceof HttpError && (refreshErr.status === 401 || refreshErr.status === 403);
        }
      }
      if (gone) {
        // Purged (retention) or its token expired for good: start a new conversation rather than
        // leave the person facing a dead one. Unsent messages go to the new one.
        const pending = this.session?.pending ?? [];
        this.wipeStorage();
        this.session = undefined;
        this.polling = false;
        this.setStatus('ended');
        await this.start();
        if (this.session && pending.length) {
          (this.session as SavedSession).pending.push(...pending);
          this.save();
          void this.flush();
        }
        return;
      }
      this.setStatus('offline');
      this.polling = false;
      this.schedule(this.backoff());
      return;
    }
    this.polling = false;
    // A hidden tab polls rarely (data plans, batteries); it catches up at once when shown again.
    const idle = typeof document !== 'undefined' && document.hidden ? 15000 : (this.opts.pollMs ?? 1000);
    this.schedule(more ? 0 : Date.now() < this.fastUntil ? 250 : idle);
  }

  private async refresh(): Promise<void> {
    const res = await this.call('POST', '/tokens/refresh');
    this.absorbToken(res);
    this.save();
  }

  private absorbToken(res: unknown): void {
    if (!this.session || !res || typeof res !== 'object') return;
    const r = res as { token?: unknown; expires_in?: unknown };
    if (typeof r.token === 'string' && r.token) {
      this.session.token = r.token;
      this.session.refreshAt = refreshTime(typeof r.expires_in === 'number' ? r.expires_in : undefined);
    }
  }

  private backoff(): number {
    this.failures += 1;
    return Math.min(RETRY_MAX_MS, 500 * 2 ** Math.min(this.failures, 5));
  }

  private async call(method: string, path: string, body?: unknown, auth = true): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (auth && this.session) headers.Authorization = `Bearer ${this.session.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(this.opts.domain + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    if (!res.ok) throw new HttpError(res.status);
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  private setStatus(s: Status): void {
    if (s === this.status) return;
    this.status = s;
    this.opts.onStatus(s);
  }

  /** Ends the conversation: tells the bot (best effort), stops polling, forgets everything locally. */
  async end(): Promise<void> {
    const s = this.session;
    this.stop();
    this.wipeStorage();
    this.session = undefined;
    this.seen.clear();
    if (s) {
      try {
        await fetch(`${this.opts.domain}/conversations/${encodeURIComponent(s.conversationId)}/activities`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ type: 'endOfConversation', from: { id: s.userId, role: 'user' }, channelData: { clientActivityID: randomId() } }),
        });
      } catch {
        /* the server purges it after the retention period anyway */
      }
    }
    this.setStatus('ended');
  }

  /** Stops polling (the page is going away, or the conversation ended). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private load(): SavedSession | undefined {
    try {
      const raw = this.opts.storage?.getItem(this.opts.storageKey);
      if (!raw) return undefined;
      const s = JSON.parse(raw) as SavedSession;
      if (typeof s.conversationId !== 'string' || typeof s.token !== 'string' || !Array.isArray(s.pending)) return undefined;
      return s;
    } catch {
      return undefined;
    }
  }

  private save(): void {
    if (!this.session || this.stopped) return;
    try {
      this.opts.storage?.setItem(this.opts.storageKey, JSON.stringify(this.session));
    } catch {
      /* storage full or refused: the conversation still works, it just won't survive a reload */
    }
  }

  private wipeStorage(): void {
    try {
      this.opts.storage?.removeItem(this.opts.storageKey);
    } catch {
      /* nothing to wipe */
    }
  }
}

function refreshTime(expiresIn: number | undefined): number {
  const s = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 1800;
  return Date.now() + Math.max(10, s / 2) * 1000;
}

/** The user id a token is bound to, when the token is a readable JWT-like value (else undefined). */
function userIdFromToken(token: string): string | undefined {
  const part = token.split('.')[token.split('.').length === 3 ? 1 : 0];
  if (!part) return undefined;
  try {
    const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    for (const k of ['user', 'userId', 'uid', 'sub', 'u']) if (typeof json[k] === 'string') return json[k];
  } catch {
    /* opaque token */
  }
  return undefined;
}
