import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_FEATURED_FLOWS, loadConfig, resolveTokenSecret } from '../../src/config';

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

  test('ARIANE_SOURCES_URL: the archive to sync daily', () => {
    const url = 'https://lecomarquage.service-public.gouv.fr/vdd/3.5/part/zip/vosdroits-latest.zip';
    expect(loadConfig({ ARIANE_SOURCES_URL: ` ${url} ` }, { dotenv: false }).sourcesUrl).toBe(url);
  });

  test.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
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
});
