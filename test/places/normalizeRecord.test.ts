import { normalizeRecord } from '../../src/places/normalizeRecord';
import { toE164, formatPhone } from '../../src/places/toE164';
import { dayHoursToRanges, franceServicesHours } from '../../src/places/franceServices';

const base = { id: 'x', pivot: '00000000000000', nom: 'Lieu', commune: 'Rennes', code_postal: '35000', adresse: '1 rue', date_maj: '2024-01-01', services: 'Aide aux démarches administratives' };

describe('normalizeRecord', () => {
  it('keeps a valid record and splits multi-valued fields on |', () => {
    const { place, issues } = normalizeRecord({ ...base, dispositif_programmes_nationaux: 'France Services|Aidants Connect', frais_a_charge: 'Gratuit' }, 2);
    expect(issues).toEqual([]);
    expect(place?.dispositif_programmes_nationaux).toEqual(['France Services', 'Aidants Connect']);
    expect(place?.services).toEqual(['Aide aux démarches administratives']);
  });

  it('skips a row missing a required field, reporting row, field and reason', () => {
    const { place, issues } = normalizeRecord({ ...base, code_postal: undefined, nom: '' }, 7);
    expect(place).toBeUndefined();
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 7, field: 'code_postal', severity: 'error', reason: 'champ obligatoire absent' }),
        expect.objectContaining({ row: 7, field: 'nom', severity: 'error' }),
      ]),
    );
  });

  it('restores a postcode that lost its leading zero, and rejects a malformed one', () => {
    expect(normalizeRecord({ ...base, code_postal: '1200' }, 1).place?.code_postal).toBe('01200');
    expect(normalizeRecord({ ...base, code_postal: '3500A' }, 1).place).toBeUndefined();
  });

  it('maps pre-v1 field names and values', () => {
    const { place } = normalizeRecord(
      { ...base, conditions_acces: 'Gratuit', labels_nationaux: 'CNFS;France Services;APTIC', courriel: 'a@b.fr', publics_accueillis: 'Jeunes (16-26 ans);Seniors (+ 65 ans)' },
      1,
    );
    expect(place?.frais_a_charge).toEqual(['Gratuit']);
    expect(place?.dispositif_programmes_nationaux).toEqual(['Conseillers numériques', 'France Services']);
    expect(place?.courriels).toEqual(['a@b.fr']);
    expect(place?.publics_specifiquement_adresses).toEqual(['Jeunes', 'Seniors']);
  });

  it('reads a pre-v1 "every public" list as a general-public place', () => {
    const { place } = normalizeRecord({ ...base, publics_accueillis: 'Adultes;Familles/enfants;Jeunes (16-26 ans)' }, 1);
    expect(place?.publics_specifiquement_adresses).toBeUndefined();
  });

  it('drops bad optional values with a warning and keeps the row', () => {
    const { place, issues } = normalizeRecord({ ...base, telephone: '12', courriels: 'pas-un-mail|ok@ok.fr', services: 'Aide aux démarches administratives|Service inventé', latitude: 'abc', longitude: '2' }, 3);
    expect(place).toBeDefined();
    expect(place?.telephone).toBeUndefined();
    expect(place?.courriels).toEqual(['ok@ok.fr']);
    expect(place?.services).toEqual(['Aide aux démarches administratives']);
    expect(place?.latitude).toBeUndefined();
    expect(issues.map((i) => [i.field, i.severity])).toEqual(
      expect.arrayContaining([
        ['telephone', 'warning'],
        ['courriels', 'warning'],
        ['services', 'warning'],
        ['latitude', 'warning'],
      ]),
    );
  });

  it('keeps unreadable hours (shown as unknown later) with a warning', () => {
    const { place, issues } = normalizeRecord({ ...base, horaires: 'lundi matin seulement' }, 4);
    expect(place?.horaires).toBe('lundi matin seulement');
    expect(issues).toEqual([expect.objectContaining({ field: 'horaires', severity: 'warning' })]);
  });
});

describe('phones', () => {
  it.each([
    ['02 99 34 36 91', '+33299343691'],
    ['02.99.34.36.91', '+33299343691'],
    ['+33 (0)2 99 34 36 91', '+33299343691'],
    ['0033299343691', '+33299343691'],
    ['0262 00 00 02', '+262262000002'],
    ['0690 12 34 56', '+590690123456'],
    ['0596 12 34 56', '+596596123456'],
    ['12', undefined],
  ])('%s → %s', (raw, e164) => expect(toE164(raw)).toBe(e164));

  it('formats mainland numbers for reading', () => expect(formatPhone('+33299343691')).toBe('02 99 34 36 91'));
});

describe('France Services hours', () => {
  it.each([
    ['09:00 - 12:00 / 13:30 - 17:00', '09:00-12:00,13:30-17:00'],
    ['09:00-12:00/13:30-16:00', '09:00-12:00,13:30-16:00'],
    ['8h30-11h30', '08:30-11:30'],
    ['00:00 - 00:00 / 14:00 - 17:00', '14:00-17:00'],
    ['-', ''],
    ['', ''],
    ['09:00 - 12:00 / 14:00', undefined],
    ['12:00 - 09:00', undefined],
  ])('%j → %j', (text, ranges) => expect(dayHoursToRanges(text)).toBe(ranges));

  it('groups days with the same hours into opening_hours rules', () => {
    const week = { h_lundi: '09:00 - 12:00', h_mardi: '09:00 - 12:00', h_mercredi: '14:00 - 17:00', h_jeudi: '09:00 - 12:00', h_vendredi: '09:00 - 12:00', h_samedi: '' };
    expect(franceServicesHours(week)).toEqual({ value: 'Mo,Tu,Th,Fr 09:00-12:00; We 14:00-17:00', unreadable: [] });
    const full = { h_lundi: '9:00-12:00', h_mardi: '9:00-12:00', h_mercredi: '9:00-12:00', h_jeudi: '9:00-12:00', h_vendredi: '9:00-12:00' };
    expect(franceServicesHours(full).value).toBe('Mo-Fr 09:00-12:00');
  });
});
