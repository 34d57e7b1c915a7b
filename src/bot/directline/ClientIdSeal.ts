/**
 * The client's `channelData.clientActivityID`, kept unreadable in the store and given back as sent.
 *
 * Why not masked like the other free fields: clients find their own message in the stream by this
 * id (Web Chat marks a message "sent" only when its echo carries the same `clientActivityID`), and
 * the identifiers clients generate look like personal data to the masker (Web Chat's start with a
 * 13-digit timestamp: every one of them would be masked, and every message would stay "sending").
 * So the id is sealed instead: encrypted deterministically (the same id in the same conversation
 * always gives the same sealed text, which is what the store's idempotent retries compare) and
 * opened again on the way out. Whatever a client puts there never lies readable in the store.
 *
 * Construction: a synthetic IV (HMAC-SHA256 of conversation and id, 16 bytes) with AES-256-CTR,
 * both keys derived from the channel's token key; opening checks the IV again, so a value that is
 * not ours (an older row, a damaged one) opens to nothing rather than to garbage.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const PREFIX = 's1.';

/** See the file comment. */
export class ClientIdSeal {
  private readonly macKey: Buffer;
  private readonly encKey: Buffer;

  constructor(key: Buffer) {
    if (key.length < 16) throw new Error('ClientIdSeal: key too short');
    this.macKey = Buffer.from(hkdfSync('sha256', key, '', 'ariane client activity id: iv', 32));
    this.encKey = Buffer.from(hkdfSync('sha256', key, '', 'ariane client activity id: aes', 32));
  }

  /** The sealed form of `id` in this conversation (deterministic). */
  seal(conversationId: string, id: string): string {
    const iv = this.iv(conversationId, id);
    const cipher = createCipheriv('aes-256-ctr', this.encKey, iv);
    const body = Buffer.concat([cipher.update(id, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, body]).toString('base64url');
  }

  /** The id a sealed value holds, or undefined when it is not a value this key sealed for this conversation. */
  open(conversationId: string, sealed: string): string | undefined {
    if (!sealed.startsWith(PREFIX)) return undefined;
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
    if (raw.length <= 16) return undefined;
    const iv = raw.subarray(0, 16);
    const decipher = createDecipheriv('aes-256-ctr', this.encKey, iv);
    const id = Buffer.concat([decipher.update(raw.subarray(16)), decipher.final()]).toString('utf8');
    return timingSafeEqual(iv, this.iv(conversationId, id)) ? id : undefined;
  }

  private iv(conversationId: string, id: string): Buffer {
    return createHmac('sha256', this.macKey).update(conversationId).update('\0').update(id).digest().subarray(0, 16);
  }
}
