import { foldName, getGeocoder } from '../../src/geo';

const geocoder = getGeocoder();
const km = (a: { lat: number; lon: number }, b: { lat: number; lon: number }) => {
  const r = Math.PI / 180;
  const h = Math.sin(((b.lat - a.lat) * r) / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(((b.lon - a.lon) * r) / 2) ** 2;
  return 12742 * Math.asin(Math.sqrt(h));
};
// Town-hall positions (public knowledge) to check coordinates are in the right place.
const PIPRIAC = { lat: 47.8086, lon: -1.9465 };
const CHATEAUROUX = { lat: 46.8103, lon: 1.6913 };

describe('foldName', () => {
  it('removes case, accents and punctuation and spells out abbreviations', () => {
    expect(foldName('St-Étienne-du-Rouvray')).toBe('saint etienne du rouvray');
    expect(foldName('STE FOY LES LYON')).toBe('sainte foy les lyon');
    expect(foldName("L'Haÿ-les-Roses")).toBe('l hay les roses');
    expect(foldName('Châlons s/ Marne')).toBe('chalons sur marne');
  });
});

describe('Geocoder', () => {
  it('covers every current commune, mainland and overseas, with coordinates', () => {
    const { communes, byPrecision } = geocoder.stats();
    expect(communes).toBeGreaterThan(34_900);
    // A handful of territories without any located neighbour (e.g. Clipperton) may stay unlocated.
    expect(byPrecision.none ?? 0).toBeLessThan(20);
    expect(byPrecision.commune).toBeGreaterThan(14_000);
    for (const insee of ['97411', '97302', '97209', '97101', '97611', '98818', '97502']) expect(geocoder.commune(insee)).toBeDefined();
  });

  it('finds a commune by postcode, most populated first', () => {
    const r = geocoder.geocode('35550');
    expect(r.kind).toBe('postcode');
    expect(r.ambiguous).toBe(false);
    expect(r.matches[0]).toMatchObject({ nom: 'Pipriac', insee: '35219', postcode: '35550', departement: '35', departementNom: 'Ille-et-Vilaine' });
    expect(r.matches.length).toBeGreaterThan(1);
    expect(km(r.point!, PIPRIAC)).toBeLessThan(3);
  });

  it('gives the arrondissement for Paris, Lyon and Marseille postcodes', () => {
    expect(geocoder.geocode('75011').matches.map((m) => m.insee)).toEqual(['75111']);
    const marseille8 = geocoder.geocode('13008').matches[0];
    expect(marseille8?.insee).toBe('13208');
    expect(km(marseille8!, { lat: 43.2565, lon: 5.3835 })).toBeLessThan(5);
  });

  it('reads names without accents, with typos and with "st"', () => {
    expect(geocoder.geocode('chateauroux').matches[0]?.insee).toBe('36044');
    const typo = geocoder.geocode('Chateaurou');
    expect(typo.matches[0]).toMatchObject({ insee: '36044', matchedName: 'Châteauroux' });
    expect(km(typo.point!, CHATEAUROUX)).toBeLessThan(3);
    expect(geocoder.geocode('Lormon').matches[0]?.insee).toBe('33249');
    expect(geocoder.geocode('ste foy les lyon').matches[0]?.insee).toBe('69202');
    // A typo near a city and a few villages means the city.
    expect(geocoder.geocode('renes')).toMatchObject({ ambiguous: false, matches: [{ insee: '35238' }] });
    expect(geocoder.geocode('bordeau').matches.map((m) => m.insee)).toEqual(['33063']);
  });

  it('tells a commune or département name typed exactly from other words (for « la caf de Roubaix »)', () => {
    for (const name of ['roubaix', 'Vénissieux', 'st denis', 'seine saint denis', 'bouches du rhone']) expect(geocoder.isPlaceName(name)).toBe(true);
    // A letter off is no place here: a request's word is not a village's near-namesake.
    for (const word of ['roubai', 'attestation', 'paiement', 'imprimante', '']) expect(geocoder.isPlaceName(word)).toBe(false);
  });

  it('returns every homonym with its département, and narrows with a département or postcode', () => {
    const r = geocoder.geocode('st denis');
    expect(r.ambiguous).toBe(true);
    expect(r.matches.map((m) => m.departement)).toEqual(expect.arrayContaining(['93', '974']));
    expect(geocoder.geocode('Saint-Denis 93').matches.map((m) => m.insee)).toEqual(['93066']);
    expect(geocoder.geocode('saint denis (974)').matches.map((m) => m.insee)).toEqual(['97411']);
    expect(geocoder.geocode('Saint-Denis 97400').matches.map((m) => m.insee)).toEqual(['97411']);
    expect(geocoder.geocode('La Rochelle 17').ambiguous).toBe(false);
  });

  it('trusts the name when the postcode given is not one the registry lists for it', () => {
    expect(geocoder.geocode('DUMBEA 98837').matches[0]?.insee).toBe('98805');
  });

  it('knows former communes merged into a new one', () => {
    const r = geocoder.geocode('Cherbourg-Octeville');
    expect(r.matches[0]).toMatchObject({ insee: '50129', nom: 'Cherbourg-en-Cotentin', matchedName: 'Cherbourg-Octeville' });
  });

  it('accepts coordinates and names the nearest commune', () => {
    const r = geocoder.geocode('48.1113, -1.6800');
    expect(r.kind).toBe('coordinates');
    expect(r.point).toEqual({ lat: 48.1113, lon: -1.68 });
    expect(r.matches[0]?.nom).toBe('Rennes');
  });

  it('finds overseas communes', () => {
    expect(geocoder.geocode('Nouméa').matches[0]).toMatchObject({ insee: '98818', departement: '988' });
    expect(geocoder.geocode('97600').matches[0]?.insee).toBe('97611');
    expect(geocoder.geocode('Cayenne').matches[0]?.lat).toBeCloseTo(4.93, 1);
  });

  it('says when nothing fits, without throwing', () => {
    for (const q of ['xyzzy', '', '00000', '   ', '999,999']) {
      const r = geocoder.geocode(q);
      expect(r.kind).toBe('none');
      expect(r.matches).toEqual([]);
    }
  });

  it('places a commune without its own GeoNames point at the centre of its postcode neighbours (documented fallback)', () => {
    // Saint-Ganton has no GeoNames entry; it shares 35550 with Pipriac and five other villages.
    const saintGanton = geocoder.commune('35268');
    expect(saintGanton).toMatchObject({ nom: 'Saint-Ganton', precision: 'postcode' });
    const placed = geocoder.postcode('35550').filter((m) => m.precision === 'commune' || m.precision === 'name');
    expect(placed.length).toBeGreaterThanOrEqual(5);
    expect(saintGanton!.lat).toBeCloseTo(placed.reduce((sum, m) => sum + m.lat, 0) / placed.length, 4);
    expect(saintGanton!.lon).toBeCloseTo(placed.reduce((sum, m) => sum + m.lon, 0) / placed.length, 4);
    expect(km(saintGanton!, { lat: 47.7733, lon: -1.8936 })).toBeLessThan(15);
    expect(km(saintGanton!, PIPRIAC)).toBeLessThan(25);
    expect(geocoder.locate({ postcode: '35550', name: 'pipriac' })?.insee).toBe('35219');
    expect(geocoder.locate({ insee: '36044' })?.nom).toBe('Châteauroux');
  });

  it('falls back to a town of the same name, then the intercommunality, then the département', () => {
    // Faaa (Tahiti): GeoNames has the town, without its INSEE code.
    expect(geocoder.commune('98715')).toMatchObject({ precision: 'name' });
    expect(km(geocoder.commune('98715')!, { lat: -17.5525, lon: -149.6075 })).toBeLessThan(5);
    // Valromey-sur-Séran: neither it nor the communes sharing 01260 are in GeoNames; its EPCI's are.
    const valromey = geocoder.commune('01036');
    expect(valromey).toMatchObject({ precision: 'epci' });
    expect(km(valromey!, { lat: 45.87, lon: 5.7 })).toBeLessThan(25);
    // Île-de-Bréhat: an island alone with its postcode and in no EPCI.
    const brehat = geocoder.geocode('Île-de-Bréhat').matches[0];
    expect(brehat).toMatchObject({ insee: '22016', precision: 'departement', departement: '22' });
    expect(km(brehat!, { lat: 48.846, lon: -3.0 })).toBeLessThan(80);
  });
});
