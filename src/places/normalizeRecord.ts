/**
 * One imported record (a CSV row or a JSON object) → a `Place`, with every problem reported by
 * field. Real files mix v1 field names with older ones and carry free-form phones, `;`-separated
 * lists and unreadable hours; the rule is: a missing or broken *required* field skips the row, any
 * other broken value is dropped (or kept, for hours) with a warning, so no usable place is lost.
 */
import { foldAccents } from '../engine';
import { STANDARD_PROGRAMMES, STANDARD_SERVICES, STANDARD_SPECIFIC_SUPPORT } from '../flow';
import { checkOpeningHours } from './openingStatus';
import { toE164 } from './toE164';
import { ACCESS_MODES, FEES, ITINERANCE, PUBLICS, SUPPORT_MODES, type Place, type RowIssue } from './types';

/** Field names used before v1 that real files still carry → their v1 name. */
export const LEGACY_FIELDS: Readonly<Record<string, string>> = {
  courriel: 'courriels',
  conditions_acces: 'frais_a_charge',
  labels_nationaux: 'dispositif_programmes_nationaux',
  labels_autres: 'autres_formations_labels',
  publics_accueillis: 'publics_specifiquement_adresses',
  accessibilite: 'fiche_acces_libre',
  cle_unique: 'id',
};

const fold = (s: string) =>
  foldAccents(s)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** Older or sloppy spellings of enumeration values, keyed by their folded form. */
const ALIASES: Record<string, Record<string, string | null>> = {
  dispositif_programmes_nationaux: {
    cnfs: 'Conseillers numériques',
    'conseiller numerique': 'Conseillers numériques',
    'conseillers numeriques france services': 'Conseillers numériques',
    'point numerique caf': "Point d'accès numérique CAF",
    'point d acces numerique caf': "Point d'accès numérique CAF",
    'france service': 'France Services',
    // Pre-v1 labels with no v1 programme: dropped quietly (they are not errors in the file).
    aptic: null,
    'pass numerique': null,
  },
  frais_a_charge: { adhesion: 'Payant', tarife: 'Payant', payant: 'Payant', 'gratuit sous conditions': 'Gratuit sous condition' },
  publics_specifiquement_adresses: {
    'jeunes 16 26 ans': 'Jeunes',
    'seniors 65 ans': 'Seniors',
    'familles enfants': 'Familles et/ou enfants',
    etudiants: 'Étudiants',
  },
};

type Multi = { values: readonly string[]; field: keyof Place };
const ENUM_FIELDS: Multi[] = [
  { field: 'services', values: STANDARD_SERVICES },
  { field: 'dispositif_programmes_nationaux', values: STANDARD_PROGRAMMES },
  { field: 'prise_en_charge_specifique', values: STANDARD_SPECIFIC_SUPPORT },
  { field: 'frais_a_charge', values: FEES },
  { field: 'publics_specifiquement_adresses', values: PUBLICS },
  { field: 'itinerance', values: ITINERANCE },
  { field: 'modalites_acces', values: ACCESS_MODES },
  { field: 'modalites_accompagnement', values: SUPPORT_MODES },
];

const TEXT_FIELDS = [
  'complement_adresse',
  'presentation_resume',
  'presentation_detail',
  'source',
  'structure_parente',
] as const;
const LIST_FIELDS = ['typologie', 'formations_labels', 'autres_formations_labels'] as const;

/** A raw value as text: numbers as written, arrays joined with `|`, blanks as undefined. */
function text(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((v) => text(v)).filter(Boolean).join('|') || undefined;
  const s = String(value).trim();
  return s === '' ? undefined : s;
}

const split = (s: string, re = /[|;]/) =>
  s
    .split(re)
    .map((v) => v.trim())
    .filter(Boolean);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const URL_RE = /^https?:\/\/\S+$/i;

/** The result for one record: a place when the row is kept, and its issues either way. */
export interface NormalizeResult {
  place?: Place;
  issues: RowIssue[];
}

