import { TokenService } from '../../src/bot';

describe('TokenService', () => {
  let now = 1_700_000_000_000;
  const tokens = new TokenService('s'.repeat(32), 60, () => now);

  test('a token carries conversation and user, and verifies', () => {
    const { token, expiresIn } = tokens.issue('conv1', 'dl_user');
    expect(expiresIn).toBe(60);
    const check = tokens.verify(token);
    expect(check).toMatchObject({ ok: true, expired: false, claims: { conv: 'conv1', user: 'dl_user' } });
    // directlinejs reads the `user` claim from the JWT payload.
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).user).toBe('dl_user');
  });

  test('tampering with the payload or signature, another key, garbage: invalid', () => {
    const { token } = tokens.issue('conv1', 'u');
    const [h, p, s] = token.split('.');
    const other = Buffer.from(JSON.stringify({ conv: 'conv2', user: 'u', iat: 0, exp: 9e12 })).toString('base64url');
    expect(tokens.verify(`${h}.${other}.${s}`)).toEqual({ ok: false, reason: 'invalid' });
    expect(tokens.verify(`${h}.${p}.${s!.slice(0, -2)}AA`)).toEqual({ ok: false, reason: 'invalid' });
    expect(new TokenService('t'.repeat(32), 60, () => now).verify(token)).toEqual({ ok: false, reason: 'invalid' });
    for (const bad of ['', 'a.b', 'a.b.c', `${h}.!!!.${s}`, 'x'.repeat(5000)]) expect(tokens.verify(bad).ok).toBe(false);
  });

  test('expiry, and the refresh grace window', () => {
    const { token } = tokens.issue('conv1', 'u');
    now += 60_000;
    expect(tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });
    expect(tokens.verify(token, 30)).toMatchObject({ ok: true, expired: true });
    now += 30_000;
    expect(tokens.verify(token, 30)).toEqual({ ok: false, reason: 'expired' });
  });
});
