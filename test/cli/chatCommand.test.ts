import { Readable } from 'node:stream';
import { join } from 'node:path';
import { loadCatalog, renderText, runChat } from '../../src/cli/chatCommand';

const FIXTURES = join(__dirname, '..', 'fixtures', 'flows-engine');

async function chat(flowId: string | undefined, lines: string[], lang = 'fr'): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await runChat(flowId, { lang, flows: FIXTURES }, Readable.from(lines.map((l) => `${l}\n`)), (l) => out.push(l));
  return { code, out };
}

describe('ariane chat', () => {
  it('plays a flow from piped input, one answer per line, and stops at the end', async () => {
    const { code, out } = await chat('demo-all', ['2', "c'est fait", 'this line is never read']);
    expect(code).toBe(0);
    expect(out).toContain('Avez-vous un compte ?');
    expect(out).toContain('  1. Oui');
    expect(out).toContain('  3. J\'ai oublié mon identifiant');
    expect(out).toContain('> 2');
    expect(out).toContain('Créez votre compte.');
    expect(out).toContain('  1. C’est fait');
    expect(out).toContain("C'est terminé.");
    expect(out).toContain('Ensuite : Vous recevrez un courriel.');
    expect(out).toContain('  🔗 Aide : https://example.org/aide');
    expect(out[out.length - 1]).toBe('[fin du parcours : demo-all / fin-ok]');
    expect(out).not.toContain('> this line is never read');
  });

  it('at a handoff shows its reason and the help needed, then plays the help dialogue: where → places → continue alone', async () => {
    const { out } = await chat('demo-all', ['oui', 'aide', '33000', 'continuer seul']);
    const relais = out.indexOf('[relais vers une personne : asked — Aide aux démarches administratives]');
    expect(relais).toBeGreaterThan(0);
    expect(out).toContain('D’accord. Une personne peut vous aider.');
    expect(out[relais + 1]).toBe('Pour trouver un lieu d’aide près de chez vous, où êtes-vous ? Écrivez votre code postal ou le nom de votre commune.');
    // The starter directory shipped with the project has places around Bordeaux.
    const places = out.findIndex((l) => l.startsWith('Voici des lieux d’aide près de Bordeaux'));
    expect(places).toBeGreaterThan(relais);
    expect(out[places + 1]).toMatch(/^ {2}📍 .+ km\) — /);
    expect(out).toContain('D’accord, continuons. Voici où vous en étiez.');
    expect(out[out.length - 1]).toBe('Votre date de naissance ?');
  });

  it('renders checklists, retries and the help offer', async () => {
    const { out } = await chat('demo-all', ['oui', '15/03/1990', '75011', '42', 'banane', 'kiwi', 'fraise']);
    expect(out).toContain('  ☐ Pièce d\'identité');
    expect(out).toContain('Quand vous avez tout, répondez « J’ai tout, continuer ».');
    expect(out).toContain('  2. Parler à une personne');
    // The third answer not understood offers the help places, once.
    expect(out).toContain('[relais vers une personne : failures — Aide aux démarches administratives]');
  });

  it('speaks English with --lang en, and switches language on request', async () => {
    const { out } = await chat('demo-all', ['français'], 'en');
    expect(out[0]).toBe('OK: Demo procedure.');
    expect(out).toContain('Do you have an account?');
    expect(out).toContain('[langue : fr]');
    expect(out).toContain('D’accord, je continue en français.');
    expect(out[out.length - 1]).toBe('  3. J\'ai oublié mon identifiant');
  });

  it('without a flow id, starts on the welcome and picks a procedure from a sentence', async () => {
    const { out } = await chat(undefined, ['inscription pole emploi']);
    expect(out[0]).toBe('Bonjour, quelle démarche voulez-vous faire ? Choisissez, ou écrivez-la avec vos mots.');
    expect(out).toContain('D’accord : Inscription à France Travail.');
  });

  it('an unknown flow id exits 1 with a suggestion', async () => {
    const { code, out } = await chat('demo-al', []);
    expect(code).toBe(1);
    expect(out).toEqual(['Aucun parcours « demo-al » : vouliez-vous dire « demo-all » ?']);
  });

  it('ends quietly at end of input', async () => {
    const { code, out } = await chat('demo-all', ['oui']);
    expect(code).toBe(0);
    expect(out[out.length - 1]).toBe('Votre date de naissance ?');
  });

  it('renderText numbers choices and translates keys', () => {
    const lines = renderText([{ kind: 'choices', choices: [{ label: { key: 'engine:yes' }, value: 'yes' }, { label: { text: 'Peut-être' }, value: 'x' }] }], 'fr');
    expect(lines).toEqual(['  1. Oui', '  2. Peut-être']);
  });

  it('loadCatalog reads a flows directory', () => {
    expect([...loadCatalog(FIXTURES).flows.keys()]).toContain('demo-all');
  });
});
