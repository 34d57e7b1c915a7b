/**
 * The France Services list (ANCT export: `id_fs`, `lib_fs`, `h_lundi` … `h_samedi` with hours like
 * `"09:00 - 12:00 / 13:30 - 17:00"`) → records of the national standard, ready for `normalizeRecord`.
 */

const DAYS: Array<[string, string]> = [
  ['h_lundi', 'Mo'],
  ['h_mardi', 'Tu'],
  ['h_mercredi', 'We'],
  ['h_jeudi', 'Th'],
  ['h_vendredi', 'Fr'],
  ['h_samedi', 'Sa'],
  ['h_dimanche', 'Su'],
];

const pad = (n: string) => n.padStart(2, '0');

/**
 * One day's hours → opening_hours time ranges (`09:00-12:00,13:30-17:00`). `''` or `-`: closed
 * (returns ''); undefined when the text cannot be read (odd number of times, end before start).
 */
export function dayHoursToRanges(text: string | undefined): string | undefined {
  const t = (text ?? '').trim();
  if (t === '' || /^-+$/.test(t) || /^ferm/i.test(t)) return '';
  const times = [...t.matchAll(/(\d{1,2})\s*[:hH]\s*(\d{2})/g)].map((m) => `${pad(m[1] ?? '')}:${m[2] ?? ''}`);
  if (times.length === 0 || times.length % 2 !== 0) return undefined;
  const ranges: string[] = [];
  for (let i = 0; i < times.length; i += 2) {
    const from = times[i] ?? '';
    const to = times[i + 1] ?? '';
    // "00:00 - 00:00" is how the list writes an empty half-day.
    if (from === '00:00' && to === '00:00') continue;
    if (from >= to || to > '24:00') return undefined;
    ranges.push(`${from}-${to}`);
  }
  return ranges.join(',');
}

/**
 * A week of France Services hours → one opening_hours value, grouping days with the same ranges
 * (`Mo-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00`). `unreadable` lists the day columns that could
 * not be read; `value` is undefined when no day is known.
 */
export function franceServicesHours(row: Record<string, string | undefined>): { value?: string; unreadable: string[] } {
  const unreadable: string[] = [];
  const byRanges = new Map<string, number[]>();
  DAYS.forEach(([column], index) => {
    const ranges = dayHoursToRanges(row[column]);
    if (ranges === undefined) unreadable.push(column);
    else if (ranges !== '') byRanges.set(ranges, [...(byRanges.get(ranges) ?? []), index]);
  });
  if (byRanges.size === 0) return { unreadable };
  const rules = [...byRanges.entries()].map(([ranges, days]) => {
    // Consecutive days become a span (Mo-Fr); others a list (Mo,We).
    const parts: string[] = [];
    for (let i = 0; i < days.length; ) {
      let j = i;
      while (j + 1 < days.length && (days[j + 1] ?? 0) === (days[j] ?? 0) + 1) j++;
      const a = DAYS[days[i] ?? 0]?.[1] ?? '';
      const b = DAYS[days[j] ?? 0]?.[1] ?? '';
      parts.push(i === j ? a : j === i + 1 ? `${a},${b}` : `${a}-${b}`);
      i = j + 1;
    }
    return `${parts.join(',')} ${ranges}`;
  });
  return { value: rules.join('; '), unreadable };
}

/** One France Services row → a standard record (plus what could not be converted). */
export function franceServicesToStandard(
  row: Record<string, string | undefined>,
  dateMaj: string,
): { record: Record<string, unknown>; unreadableDays: string[] } {
  const hours = franceServicesHours(row);
  const record: Record<string, unknown> = {
    id: row.id_fs ? `france-services-${row.id_fs}` : undefined,
    pivot: '00000000000000',
    nom: row.lib_fs,
    commune: row.lib_com,
    code_postal: row.code_postal,
    code_insee: row.insee_com,
    adresse: row.adresse,
    complement_adresse: row.complement_adresse,
    latitude: row.latitude,
    longitude: row.longitude,
    telephone: row.telephone,
    courriels: row.mail,
    horaires: hours.value,
    presentation_detail: row.commentaire,
    source: 'france-services',
    itinerance: row.itinerance === 'Oui' ? 'Itinérant' : 'Fixe',
    structure_parente: row.groupe,
    date_maj: dateMaj,
    // Every France Services desk helps with administrative procedures, free of charge, one person at
    // a time by agents trained by the national partners: that is the label's charter (the list has
    // no such columns; sources in src/places/README.md).
    services: 'Aide aux démarches administratives',
    dispositif_programmes_nationaux: 'France Services',
    frais_a_charge: 'Gratuit',
    modalites_accompagnement: 'Accompagnement individuel',
  };
  return { record, unreadableDays: hours.unreadable };
}
