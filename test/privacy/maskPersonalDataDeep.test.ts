import fc from 'fast-check';
import { maskPersonalData, maskPersonalDataDeep } from '../../src/privacy';

/** The expected copy, by plain recursion (fine for the small values fast-check generates). */
function maskedByHand(v: unknown): unknown {
  if (typeof v === 'string') return maskPersonalData(v).text;
  if (Array.isArray(v)) return v.map(maskedByHand);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskedByHand(x)]));
  return v;
}

describe('maskPersonalDataDeep', () => {
  it('masks every string at any depth and keeps keys, numbers, booleans and null', () => {
    const input = {
      choice: 'lang:fr',
      from: { id: 'u1', name: 'Marie 06 12 34 56 78' },
      value: { intent: 'answer', notes: ['mon mot de passe est Soleil2024', 42, true, null], 'jean@example.fr': 'clé gardée' },
    };
    const { value, found } = maskPersonalDataDeep(input);
    expect(value).toEqual({
      choice: 'lang:fr',
      from: { id: 'u1', name: 'Marie [phone masqué]' },
      value: { intent: 'answer', notes: ['mon mot de passe est [password masqué]', 42, true, null], 'jean@example.fr': 'clé gardée' },
    });
    expect(found.sort()).toEqual(['password', 'phone']);
    // A copy: the input is untouched.
    expect(input.from.name).toBe('Marie 06 12 34 56 78');
  });

  it('masks a bare string and passes other scalars through', () => {
    expect(maskPersonalDataDeep('tel 0612345678')).toEqual({ value: 'tel [phone masqué]', found: ['phone'] });
    expect(maskPersonalDataDeep(7)).toEqual({ value: 7, found: [] });
    expect(maskPersonalDataDeep(undefined)).toEqual({ value: undefined, found: [] });
  });

  it('keeps "__proto__" and "constructor" keys as plain own properties', () => {
    const parsed = JSON.parse('{"__proto__": {"x": "0612345678"}, "constructor": "a@b.fr"}') as Record<string, unknown>;
    const { value } = maskPersonalDataDeep(parsed);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ x: '[phone masqué]' });
    expect(value['constructor']).toBe('[email masqué]');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('never throws: cycles, very deep nesting, throwing getters, revoked proxies', () => {
    const cyclic: Record<string, unknown> = { a: 'a@b.fr' };
    cyclic['self'] = cyclic;
    expect(maskPersonalDataDeep(cyclic).value).toEqual({ a: '[email masqué]', self: null });

    let deep: unknown = '0612345678';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    let inner = maskPersonalDataDeep(deep).value;
    for (let i = 0; i < 200_000; i++) inner = (inner as unknown[])[0];
    expect(inner).toBe('[phone masqué]');

    const getter = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(maskPersonalDataDeep({ ok: 'a@b.fr', bad: getter }).value).toEqual({ ok: '[email masqué]', bad: null });

    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(maskPersonalDataDeep({ p: proxy }).value).toEqual({ p: null });
  });

  it('leaves what is not plain JSON as it is', () => {
    const date = new Date(0);
    const map = new Map([['k', '0612345678']]);
    const { value } = maskPersonalDataDeep({ date, map });
    expect(value.date).toBe(date);
    expect(value.map).toBe(map);
  });

  it('on any JSON value: never throws, keeps the shape and the keys, masks each string as maskPersonalData does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        const { value } = maskPersonalDataDeep(json);
        expect(value).toEqual(maskedByHand(json));
      }),
      { numRuns: 300 },
    );
  });
});
