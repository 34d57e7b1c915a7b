import { runGeocode } from '../../src/cli/geocodeCommand';

function capture() {
  const out: string[] = [];
  return { out, io: { out: (t: string) => out.push(t), err: (l: string) => out.push(l) } };
}

describe('ariane geocode', () => {
  it('prints each commune with INSEE code, postcode, département and coordinates', () => {
    const c = capture();
    expect(runGeocode(['35550', 'st denis'], {}, c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/35550 →\n {2}Pipriac — INSEE 35219, CP 35550, Ille-et-Vilaine \(35\) — 47\.\d+, -1\.\d+/);
    expect(text).toContain('st denis → plusieurs communes (précisez le département) :');
    expect(text).toContain('Saint-Denis — INSEE 93066, CP 93200, Seine-Saint-Denis (93)');
  });

  it('answers in JSON, one object per query, and fails when a query is not found', () => {
    const c = capture();
    expect(runGeocode(['Lormont', 'xyzzy', ''], { json: true }, c.io)).toBe(1);
    const results = JSON.parse(c.out.join('')) as Array<{ query: string; kind: string; matches: Array<{ insee: string }> }>;
    expect(results.map((r) => [r.query, r.kind, r.matches[0]?.insee])).toEqual([
      ['Lormont', 'name', '33249'],
      ['xyzzy', 'none', undefined],
    ]);
  });
});
