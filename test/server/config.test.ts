import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, resolveTokenSecret } from '../../src/config';
import { DEFAULT_FEATURED_FLOWS } from '../../src/config/loadConfig';

describe('loadConfig', () => {
  test('defaults with an empty environment', () => {
    const c = loadConfig({}, { dotenv: false, cwd: '/srv/ariane' });
    expect(c).toMatchObject({
      port: 3978,
      dataDir: '/srv/ariane/var',
      flowsDir: '/srv/ariane/flows',
      retentionDays: 30,
      allowedOrigins: [],
      logLevel: 'info',
      featuredFlows: DEFAULT_FEATURED_FLOWS,
      directLine: { tokenTtlSeconds: 1800 },
    });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.microsoft.appId).toBeUndefined();
    expect(c.sourcesUrl).toBeUndefined();
  });

  test('sign-in and sessions: defaults, and single sign-on from listed proxies', () => {
    expect(loadConfig({}, { dotenv: false }).access).toEqual({ sessionIdleMinutes: 60, sessionMaxHours: 10, codeFailuresPerHour: 200, signInsPerIpPerMinute: 10, mediatorAuthHeader: undefined });
    const c = loadConfig({ ARIANE_MEDIATOR_AUTH_HEADER: 'X-Remote-User', ARIANE_MEDIATOR_AUTH_PROXIES: '127.0.0.1, ::1', ARIANE_SESSION_IDLE_MINUTES: '15' }, { dotenv: false });
    expect(c.access).toMatchObject({ sessionIdleMinutes: 15, mediatorAuthHeader: { header: 'X-Remote-User', proxies: ['127.0.0.1', '::1'] } });
  });

  test('limits per address and per stream, and the trusted proxies: defaults, then parsed', () => {
    const defaults = loadConfig({}, { dotenv: false });
    expect(defaults.limits).toEqual({ activitiesPerMinute: 60, conversationsPerIpPerMinute: 30, turnsPerIpPerMinute: 120, streamsPerConversation: 5, streamsPerIp: 100 });
    expect(defaults.trustedProxies).toEqual([]);
    const c = loadConfig(
      { ARIANE_TRUSTED_PROXIES: ' 10.0.0.5, 10.1.0.0/16 ,fd00::/8,::1 ', ARIANE_MAX_TURNS_PER_IP_PER_MINUTE: '500', ARIANE_MAX_STREAMS_PER_CONVERSATION: '2', ARIANE_MAX_STREAMS_PER_IP: '40' },
      { dotenv: false },
    );
    expect(c.trustedProxies).toEqual(['10.0.0.5', '10.1.0.0/16', 'fd00::/8', '::1']);
    expect(c.limits).toMatchObject({ turnsPerIpPerMinute: 500, streamsPerConversation: 2, streamsPerIp: 40 });
  });

  test('DATABASE_CONNECT_TIMEOUT_MS: 5 s by default, as set otherwise', () => {
    expect(loadConfig({}, { dotenv: false }).databaseConnectTimeoutMs).toBe(5000);
    expect(loadConfig({ DATABASE_CONNECT_TIMEOUT_MS: '30000' }, { dotenv: false }).databaseConnectTimeoutMs).toBe(30000);
  });

  test('ARIANE_SOURCES_URL: the archive to sync daily', () => {
    const url = 'https://lecomarquage.service-public.gouv.fr/vdd/3.5/part/zip/vosdroits-latest.zip';
    expect(loadConfig({ ARIANE_SOURCES_URL: ` ${url} ` }, { dotenv: false }).sourcesUrl).toBe(url);
  });

  test.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_CONNECT_TIMEOUT_MS: 'soon' }, 'DATABASE_CONNECT_TIMEOUT_MS'],
    [{ MicrosoftAppType: 'Sometimes' }, 'MicrosoftAppType'],
    [{ MicrosoftAppPassword: 'p' }, 'MicrosoftAppId'],
    [{ MicrosoftAppType: 'SingleTenant', MicrosoftAppId: 'a' }, 'MicrosoftAppTenantId'],
    [{ ARIANE_ALLOWED_ORIGINS: 'https://ok.fr, not a url' }, 'ARIANE_ALLOWED_ORIGINS'],
    [{ ARIANE_ALLOWED_ORIGINS: 'https://ok.fr/path' }, 'ARIANE_ALLOWED_ORIGINS'],
    [{ ARIANE_RETENTION_DAYS: '0' }, 'ARIANE_RETENTION_DAYS'],
    [{ ARIANE_TOKEN_SECRET: 'short' }, 'ARIANE_TOKEN_SECRET'],
    [{ ARIANE_ADMIN_TOKEN: 'short' }, 'ARIANE_ADMIN_TOKEN'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ARIANE_FEATURED_FLOWS: 'caf, Bad Id' }, 'ARIANE_FEATURED_FLOWS'],
    [{ ARIANE_SOURCES_URL: 'vosdroits-latest.zip' }, 'ARIANE_SOURCES_URL'],
    [{ ARIANE_SOURCES_URL: 'ftp://echanges.dila.gouv.fr/vosdroits-latest.zip' }, 'ARIANE_SOURCES_URL'],
    [{ ARIANE_EMULATOR: 'maybe' }, 'ARIANE_EMULATOR'],
    [{ ARIANE_SESSION_IDLE_MINUTES: '0' }, 'ARIANE_SESSION_IDLE_MINUTES'],
    [{ ARIANE_SESSION_MAX_HOURS: 'ten' }, 'ARIANE_SESSION_MAX_HOURS'],
    [{ ARIANE_MAX_CODE_FAILURES_PER_HOUR: '-1' }, 'ARIANE_MAX_CODE_FAILURES_PER_HOUR'],
    [{ ARIANE_MAX_SIGNINS_PER_IP_PER_MINUTE: '0' }, 'ARIANE_MAX_SIGNINS_PER_IP_PER_MINUTE'],
    [{ ARIANE_MEDIATOR_AUTH_HEADER: 'X-Remote-User' }, 'ARIANE_MEDIATOR_AUTH_PROXIES'],
    [{ ARIANE_MEDIATOR_AUTH_HEADER: 'X-Remote-User', ARIANE_MEDIATOR_AUTH_PROXIES: '10.0.0.0/8' }, 'ARIANE_MEDIATOR_AUTH_PROXIES'],
    [{ ARIANE_MEDIATOR_AUTH_HEADER: 'Authorization', ARIANE_MEDIATOR_AUTH_PROXIES: '127.0.0.1' }, 'ARIANE_MEDIATOR_AUTH_HEADER'],
    [{ ARIANE_MEDIATOR_AUTH_HEADER: 'X Remote', ARIANE_MEDIATOR_AUTH_PROXIES: '127.0.0.1' }, 'ARIANE_MEDIATOR_AUTH_HEADER'],
    [{ ARIANE_MEDIATOR_AUTH_PROXIES: '127.0.0.1' }, 'ARIANE_MEDIATOR_AUTH_PROXIES'],
    [{ ARIANE_TRUSTED_PROXIES: '10.0.0.1, proxy.example.fr' }, 'ARIANE_TRUSTED_PROXIES'],
    [{ ARIANE_TRUSTED_PROXIES: '10.0.0.0/33' }, 'ARIANE_TRUSTED_PROXIES'],
    [{ ARIANE_TRUSTED_PROXIES: 'fd00::/129' }, 'ARIANE_TRUSTED_PROXIES'],
    [{ ARIANE_TRUSTED_PROXIES: '10.0.0.0/' }, 'ARIANE_TRUSTED_PROXIES'],
    [{ ARIANE_TRUSTED_PROXIES: ',' }, 'ARIANE_TRUSTED_PROXIES'],
    [{ ARIANE_MAX_TURNS_PER_IP_PER_MINUTE: '0' }, 'ARIANE_MAX_TURNS_PER_IP_PER_MINUTE'],
    [{ ARIANE_MAX_TURNS_PER_IP_PER_MINUTE: 'many' }, 'ARIANE_MAX_TURNS_PER_IP_PER_MINUTE'],
    [{ ARIANE_MAX_STREAMS_PER_CONVERSATION: '0' }, 'ARIANE_MAX_STREAMS_PER_CONVERSATION'],
    [{ ARIANE_MAX_STREAMS_PER_IP: '-5' }, 'ARIANE_MAX_STREAMS_PER_IP'],
  ])('%j → one clear line naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env as Record<string, string>, { dotenv: false });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(new RegExp(`^Configuration error: ${variable} `));
    expect((error as Error).message).not.toContain('\n');
  });

  test('a token lifetime under the official client\'s 15-minute refresh works, with a warning naming the variable', () => {
    expect(loadConfig({}, { dotenv: false }).warnings).toEqual([]);
    expect(loadConfig({ ARIANE_TOKEN_TTL: '900' }, { dotenv: false }).warnings).toEqual([]);
    const short = loadConfig({ ARIANE_TOKEN_TTL: '600' }, { dotenv: false });
    expect(short.directLine.tokenTtlSeconds).toBe(600);
    expect(short.warnings).toEqual([expect.stringMatching(/^ARIANE_TOKEN_TTL is 600 s: .*every 900 s/)]);
  });

  test('ARIANE_EMULATOR: off by default; on, a warning says it is for development (ignored, and said so, with an app id)', () => {
    expect(loadConfig({}, { dotenv: false }).emulator).toBe(false);
    const on = loadConfig({ ARIANE_EMULATOR: '1' }, { dotenv: false });
    expect(on.emulator).toBe(true);
    expect(on.warnings).toEqual([expect.stringMatching(/development only/)]);
    const withApp = loadConfig({ ARIANE_EMULATOR: 'true', MicrosoftAppId: 'app' }, { dotenv: false });
    expect(withApp.warnings).toEqual([expect.stringMatching(/ARIANE_EMULATOR is ignored/)]);
  });

  test('values are parsed; .env is read and the real environment wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ariane-cfg-'));
    try {
      writeFileSync(join(dir, '.env'), 'PORT=4000\nARIANE_RETENTION_DAYS=7\nLOG_LEVEL=debug\n');
      const c = loadConfig({ PORT: '5000', ARIANE_ALLOWED_ORIGINS: 'https://a.fr, http://localhost:8080/' }, { cwd: dir });
      expect(c.port).toBe(5000);
      expect(c.retentionDays).toBe(7);
      expect(c.logLevel).toBe('debug');
      expect(c.allowedOrigins).toEqual(['https://a.fr', 'http://localhost:8080']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the token key is generated once, kept private in the data directory, and reused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ariane-key-'));
    try {
      const c = loadConfig({ ARIANE_DATA_DIR: join(dir, 'var') }, { dotenv: false });
      const first = resolveTokenSecret(c);
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(resolveTokenSecret(c)).toBe(first);
      const file = join(dir, 'var', 'token-secret');
      expect(readFileSync(file, 'utf8').trim()).toBe(first);
      expect(statSync(file).mode & 0o077).toBe(0);
      const configured = loadConfig({ ARIANE_TOKEN_SECRET: 'x'.repeat(40) }, { dotenv: false });
      expect(resolveTokenSecret(configured)).toBe('x'.repeat(40));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a token key file that is not whole stops the start with a message naming the file, and is left as it is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ariane-key-'));
    try {
      const c = loadConfig({ ARIANE_DATA_DIR: dir }, { dotenv: false });
      const key = resolveTokenSecret(c);
      const file = join(dir, 'token-secret');
      // Truncated by a crash (empty), by a copy (half a key, or no end of line), or overwritten.
      for (const content of ['', '\n', key.slice(0, 40), key.slice(0, 63), 'not a key at all, but long enough to pass a length check']) {
        writeFileSync(file, content);
        let error: unknown;
        try {
          resolveTokenSecret(c);
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const message = (error as Error).message;
        expect(message).toContain(file);
        expect(message).toMatch(/restore it from a backup, or delete it/);
        expect(message).not.toContain('\n');
        expect(readFileSync(file, 'utf8')).toBe(content);
      }
      // The whole key without its end of line is whole.
      writeFileSync(file, key);
      expect(resolveTokenSecret(c)).toBe(key);
      // Deleted: a new key is made.
      rmSync(file);
      expect(resolveTokenSecret(c)).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the token key file is written whole, with its end of line, and no temporary file is left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ariane-key-'));
    try {
      const c = loadConfig({ ARIANE_DATA_DIR: dir }, { dotenv: false });
      const first = resolveTokenSecret(c);
      expect(readdirSync(dir)).toEqual(['token-secret']);
      expect(readFileSync(join(dir, 'token-secret'), 'utf8')).toBe(first + '\n');
      expect(resolveTokenSecret(c)).toBe(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
