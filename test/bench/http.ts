/**
 * A minimal keep-alive JSON client for the load generators (loopback only), and helpers to start
 * and stop the servers under test as child processes.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export interface JsonResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** One request to `http://127.0.0.1:port`; `body` is sent as JSON unless it is already a string/Buffer. */
export function request(port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: { ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout ${method} ${path}`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** A free loopback port (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Polls `path` until it answers 200, or throws after `timeoutMs`. Returns the ms waited. */
export async function waitFor200(port: number, path: string, timeoutMs: number, child?: ChildProcess, everyMs = 5): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (child && child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      const r = await request(port, 'GET', path);
      if (r.status === 200) return performance.now() - t0;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`no 200 on ${path} after ${timeoutMs} ms`);
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux). CPU per request is
 * what stays comparable when other processes share the machine; wall-clock figures do not.
 */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in ticks of 1/100 s.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** A server under test running in its own Node process. */
export interface ChildServer {
  port: number;
  child: ChildProcess;
  /** ms from spawn to the first 200 on the readiness path. */
  readyMs: number;
  /** CPU ms the process had used when it was first ready. */
  readyCpuMs: number;
  /** CPU ms used so far. */
  cpuMs(): number;
  stderr(): string;
  stop(): Promise<void>;
}

/** Spawns `node <args>` with `env`, waits for `readyPath` to answer 200 on `port`; `onStdout` gets its standard output (ignored otherwise). */
export async function startChild(args: string[], env: Record<string, string>, port: number, readyPath: string, timeoutMs = 20_000, onStdout?: (chunk: string) => void): Promise<ChildServer> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', onStdout ? 'pipe' : 'ignore', 'pipe'] });
  if (onStdout) child.stdout?.on('data', (c: Buffer) => onStdout(c.toString()));
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (err.length < 20_000) err += c.toString();
  });
  try {
    await waitFor200(port, readyPath, timeoutMs, child);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${err}`);
  }
  const readyMs = performance.now() - t0;
  const readyCpuMs = cpuMs(child.pid);
  return {
    port,
    child,
    readyMs,
    readyCpuMs,
    cpuMs: () => cpuMs(child.pid),
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