/** Normalises one record. `row` is what the report calls the row (line number or position). */
export function normalizeRecord(input: Record<string, unknown>, row: number): NormalizeResult {
  const raw: Record<string, unknown> = { ...input };
  const issues: RowIssue[] = [];
  const ref = text(raw.id) ?? text(raw.cle_unique) ?? text(raw.nom);
  const warn = (field: string, reason: string) => issues.push({ row, field, reason, severity: 'warning', ...(ref ? { ref } : {}) });
  const fail = (field: string, reason: string) => issues.push({ row, field, reason, severity: 'error', ...(ref ? { ref } : {}) });

  let generalPublic = false;
  for (const [old, v1] of Object.entries(LEGACY_FIELDS)) {
    if (raw[old] === undefined) continue;
    if (old === 'publics_accueillis' && /adultes|tout public/i.test(String(text(raw[old]) ?? ''))) {
      // Pre-v1 files listed every public a place welcomes; v1 lists only the ones it specifically
      // addresses, so a place open to adults is a general-public place.
      generalPublic = true;
      delete raw[old];
      continue;
    }
    if (raw[v1] === undefined) raw[v1] = raw[old];
    delete raw[old];
  }

  const place: Partial<Place> = {};
  const required = (field: 'id' | 'nom' | 'commune' | 'adresse' | 'date_maj') => {
    const v = text(raw[field]);
    if (v === undefined) fail(field, 'champ obligatoire absent');
    else place[field] = v;
  };
  required('id');
  required('nom');
  required('commune');
  required('adresse');

  const pivot = text(raw.pivot);
  if (pivot === undefined) {
    place.pivot = '00000000000000';
    warn('pivot', 'absent : remplacé par 00000000000000 (aucun SIRET connu), comme le prévoit le standard');
  } else if (!/^[a-zA-Z0-9]{9,14}$/.test(pivot)) {
    place.pivot = '00000000000000';
    warn('pivot', `« ${pivot} » n'est pas un SIRET/RNA (9 à 14 lettres ou chiffres) : ignoré`);
  } else place.pivot = pivot;

  let cp = text(raw.code_postal);
  if (cp !== undefined && /^\d{4}$/.test(cp)) {
    // A spreadsheet dropped the leading zero (01200 → 1200).
    warn('code_postal', `« ${cp} » : zéro initial rétabli (0${cp})`);
    cp = `0${cp}`;
  }
  if (cp === undefined) fail('code_postal', 'champ obligatoire absent');
  else if (!/^\d{5}$/.test(cp)) fail('code_postal', `« ${cp} » n'est pas un code postal (5 chiffres)`);
  else place.code_postal = cp;

  const dateMaj = text(raw.date_maj);
  if (dateMaj === undefined) fail('date_maj', 'champ obligatoire absent');
  else if (!/^\d{4}-\d{2}-\d{2}/.test(dateMaj) || Number.isNaN(Date.parse(dateMaj.slice(0, 10)))) fail('date_maj', `« ${dateMaj} » n'est pas une date AAAA-MM-JJ`);
  else place.date_maj = dateMaj.slice(0, 10);

  const insee = text(raw.code_insee);
  if (insee !== undefined) {
    if (/^([013-9]\d|2[AB1-9])\d{3}$/.test(insee)) place.code_insee = insee;
    else warn('code_insee', `« ${insee} » n'est pas un code INSEE : ignoré`);
  }

  const lat = text(raw.latitude);
  const lon = text(raw.longitude);
  if (lat !== undefined || lon !== undefined) {
    const la = Number(String(lat).replace(',', '.'));
    const lo = Number(String(lon).replace(',', '.'));
    if (!Number.isFinite(la) || !Number.isFinite(lo) || Math.abs(la) > 90 || Math.abs(lo) > 180 || (la === 0 && lo === 0)) {
      warn(lat === undefined ? 'longitude' : 'latitude', `coordonnées illisibles (${lat ?? '?'}, ${lon ?? '?'}) : le lieu sera placé au centre de sa commune`);
    } else {
      place.latitude = la;
      place.longitude = lo;
    }
  }

  const phone = text(raw.telephone);
  if (phone !== undefined) {
    const e164 = toE164(phone);
    if (e164) place.telephone = e164;
    else warn('telephone', `« ${phone} » n'est pas un numéro de téléphone français lisible : ignoré`);
  }

  const mails = text(raw.courriels);
  if (mails !== undefined) {
    const good = split(mails, /[|;,\s]+/).filter((m) => {
      if (EMAIL.test(m)) return true;
      warn('courriels', `« ${m} » n'est pas une adresse e-mail : ignorée`);
      return false;
    });
    if (good.length) place.courriels = good;
  }

  const sites = text(raw.site_web);
  if (sites !== undefined) {
    const good = split(sites, /[|;\s]+/)
      .map((u) => (/^www\./i.test(u) ? `https://${u}` : u))
      .filter((u) => {
        if (URL_RE.test(u)) return true;
        warn('site_web', `« ${u} » n'est pas une adresse web (https://…) : ignorée`);
        return false;
      });
    if (good.length) place.site_web = good;
  }

  for (const field of ['prise_rdv', 'fiche_acces_libre'] as const) {
    const u = text(raw[field]);
    if (u === undefined) continue;
    if (URL_RE.test(u)) place[field] = u;
    else warn(field, `« ${u} » n'est pas une adresse web (https://…) : ignorée`);
  }

  const hours = text(raw.horaires);
  if (hours !== undefined) {
    place.horaires = hours;
    const parsed = checkOpeningHours(hours);
    if (!parsed.ok) warn('horaires', `horaires illisibles (${parsed.error}) : le lieu est gardé, affiché « horaires non renseignés »`);
  }

  for (const field of TEXT_FIELDS) {
    const v = text(raw[field]);
    if (v !== undefined) place[field] = v;
  }
  if (place.presentation_resume && place.presentation_resume.length > 280) warn('presentation_resume', 'plus de 280 caractères');
  for (const field of LIST_FIELDS) {
    const v = text(raw[field]);
    if (v !== undefined) place[field] = split(v);
  }

  for (const { field, values } of ENUM_FIELDS) {
    const v = text(raw[field]);
    if (v === undefined) continue;
    const byFold = new Map(values.map((x) => [fold(x), x]));
    const aliases = ALIASES[field] ?? {};
    const kept: string[] = [];
    for (const item of split(v)) {
      const key = fold(item);
      const hit = byFold.get(key) ?? aliases[key];
      if (hit === null) continue;
      if (hit === undefined) warn(field, `« ${item} » n'est pas une valeur du standard : ignorée`);
      else if (!kept.includes(hit)) kept.push(hit);
    }
    if (kept.length) (place as Record<string, unknown>)[field] = kept;
  }
  if (generalPublic) delete place.publics_specifiquement_adresses;
  if (!place.services) place.services = [];

  if (issues.some((i) => i.severity === 'error')) return { issues };
  return { place: place as Place, issues };
}
