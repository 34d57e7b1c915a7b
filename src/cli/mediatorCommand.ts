/**
 * `ariane mediator add|list|disable|enable|password`: the admin manages the mediators' accounts that
 * open handoff summaries on `/mediateur`, in the service's own store (SQLite in ARIANE_DATA_DIR, or
 * PostgreSQL with DATABASE_URL), while the service runs. Passwords are read from the terminal without
 * echo, or from standard input with `--password-stdin` (scripts); they are never printed or stored,
 * only their bcrypt hash.
 */
import type { Command } from 'commander';
import { AccountError, MediatorAccounts, passwordProblem, type MediatorInfo } from '../access';
import { placeKey, type Place } from '../places';
import type { Store } from '../store';
import { openCliStore, type CliIo } from './placesCommand';

const stdIo: CliIo = { out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`), err: (l) => console.error(l) };

/** A terminal's input, as far as reading a hidden line needs it. */
export interface HiddenInput extends NodeJS.EventEmitter {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  resume(): unknown;
  pause(): unknown;
}

/**
 * Asks `question` on `output` and reads one line from the terminal `input` without showing it
 * (raw mode: each key is read, nothing is echoed). Backspace erases; Ctrl-C or Ctrl-D on an empty
 * line gives up (rejects).
 */
export function promptHidden(question: string, input: HiddenInput = process.stdin, output: { write(s: string): unknown } = process.stderr): Promise<string> {
  if (!input.isTTY || !input.setRawMode) return Promise.reject(new AccountError('Pas de terminal pour saisir le mot de passe : utilisez --password-stdin (echo "…" | ariane mediator …).'));
  return new Promise((resolve, reject) => {
    output.write(question);
    const wasRaw = Boolean(input.isRaw);
    input.setRawMode!(true);
    input.setEncoding('utf8');
    input.resume();
    let value = '';
    const finish = (err?: Error) => {
      input.removeListener('data', onData);
      input.setRawMode!(wasRaw);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || (ch === '\u0004' && value === '')) return finish(new AccountError('Saisie interrompue.'));
        if (ch === '\u0004') return finish();
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}

/** The first line of a stream (`--password-stdin`), without its line ending. */
export async function readFirstLine(input: AsyncIterable<Buffer | string>): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

/** Where a new password comes from: stdin (scripts) or typed twice at a hidden prompt. */
export type PasswordReader = () => Promise<string>;

/** The password reader for the options given on the command line. */
export function passwordReader(opts: { passwordStdin?: boolean }, login: string): PasswordReader {
  if (opts.passwordStdin) return () => readFirstLine(process.stdin);
  return async () => {
    const first = await promptHidden(`Mot de passe pour « ${login} » (au moins 12 caractères, rien ne s’affiche) : `);
    const problem = passwordProblem(first, login);
    if (problem) throw new AccountError(problem);
    const again = await promptHidden('Le même mot de passe, encore une fois : ');
    if (again !== first) throw new AccountError('Les deux saisies sont différentes : rien n’a été changé.');
    return first;
  };
}

function describe(a: MediatorInfo): string {
  const place = a.place ? ` · lieu ${a.place.id}${a.place.name ? ` (${a.place.name})` : ''}` : '';
  return `${a.login}${place} · ${a.disabled ? 'désactivé' : 'actif'}`;
}

function day(iso: string | undefined): string {
  return iso ? iso.slice(0, 16).replace('T', ' ') : 'jamais';
}

/** Runs an account operation: prints AccountError as one line and returns 1; other errors propagate. */
async function guarded(io: CliIo, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AccountError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
}

/** `ariane mediator add <login> [--place <id>]`: returns the exit code. */
export async function runMediatorAdd(login: string, opts: { place?: string; placeName?: string }, store: Store, readPassword: PasswordReader, io: CliIo = stdIo): Promise<number> {
  return guarded(io, async () => {
    const accounts = new MediatorAccounts(store.kv);
    if (await accounts.get(login)) throw new AccountError(`L’identifiant « ${login.trim().toLowerCase()} » existe déjà (ariane mediator list).`);
    let place: { id: string; name?: string } | undefined;
    if (opts.place) {
      const key = placeKey(opts.place);
      const known = (await store.kv.get<Place>([key]))[key]?.value;
      const name = opts.placeName ?? known?.nom;
      if (!known) io.err(`Attention : aucun lieu « ${opts.place} » dans l’annuaire importé ; le compte le garde tel quel.`);
      place = { id: opts.place, ...(name ? { name } : {}) };
    }
    const password = await readPassword();
    const account = await accounts.add(login, password, place ? { place } : {});
    io.out(`Compte créé : ${describe(account)}. La personne se connecte sur /mediateur avec l’identifiant « ${account.login} ».`);
    return 0;
  });
}

/** `ariane mediator list [--json]`. */
export async function runMediatorList(opts: { json?: boolean }, store: Store, io: CliIo = stdIo): Promise<number> {
  const list = await new MediatorAccounts(store.kv).list();
  if (opts.json) {
    io.out(JSON.stringify(list, null, 2));
    return 0;
  }
  if (list.length === 0) {
    io.out('Aucun compte de médiateur. Créez-en un : ariane mediator add <identifiant> [--place <id du lieu>]');
    return 0;
  }
  for (const a of list) io.out(`${describe(a)} · créé le ${day(a.createdAt)} · dernière connexion ${day(a.lastSignInAt)}`);
  return 0;
}

/** `ariane mediator disable|enable <login>`: disabling ends the account's sessions at once. */
export async function runMediatorDisable(login: string, disabled: boolean, store: Store, io: CliIo = stdIo): Promise<number> {
  return guarded(io, async () => {
    const account = await new MediatorAccounts(store.kv).setDisabled(login, disabled);
    io.out(disabled ? `Compte désactivé : ${account.login}. Ses sessions sont fermées.` : `Compte réactivé : ${account.login}.`);
    return 0;
  });
}

/** `ariane mediator password <login>`: a new password (reset); ends the account's sessions. */
export async function runMediatorPassword(login: string, store: Store, readPassword: PasswordReader, io: CliIo = stdIo): Promise<number> {
  return guarded(io, async () => {
    const accounts = new MediatorAccounts(store.kv);
    if (!(await accounts.get(login))) throw new AccountError(`Aucun compte « ${login} » (ariane mediator list).`);
    const account = await accounts.setPassword(login, await readPassword());
    io.out(`Mot de passe changé pour ${account.login}. Ses sessions ouvertes sont fermées.`);
    return 0;
  });
}

/** Registers `ariane mediator …`. */
export function registerMediatorCommand(program: Command): void {
  const mediator = program.command('mediator').description('Comptes des médiateurs qui ouvrent les fiches de relais sur /mediateur.');
  const withStore = async (dataDir: string | undefined, run: (store: Store) => Promise<number>) => {
    const store = await openCliStore(dataDir);
    try {
      process.exitCode = await run(store);
    } finally {
      await store.close();
    }
  };
  const dataDirOption = ['--data-dir <dir>', 'dossier des données (par défaut ARIANE_DATA_DIR ou ./var)'] as const;
  mediator
    .command('add <login>')
    .description('Créer un compte (par médiateur, ou partagé par l’équipe d’un lieu) ; le mot de passe est demandé sans s’afficher.')
    .option('--place <id>', 'le lieu d’aide du compte (son identifiant dans l’annuaire)')
    .option('--place-name <nom>', 'le nom du lieu à afficher (par défaut celui de l’annuaire)')
    .option('--password-stdin', 'lire le mot de passe sur l’entrée standard (scripts)')
    .option(...dataDirOption)
    .action(async (login: string, opts: { place?: string; placeName?: string; passwordStdin?: boolean; dataDir?: string }) =>
      withStore(opts.dataDir, (store) => runMediatorAdd(login, opts, store, passwordReader(opts, login))),
    );
  mediator
    .command('list')
    .description('Les comptes : lieu, état, dernière connexion (jamais de mot de passe).')
    .option('--json', 'résultat en JSON')
    .option(...dataDirOption)
    .action(async (opts: { json?: boolean; dataDir?: string }) => withStore(opts.dataDir, (store) => runMediatorList(opts, store)));
  mediator
    .command('disable <login>')
    .description('Désactiver un compte : ses sessions sont fermées, il ne peut plus se connecter.')
    .option(...dataDirOption)
    .action(async (login: string, opts: { dataDir?: string }) => withStore(opts.dataDir, (store) => runMediatorDisable(login, true, store)));
  mediator
    .command('enable <login>')
    .description('Réactiver un compte désactivé.')
    .option(...dataDirOption)
    .action(async (login: string, opts: { dataDir?: string }) => withStore(opts.dataDir, (store) => runMediatorDisable(login, false, store)));
  mediator
    .command('password <login>')
    .description('Donner un nouveau mot de passe (oubli, départ d’un membre de l’équipe) : les sessions ouvertes sont fermées.')
    .option('--password-stdin', 'lire le mot de passe sur l’entrée standard (scripts)')
    .option(...dataDirOption)
    .action(async (login: string, opts: { passwordStdin?: boolean; dataDir?: string }) => withStore(opts.dataDir, (store) => runMediatorPassword(login, store, passwordReader(opts, login))));
}
