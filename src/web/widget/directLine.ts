/**
 * A small Direct Line 3.0 client for the residents' widget (browser code, bundled by esbuild).
 *
 * Why our own instead of botframework-directlinejs: that client pulls RxJS and weighs more than the
 * whole widget may (60 KB gzipped, for old phones on small data plans).
 *
 * Replies come over the conversation's WebSocket stream (`streamUrl`) as soon as the bot has them.
 * When the socket cannot open (a proxy or a page's Content-Security-Policy blocks it, an old
 * browser), closes, or goes silent (the echo of a message the server acknowledged has not come
 * through it within a second), the client polls instead, and tries the stream again later, less
 * and less often while it keeps failing.
 *
 * Guarantees it keeps, whichever way activities come:
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

/** Frames of the stream and pages of a poll alike. */
interface ActivitySet {
  activities?: Activity[];
  watermark?: string | number;
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
/** The stream is tried again after this, doubled at each failure in a row, up to STREAM_RETRY_MAX_MS. */
const STREAM_RETRY_MS = 2000;
const STREAM_RETRY_MAX_MS = 120000;
/** How long the echo of an acknowledged message may take over the stream before it is deemed silent. */
const ECHO_WAIT_MS = 1000;
/** An empty message this often keeps proxies from closing an idle socket. */
const KEEPALIVE_MS = 30000;
/** With the stream open, the timer only renews the token (checked this often). */
const STREAM_TICK_MS = 30000;

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
  private socket: WebSocket | undefined;
  /** The socket is open and delivering: no polling. */
  private streaming = false;
  private streamFailures = 0;
  private streamRetry: ReturnType<typeof setTimeout> | undefined;
  private keepAlive: ReturnType<typeof setInterval> | undefined;

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
    let streamUrl: string | undefined;
    try {
      if (saved) {
        this.session = saved;
        // Reconnect: checks the conversation still exists (it may have been purged). The transcript
        // is not kept in the browser: it comes again from the start, once (no watermark).
        const res = await this.call('GET', `/conversations/${encodeURIComponent(saved.conversationId)}?watermark=`);
        this.absorbToken(res);
        this.session.watermark = undefined;
        streamUrl = urlOf(res);
      } else {
        streamUrl = await this.open();
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
    if (streamUrl) this.openStream(streamUrl);
    // Polls until the stream is open (and the transcript, if the stream never opens).
    this.schedule(0);
  }

  /** Starts a conversation; returns its stream's address, when the server has one. */
  private async open(): Promise<string | undefined> {
    const gen = (await this.call('POST', '/tokens/generate', undefined, false)) as { token?: string; conversationId?: string; expires_in?: number } | undefined;
    if (!gen || typeof gen.token !== 'string') throw new HttpError(502);
    this.session = { conversationId: gen.conversationId ?? '', token: gen.token, userId: userIdFromToken(gen.token) ?? 'dl_' + randomId(), refreshAt: refreshTime(gen.expires_in), pending: [] };
    const conv = (await this.call('POST', '/conversations', { locale: this.opts.locale?.() ?? 'fr' })) as { conversationId?: string; token?: string; expires_in?: number } | undefined;
    if (!conv || typeof conv.conversationId !== 'string') throw new HttpError(502);
    this.session.conversationId = conv.conversationId;
    this.absorbToken(conv);
    return urlOf(conv);
  }

  /** Connects to the stream; activities then come through it, and polling stops while it is open. */
  private openStream(url: string): void {
    this.closeStream();
    if (this.stopped || typeof WebSocket === 'undefined') return;
    // Served over HTTPS behind a proxy that did not say so: the page would refuse a plain ws://.
    const address = /^https:/.test(this.opts.domain) ? url.replace(/^ws:/, 'wss:') : url;
    let ws: WebSocket;
    try {
      ws = new WebSocket(address);
    } catch {
      this.streamDown();
      return;
    }
    this.socket = ws;
    ws.onopen = () => {
      if (this.socket !== ws) return;
      this.streaming = true;
      this.streamFailures = 0;
      this.keepAlive = setInterval(() => {
        if (ws.readyState === 1) ws.send('');
      }, KEEPALIVE_MS);
      this.setStatus('online');
      this.schedule(STREAM_TICK_MS);
    };
    ws.onmessage = (e) => {
      if (this.socket !== ws || typeof e.data !== 'string' || !e.data) return;
      let set: ActivitySet;
      try {
        set = JSON.parse(e.data) as ActivitySet;
      } catch {
        return;
      }
      this.take(set);
    };
    ws.onerror = ws.onclose = () => {
      if (this.socket === ws) this.streamDown();
    };
  }

  /** The stream failed or went silent: poll now, try the stream again later. */
  private streamDown(): void {
    this.closeStream();
    if (this.stopped || !this.session) return;
    this.streamFailures += 1;
    this.schedule(0);
    const wait = Math.min(STREAM_RETRY_MAX_MS, STREAM_RETRY_MS * 2 ** Math.min(this.streamFailures, 6));
    this.streamRetry = setTimeout(() => void this.reopenStream(), wait);
  }

  /** A fresh stream address (with the current token) from the server, then the stream. */
  private async reopenStream(): Promise<void> {
    this.streamRetry = undefined;
    const s = this.session;
    if (this.stopped || !s || this.socket) return;
    try {
      const wm = s.watermark !== undefined ? encodeURIComponent(s.watermark) : '';
      const res = await this.call('GET', `/conversations/${encodeURIComponent(s.conversationId)}?watermark=${wm}`);
      if (this.session !== s) return;
      this.absorbToken(res);
      this.save();
      const url = urlOf(res);
      if (url) this.openStream(url);
    } catch {
      // Polling goes on, and tells what went wrong (gone, expired…); the stream is tried later.
      if (!this.stopped && this.session === s) this.streamRetry = setTimeout(() => void this.reopenStream(), STREAM_RETRY_MAX_MS);
    }
  }

  private closeStream(): void {
    const ws = this.socket;
    this.socket = undefined;
    this.streaming = false;
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    if (this.streamRetry !== undefined) clearTimeout(this.streamRetry);
    this.streamRetry = undefined;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      try {
        ws.close();
      } catch {
        /* already closed */
      }
    }
  }

