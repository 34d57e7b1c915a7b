/** Mediators' accounts: bcrypt hashes, sign-in, disabling, password reset, no password anywhere. */
import bcrypt from 'bcryptjs';
import { AccountError, MediatorAccounts, Sessions, normalizeLogin, passwordProblem } from '../../src/access';
import { BCRYPT_COST, verifyPassword } from '../../src/access/passwords';
import { MEDIATOR_PREFIX } from '../../src/access/MediatorAccounts';
import { MemoryStore } from '../../src/store';

jest.setTimeout(60_000);

const PASSWORD = 'une longue phrase de passe';

describe('MediatorAccounts', () => {
  it('stores a bcrypt hash of the password, never the password, and lists accounts without hashes', async () => {
    const store = new MemoryStore();
    const accounts = new MediatorAccounts(store.kv);
    const created = await accounts.add('Marie.Durand', PASSWORD, { place: { id: 'fs-rennes', name: 'France Services Rennes' } });
    expect(created).toMatchObject({ login: 'marie.durand', place: { id: 'fs-rennes' }, disabled: false, generation: 1 });
    expect(JSON.stringify(created)).not.toContain('$2');
    const raw = JSON.stringify(await store.kv.scan(MEDIATOR_PREFIX));
    expect(raw).not.toContain(PASSWORD);
    const stored = (await store.kv.get<{ hash: string }>([`${MEDIATOR_PREFIX}marie.durand`]))[`${MEDIATOR_PREFIX}marie.durand`]!.value;
    expect(bcrypt.getRounds(stored.hash)).toBe(BCRYPT_COST);
    const list = await accounts.list();
    expect(list).toHaveLength(1);
    expect(list[0]).not.toHaveProperty('hash');
  });

  it('refuses a taken login, a malformed login and weak passwords, with a French sentence', async () => {
    const accounts = new MediatorAccounts(new MemoryStore().kv);
    await accounts.add('marie', PASSWORD);
    await expect(accounts.add('MARIE', PASSWORD)).rejects.toThrow(/existe déjà/);
    await expect(accounts.add('marie durand', PASSWORD)).rejects.toThrow(AccountError);
    await expect(accounts.add('paul', 'court')).rejects.toThrow(/au moins 12 caractères/);
    expect(passwordProblem('é'.repeat(40))).toMatch(/72 octets/);
    expect(passwordProblem('paul-est-mon-nom', 'paul')).toMatch(/identifiant/);
    expect(passwordProblem(PASSWORD)).toBeUndefined();
    expect(normalizeLogin('  FS-Rennes_1 ')).toBe('fs-rennes_1');
    expect(normalizeLogin('a')).toBeUndefined();
  });

  it('signs in with the right password only; an unknown login costs the same bcrypt check', async () => {
    const accounts = new MediatorAccounts(new MemoryStore().kv);
    await accounts.add('marie', PASSWORD);
    expect(await accounts.signIn('Marie', PASSWORD)).toMatchObject({ ok: true, account: { login: 'marie' } });
    expect((await accounts.get('marie'))!.lastSignInAt).toBeDefined();
    expect(await accounts.signIn('marie', PASSWORD + ' ')).toEqual({ ok: false, reason: 'password' });
    const t0 = process.hrtime.bigint();
    expect(await accounts.signIn('nobody', PASSWORD)).toEqual({ ok: false, reason: 'unknown' });
    // The decoy hash is checked: at least one bcrypt comparison's time, not an instant "no".
    expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeGreaterThan(10);
    expect(await verifyPassword(PASSWORD, undefined)).toBe(false);
  });

  it('disabling refuses sign-in and ends sessions; a password reset ends sessions and changes the password', async () => {
    const store = new MemoryStore();
    const accounts = new MediatorAccounts(store.kv);
    const sessions = new Sessions(store.kv, { idleMs: 3_600_000, maxMs: 36_000_000 });
    const a = await accounts.add('marie', PASSWORD);
    const id = await sessions.create('mediator', 'marie', String(a.generation));
    expect(await accounts.current('marie', String(a.generation))).toBeDefined();

    const off = await accounts.setDisabled('marie', true);
    expect(await sessions.read(id, 'mediator')).toBeUndefined();
    expect(await accounts.current('marie', String(a.generation))).toBeUndefined();
    expect(await accounts.signIn('marie', PASSWORD)).toEqual({ ok: false, reason: 'disabled' });
    const on = await accounts.setDisabled('marie', false);
    expect(on.generation).toBe(off.generation);
    expect((await accounts.signIn('marie', PASSWORD)).ok).toBe(true);

    const id2 = await sessions.create('mediator', 'marie', String(on.generation));
    const reset = await accounts.setPassword('marie', 'un tout autre mot de passe');
    expect(reset.generation).toBe(on.generation + 1);
    expect(await sessions.read(id2, 'mediator')).toBeUndefined();
    expect(await accounts.current('marie', String(on.generation))).toBeUndefined();
    expect((await accounts.signIn('marie', PASSWORD)).ok).toBe(false);
    expect((await accounts.signIn('marie', 'un tout autre mot de passe')).ok).toBe(true);
    await expect(accounts.setPassword('nobody', PASSWORD)).rejects.toThrow(/Aucun compte/);
  });

  it('redoes a hash made at a lower cost at the next sign-in', async () => {
    const store = new MemoryStore();
    const accounts = new MediatorAccounts(store.kv);
    await accounts.add('marie', PASSWORD);
    const key = `${MEDIATOR_PREFIX}marie`;
    const item = (await store.kv.get<{ hash: string }>([key]))[key]!;
    await store.kv.set([{ key, value: { ...item.value, hash: await bcrypt.hash(PASSWORD, 4) } }]);
    expect((await accounts.signIn('marie', PASSWORD)).ok).toBe(true);
    const after = (await store.kv.get<{ hash: string }>([key]))[key]!.value.hash;
    expect(bcrypt.getRounds(after)).toBe(BCRYPT_COST);
  });
});
