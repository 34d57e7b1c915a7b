/**
 * Direct Line tokens: compact JWTs (HS256, signed with node:crypto) bound to one conversation and one
 * user, with an expiry. JWT because `botframework-directlinejs` decodes the token to read its `user`
 * claim; HMAC because only this service (all its instances, sharing the key) issues and checks them.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** What a token says. */
export interface TokenClaims {
  /** Conversation id. */
  conv: string;
  /** User id (Direct Line clients read this claim). */
  user: string;
  /** Issued at, epoch seconds. */
  iat: number;
  /** Expires at, epoch seconds. */
  exp: number;
}

export type TokenCheck = { ok: true; claims: TokenClaims; expired: boolean } | { ok: false; reason: 'invalid' | 'expired' };

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/**
 * Issues and verifies tokens. Verification is constant-time on the signature. A client sends the
 * same token with every request for 30 minutes, so tokens whose signature checked out are
 * remembered (bounded, least recently used out): the HMAC and JSON parse run once per token, not
 * once per request. Expiry is still checked every time; only signed tokens are ever remembered.
 */
export class TokenService {
  private readonly verified = new LRUCache<string, TokenClaims>({ max: 20_000 });

  constructor(
    private readonly secret: string,
    /** Lifetime of a new token, in seconds. */
    readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    if (secret.length < 16) throw new Error('Token secret too short');
  }

  /** A fresh token for this conversation and user, and its lifetime in seconds. */
  issue(conv: string, user: string): { token: string; expiresIn: number } {
    const iat = Math.floor(this.now() / 1000);
    const claims: TokenClaims = { conv, user, iat, exp: iat + this.ttlSeconds };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { token: `${HEADER}.${payload}.${this.sign(`${HEADER}.${payload}`)}`, expiresIn: this.ttlSeconds };
  }

  /**
   * Checks signature and expiry. A token expired less than `graceSeconds` ago is still accepted with
   * `expired: true` (only the refresh endpoint passes a grace, so a client whose token lapsed while
   * the page slept can get a new one without losing the conversation).
   */
  verify(token: string, graceSeconds = 0): TokenCheck {
    const known = this.verified.get(token);
    if (known) return this.checkExpiry(known, graceSeconds);
    if (token.length > 2048) return { ok: false, reason: 'invalid' };
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER) return { ok: false, reason: 'invalid' };
    const expected = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]!);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (typeof claims.conv !== 'string' || typeof claims.user !== 'string' || typeof claims.exp !== 'number') {
      return { ok: false, reason: 'invalid' };
    }
    this.verified.set(token, claims);
    return this.checkExpiry(claims, graceSeconds);
  }

  private checkExpiry(claims: TokenClaims, graceSeconds: number): TokenCheck {
    const nowS = this.now() / 1000;
    if (nowS >= claims.exp + graceSeconds) return { ok: false, reason: 'expired' };
    return { ok: true, claims, expired: nowS >= claims.exp };
  }

  /**
   * A key for another purpose of the channel (e.g. sealing client ids), derived from the token key:
   * every instance sharing the token key derives the same one, and neither reveals the other.
   */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.secret, '', `ariane direct line: ${purpose}`, 32));
  }

  private sign(data: string): string {
    return createHmac('sha256', this.secret).update(data).digest('base64url');
  }
}

