/** The client's activity id, sealed at rest: deterministic (retries find their turn), opened back as sent, bound to its conversation. */
import { randomBytes } from 'node:crypto';
import { ClientIdSeal } from '../../src/bot/directline/ClientIdSeal';
import { TokenService } from '../../src/bot';

describe('ClientIdSeal', () => {
  const seal = new ClientIdSeal(new TokenService('k'.repeat(32), 600).deriveKey('client activity ids'));

  test('the same id in the same conversation seals the same way, and opens back as sent (any text, up to 100 characters)', () => {
    for (const id of ['17962847065445knz5coz9y7', 'tel0612345678', 'marie.dupont @ example.fr', 'é🙂'.repeat(20), randomBytes(16).toString('hex')]) {
      const sealed = seal.seal('conv-a', id);
      expect(sealed).toBe(seal.seal('conv-a', id));
      expect(sealed).toMatch(/^s1\.[A-Za-z0-9_-]+$/);
      expect(sealed).not.toContain(id);
      expect(seal.open('conv-a', sealed)).toBe(id);
    }
  });

  test('bound to its conversation and its key; a value that is not a seal of ours opens to nothing', () => {
    const sealed = seal.seal('conv-a', 'm-1');
    expect(seal.seal('conv-b', 'm-1')).not.toBe(sealed);
    expect(seal.open('conv-b', sealed)).toBeUndefined();
    const other = new ClientIdSeal(new TokenService('z'.repeat(32), 600).deriveKey('client activity ids'));
    expect(other.open('conv-a', sealed)).toBeUndefined();
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(seal.open('conv-a', tampered)).toBeUndefined();
    for (const junk of ['m-1', 's1.', 's1.x', 's1.' + 'A'.repeat(40), '']) expect(seal.open('conv-a', junk)).toBeUndefined();
  });

  test('keys derived for two purposes differ, and every instance sharing the token key derives the same', () => {
    const a = new TokenService('k'.repeat(32), 600);
    expect(a.deriveKey('x').equals(new TokenService('k'.repeat(32), 60).deriveKey('x'))).toBe(true);
    expect(a.deriveKey('x').equals(a.deriveKey('y'))).toBe(false);
  });
});
