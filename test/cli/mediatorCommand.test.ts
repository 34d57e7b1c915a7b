/**
 * `ariane mediator …` on a real SQLite store file, as an admin runs it beside the service: accounts
 * created, listed, disabled, re-enabled, their password reset; passwords read from stdin or a hidden
 * prompt, never printed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventEmitter, Readable } from 'node:stream';
import { MediatorAccounts, Sessions } from '../../src/access';
import { MEDIATOR_PREFIX } from '../../src/access/MediatorAccounts';
import { promptHidden, readFirstLine, runMediatorAdd, runMediatorDisable, runMediatorList, runMediatorPassword, type HiddenInput } from '../../src/cli/mediatorCommand';
import { openCliStore } from '../../src/cli/placesCommand';
import { buildProgram } from '../../src/cli/main';
import { placeKey } from '../../src/places';

jest.setTimeout(60_000);

const PASSWORD = 'la clé est sous le paillasson';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (l: string) => err.push(l) } };
}

describe('ariane mediator', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ariane-mediator-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds, lists, disables, re-enables and resets accounts in the store file; no password is printed or stored', async () => {
    // A help place imported earlier: the account takes its name.
    let store = await openCliStore(dir);
    await store.kv.set([{ key: placeKey('fs-35-villejean'), value: { id: 'fs-35-villejean', nom: 'France Services Rennes Villejean' } }]);
    const a = io();
    expect(await runMediatorAdd('marie', { place: 'fs-35-villejean' }, store, () => readFirstLine(Readable.from([`${PASSWORD}\n`, 'ignored\n'])), a.io)).toBe(0);
    expect(await runMediatorAdd('accueil-ccas', { place: 'ccas-inconnu' }, store, async () => PASSWORD, a.io)).toBe(0);
    expect(a.err.join('\n')).toContain('aucun lieu « ccas-inconnu »');
    // Taken login, weak password: one clear line, exit 1, nothing changed.
    const b = io();
    expect(await runMediatorAdd('MARIE', {}, store, async () => PASSWORD, b.io)).toBe(1);
    expect(b.err[0]).toMatch(/existe déjà/);
    expect(await runMediatorAdd('paul', {}, store, async () => 'court', b.io)).toBe(1);
    expect(b.err[1]).toMatch(/au moins 12 caractères/);
    await store.close();

    // Another process (or the running service) sees them in the file.
    store = await openCliStore(dir);
    const c = io();
    expect(await runMediatorList({}, store, c.io)).toBe(0);
    expect(c.out).toHaveLength(2);
    expect(c.out.find((l) => l.startsWith('marie'))).toMatch(/lieu fs-35-villejean \(France Services Rennes Villejean\) · actif · créé le .* · dernière connexion jamais/);
    const j = io();
    await runMediatorList({ json: true }, store, j.io);
    const listed = JSON.parse(j.out[0]!) as Array<Record<string, unknown>>;
    expect(listed.map((x) => x.login)).toEqual(['accueil-ccas', 'marie']);
    expect(listed[0]).not.toHaveProperty('hash');
    const everything = [...a.out, ...a.err, ...b.out, ...b.err, ...c.out, ...j.out].join('\n');
    expect(everything).not.toContain(PASSWORD);
    expect(JSON.stringify(await store.kv.scan(MEDIATOR_PREFIX))).not.toContain(PASSWORD);
    expect(fs.readFileSync(path.join(dir, 'ariane.db')).includes(Buffer.from(PASSWORD))).toBe(false);

    // A session open before disabling is ended; signing in is refused until re-enabled.
    const accounts = new MediatorAccounts(store.kv);
    const sessions = new Sessions(store.kv, { idleMs: 3_600_000, maxMs: 36_000_000 });
    const signedIn = await accounts.signIn('marie', PASSWORD);
    if (!signedIn.ok) throw new Error('sign-in failed');
    const sid = await sessions.create('mediator', 'marie', String(signedIn.account.generation));
    const d = io();
    expect(await runMediatorDisable('marie', true, store, d.io)).toBe(0);
    expect(d.out[0]).toMatch(/Compte désactivé : marie/);
    expect(await sessions.read(sid, 'mediator')).toBeUndefined();
    expect((await accounts.signIn('marie', PASSWORD)).ok).toBe(false);
    expect(await runMediatorDisable('nobody', true, store, d.io)).toBe(1);
    expect(d.err[0]).toMatch(/Aucun compte « nobody »/);
    expect(await runMediatorDisable('marie', false, store, d.io)).toBe(0);
    expect((await accounts.signIn('marie', PASSWORD)).ok).toBe(true);

    // Password reset: the old one stops working, the new one works, sessions are ended.
    const sid2 = await sessions.create('mediator', 'marie', String((await accounts.get('marie'))!.generation));
    const e = io();
    expect(await runMediatorPassword('marie', store, async () => 'un autre mot de passe tout neuf', e.io)).toBe(0);
    expect(await sessions.read(sid2, 'mediator')).toBeUndefined();
    expect((await accounts.signIn('marie', PASSWORD)).ok).toBe(false);
    expect((await accounts.signIn('marie', 'un autre mot de passe tout neuf')).ok).toBe(true);
    expect(await runMediatorPassword('nobody', store, async () => PASSWORD, e.io)).toBe(1);
    await store.close();
  });

  it('is wired into the ariane command: add with --password-stdin, then list, on the data directory given', async () => {
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const stdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
    Object.defineProperty(process, 'stdin', { value: Readable.from([`${PASSWORD}\n`]), configurable: true });
    try {
      await buildProgram().parseAsync(['mediator', 'add', 'Marie', '--password-stdin', '--data-dir', dir], { from: 'user' });
      expect(process.exitCode ?? 0).toBe(0);
      await buildProgram().parseAsync(['mediator', 'list', '--json', '--data-dir', dir], { from: 'user' });
    } finally {
      Object.defineProperty(process, 'stdin', stdin);
      write.mockRestore();
      process.exitCode = 0;
    }
    expect(written.join('')).toContain('Compte créé : marie');
    expect(written.join('')).toContain('"login": "marie"');
    expect(written.join('')).not.toContain(PASSWORD);
    const store = await openCliStore(dir);
    try {
      expect((await new MediatorAccounts(store.kv).signIn('marie', PASSWORD)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('reads a hidden password from the terminal: nothing echoed, backspace erases, Ctrl-C gives up', async () => {
    const fakeTty = () => {
      const input = new EventEmitter() as HiddenInput & EventEmitter;
      const modes: boolean[] = [];
      Object.assign(input, { isTTY: true, isRaw: false, setRawMode: (m: boolean) => modes.push(m), setEncoding: () => input, resume: () => input, pause: () => input });
      return { input, modes };
    };
    const written: string[] = [];
    const output = { write: (s: string) => written.push(s) };
    const t = fakeTty();
    const typed = promptHidden('Mot de passe : ', t.input, output);
    t.input.emit('data', 'secrx');
    t.input.emit('data', '\u007fet du jour\r');
    expect(await typed).toBe('secret du jour');
    expect(written.join('')).toBe('Mot de passe : \n');
    expect(t.modes).toEqual([true, false]);
    const c = fakeTty();
    const interrupted = promptHidden('? ', c.input, output);
    c.input.emit('data', 'abc\u0003');
    await expect(interrupted).rejects.toThrow(/interrompue/);
    // Not a terminal: says to use --password-stdin rather than reading an echoed line.
    await expect(promptHidden('? ', Object.assign(new EventEmitter(), { setEncoding: () => undefined, resume: () => undefined, pause: () => undefined }), output)).rejects.toThrow(/--password-stdin/);
  });
});