  /** Activities from the stream or a poll: each shown once, in order; the watermark only moves on. */
  private take(set: ActivitySet | undefined): number {
    const s = this.session;
    if (!s) return 0;
    const list = Array.isArray(set?.activities) ? set.activities : [];
    for (const a of list) {
      if (!a || typeof a !== 'object') continue;
      if (a.id) {
        if (this.seen.has(a.id)) continue;
        this.seen.add(a.id);
      }
      this.opts.onActivity(a);
    }
    const wm = set?.watermark;
    if (wm !== undefined && wm !== null && (s.watermark === undefined || Number(wm) >= Number(s.watermark))) s.watermark = String(wm);
    this.save();
    return list.length;
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
        let ack: unknown;
        try {
          ack = await this.call('POST', `/conversations/${encodeURIComponent(this.session.conversationId)}/activities`, first.activity);
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
        if (!this.streaming) {
          this.schedule(150);
          continue;
        }
        // The stream brings the echo with the replies, usually before the acknowledgement: if it
        // has not within a second, the socket is silently dead (a proxy, a network change).
        const id = ack && typeof ack === 'object' ? (ack as { id?: unknown }).id : undefined;
        if (typeof id === 'string' && !this.seen.has(id)) {
          const ws = this.socket;
          setTimeout(() => {
            if (this.socket === ws && this.streaming && !this.seen.has(id)) this.streamDown();
          }, ECHO_WAIT_MS);
        }
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
      if (this.streaming) {
        // The stream delivers; the timer only keeps the token fresh.
        this.polling = false;
        this.schedule(STREAM_TICK_MS);
        return;
      }
      const s = this.session;
      const wm = s.watermark !== undefined ? `?watermark=${encodeURIComponent(s.watermark)}` : '';
      const res = (await this.call('GET', `/conversations/${encodeURIComponent(s.conversationId)}/activities${wm}`)) as ActivitySet | undefined;
      if (this.stopped || this.session !== s) return;
      more = this.take(res) > 0;
      this.failures = 0;
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
        this.closeStream();
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

  /** Stops polling and the stream (the page is going away, or the conversation ended). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.closeStream();
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

/** The `streamUrl` of a start or reconnect answer, when it is a WebSocket address. */
function urlOf(res: unknown): string | undefined {
  const url = res && typeof res === 'object' ? (res as { streamUrl?: unknown }).streamUrl : undefined;
  return typeof url === 'string' && /^wss?:\/\//.test(url) ? url : undefined;
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
