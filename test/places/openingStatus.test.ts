/**
 * Opening status at fixed instants, asserted under several process time zones: the answer must be
 * the place's local time (Europe/Paris on the mainland) whatever the server's TZ. Each zone runs in
 * a child process started with that `TZ` (see runUnderTz).
 */
import { checkOpeningHours, describeOpeningStatus, openingStatus } from '../../src/places/openingStatus';
import { runUnderTz } from './runUnderTz';

const HOURS = 'Mo-Fr 09:00-12:00,13:30-17:00';

const cases: Array<[string, string, string | undefined, string, string]> = [
  // [what, instant (UTC), postcode, hours, expected French sentence]
  ['a weekday morning', '2026-11-23T09:00:00Z', '35000', HOURS, "Ouvert maintenant, jusqu'à 12 h"],
  ['a weekday lunch break', '2026-11-23T11:30:00Z', '35000', HOURS, "Fermé pour le moment, ouvre aujourd'hui à 13 h 30"],
  ['a weekday after closing', '2026-11-23T16:30:00Z', '35000', HOURS, 'Fermé, ouvre demain à 9 h'],
  ['a Sunday', '2026-11-22T14:00:00Z', '35000', HOURS, 'Fermé, ouvre demain à 9 h'],
  ['a Saturday', '2026-11-21T10:00:00Z', '35000', HOURS, 'Fermé, ouvre lundi à 9 h'],
  ['1 May (a Friday, summer time)', '2026-05-01T08:00:00Z', '35000', HOURS, 'Jour férié — Fermé, ouvre lundi à 9 h'],
  ['14 July (a Tuesday)', '2026-07-14T08:00:00Z', '35000', HOURS, 'Jour férié — Fermé, ouvre demain à 9 h'],
  ['14 July when the hours open on holidays', '2026-07-14T08:30:00Z', '35000', `${HOURS}; PH 10:00-12:00`, "Ouvert maintenant, jusqu'à 12 h"],
  ['26 December in Moselle (local holiday)', '2025-12-26T09:00:00Z', '57000', HOURS, 'Jour férié — Fermé, ouvre lundi à 9 h'],
  ['26 December in Paris (no holiday)', '2025-12-26T09:00:00Z', '75001', HOURS, "Ouvert maintenant, jusqu'à 12 h"],
  ['La Réunion in its own time zone', '2026-11-23T05:30:00Z', '97400', 'Mo-Fr 08:00-12:00', "Ouvert maintenant, jusqu'à 12 h"],
  ['an evening opening', '2026-11-25T16:00:00Z', '35000', 'We 17:30-20:00', "Fermé pour le moment, ouvre aujourd'hui à 17 h 30"],
  ['a late opening until midnight', '2026-11-23T21:00:00Z', '35000', 'Mo 20:00-24:00', "Ouvert maintenant, jusqu'à minuit"],
  ['no hours', '2026-11-23T09:00:00Z', '35000', '', 'Horaires non renseignés'],
  ['unparseable hours', '2026-11-23T09:00:00Z', '35000', 'lundi matin seulement', 'Horaires non renseignés'],
];

describe.each(['UTC', 'Europe/Paris', 'America/New_York', 'Pacific/Auckland'])('process TZ=%s', (tz) => {
  let run: { offset: number; result: string[] };
  beforeAll(() => {
    const list = JSON.stringify(cases.map(([, instant, postcode, hours]) => [instant, postcode, hours]));
    run = runUnderTz(tz, `return ${list}.map(([i, p, h]) => places.describeOpeningStatus(places.openingStatus(h, new Date(i), p), 'fr'));`);
  });

  it('really runs under that zone', () => {
    expect(run.offset).toBe({ UTC: 0, 'Europe/Paris': -60, 'America/New_York': 300, 'Pacific/Auckland': -780 }[tz]);
  });

  it.each(cases.map((c, i) => [...c, i] as const))('%s', (_what, _instant, _postcode, _hours, sentence, i) => {
    expect(run.result[i]).toBe(sentence);
  });
});

describe('in this process', () => {
  it.each(cases)('%s', (_what, instant, postcode, hours, sentence) => {
    expect(describeOpeningStatus(openingStatus(hours, new Date(instant), postcode), 'fr')).toBe(sentence);
  });
});

describe('structured status', () => {
  it('gives the local time and the real instant of the next change', () => {
    const s = openingStatus(HOURS, new Date('2026-11-23T09:00:00Z'), '35000');
    expect(s).toEqual({ state: 'open', until: { iso: '2026-11-23T11:00:00.000Z', weekday: 1, date: '2026-11-23', hour: 12, minute: 0, daysAhead: 0 } });
    const closed = openingStatus(HOURS, new Date('2026-05-01T08:00:00Z'), '35000');
    expect(closed).toMatchObject({ state: 'closed', holiday: true, nextOpen: { iso: '2026-05-04T07:00:00.000Z', hour: 9, weekday: 1 } });
  });

  it('crosses the change to summer time correctly (real instant of the next opening)', () => {
    // Saturday 28 March 2026, 13:00 in Paris (winter time); clocks go forward on Sunday night.
    const s = openingStatus(HOURS, new Date('2026-03-28T12:00:00Z'), '35000');
    expect(s).toMatchObject({ state: 'closed', nextOpen: { iso: '2026-03-30T07:00:00.000Z', hour: 9, weekday: 1, daysAhead: 2 } });
    const autumn = openingStatus(HOURS, new Date('2026-10-24T12:00:00Z'), '35000');
    expect(autumn).toMatchObject({ state: 'closed', nextOpen: { iso: '2026-10-26T08:00:00.000Z', hour: 9 } });
  });

  it('tells missing from unparseable hours', () => {
    expect(openingStatus(undefined, new Date(), '35000')).toEqual({ state: 'unknown', reason: 'missing' });
    expect(openingStatus('n’importe quoi', new Date(), '35000')).toEqual({ state: 'unknown', reason: 'unparseable' });
  });

  it('speaks English from locales/en/places.json', () => {
    const s = openingStatus(HOURS, new Date('2026-11-22T14:00:00Z'), '35000');
    expect(describeOpeningStatus(s, 'en')).toBe('Closed, opens tomorrow at 9:00');
  });
});

describe('checkOpeningHours', () => {
  it('accepts the everyday syntax at once and sends the rest to the real parser', () => {
    expect(checkOpeningHours('Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00; PH off')).toEqual({ ok: true });
    expect(checkOpeningHours('Mo,We,Fr 08:30-12:00')).toEqual({ ok: true });
    expect(checkOpeningHours('Mo-Fr 09:00-12:00; Su off')).toEqual({ ok: true });
    // Not in the simple shape but valid for the full parser.
    expect(checkOpeningHours('Mo-Fr 09:00-12:00 "sur rendez-vous"')).toEqual({ ok: true });
    expect(checkOpeningHours('Mo-Th 09:00-12:00,13:00-18:00 <--- oups')).toMatchObject({ ok: false });
    expect(checkOpeningHours('Mo 25:00-26:00')).toMatchObject({ ok: false });
  });
});
