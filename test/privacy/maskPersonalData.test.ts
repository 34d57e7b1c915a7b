import { maskPersonalData } from '../../src/privacy';

describe('maskPersonalData', () => {
  it.each([
    ['mon numéro de sécu 1 85 05 78 006 084 36 svp', 'nir'],
    ['185057800608436', 'nir'],
    ['nia 2 99 12 2A 004 123', 'nir'],
    ['appelez moi au 06 12 34 56 78', 'phone'],
    ['tel: 06.12.34.56.78', 'phone'],
    ['+33 6 12 34 56 78', 'phone'],
    ['+262 692 12 34 56'.replace('692 12 34 56', '6 92 12 34 56'), 'phone'],
    ['écrivez à jean.dupont@example.fr merci', 'email'],
    ['mon rib FR76 3000 6000 0112 3456 7890 189', 'iban'],
    ['numero fiscal 0123456789012', 'tax-number'],
    ['numero fiscal 01 23 456 789 012', 'tax-number'],
    ['ma carte 4970 1012 3456 7890', 'card-number'],
  ])('masks %s as %s', (input, kind) => {
    const { text, found } = maskPersonalData(input);
    expect(found).toContain(kind);
    expect(text).toContain(`[${kind} masqué]`);
    expect(text).not.toMatch(/\d{4}/);
  });

  it.each([
    'je suis à 35550 Pipriac',
    'né le 12/05/1985',
    "j'ai 3 enfants et 1250 euros par mois",
    'rdv le 2026-11-22 à 14h30',
    'attestation caf',
    '',
  ])('leaves ordinary answers alone: %s', (input) => {
    expect(maskPersonalData(input)).toEqual({ text: input, found: [] });
  });

  it('masks several identifiers in one message and reports each kind once', () => {
    const r = maskPersonalData('a@b.fr et c@d.fr, tel 0612345678');
    expect(r.found.sort()).toEqual(['email', 'phone']);
    expect(r.text).toBe('[email masqué] et [email masqué], tel [phone masqué]');
  });

  it('never throws on hostile strings', () => {
    for (const s of ['\u202e1 85 05 78 006 084 36', '\ud800', 'x'.repeat(100_000), '<script>0612345678</script>']) {
      expect(() => maskPersonalData(s)).not.toThrow();
    }
  });
});
