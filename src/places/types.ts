/**
 * The help-place model: the fields of the national standard for digital-mediation places
 * (LaMednum standard-mediation-num v1.0.x), typed here from its Table Schema, with multi-valued
 * fields already split on `|`. `@gouvfr-anct/lieux-de-mediation-numerique` (v2.3, CommonJS and ESM
 * builds, 653 files) was considered: its model validates by throwing on the first invalid value,
 * whereas an import must report every bad field of every row and keep what is usable, and its
 * enumerations are the very lists `src/flow/schema.ts` already holds for the flows' `support` (the
 * single source of truth), so Ariane types the fields itself.
 */
import type { STANDARD_PROGRAMMES, STANDARD_SERVICES, STANDARD_SPECIFIC_SUPPORT } from '../flow';

/** A `services` value of the standard. */
export type Service = (typeof STANDARD_SERVICES)[number];
/** A `dispositif_programmes_nationaux` value of the standard. */
export type Programme = (typeof STANDARD_PROGRAMMES)[number];
/** A `prise_en_charge_specifique` value of the standard. */
export type SpecificSupport = (typeof STANDARD_SPECIFIC_SUPPORT)[number];

/** `frais_a_charge` values. */
export const FEES = ['Gratuit', 'Gratuit sous condition', 'Payant'] as const;
/** `publics_specifiquement_adresses` values. */
export const PUBLICS = ['Jeunes', 'Étudiants', 'Familles et/ou enfants', 'Seniors', 'Femmes'] as const;
/** `itinerance` values. */
export const ITINERANCE = ['Itinérant', 'Fixe'] as const;
/** `modalites_acces` values. */
export const ACCESS_MODES = [
  'Se présenter',
  'Téléphoner',
  'Contacter par mail',
  'Prendre un RDV en ligne',
  "Ce lieu n'accueille pas de public",
  'Envoyer un mail avec une fiche de prescription',
] as const;
/** `modalites_accompagnement` values. */
export const SUPPORT_MODES = ['En autonomie', 'Accompagnement individuel', 'Dans un atelier collectif', 'À distance'] as const;

/** A help place as Ariane stores it (key `place:<id>`). */
export interface Place {
  id: string;
  pivot: string;
  nom: string;
  commune: string;
  code_postal: string;
  code_insee?: string;
  adresse: string;
  complement_adresse?: string;
  latitude?: number;
  longitude?: number;
  typologie?: string[];
  /** E.164 (`+33…`), normalised on import. */
  telephone?: string;
  courriels?: string[];
  site_web?: string[];
  /** OpenStreetMap opening_hours, as given (even when it does not parse: it is then shown as unknown). */
  horaires?: string;
  presentation_resume?: string;
  presentation_detail?: string;
  source?: string;
  itinerance?: string[];
  structure_parente?: string;
  date_maj: string;
  services: Service[];
  publics_specifiquement_adresses?: string[];
  prise_en_charge_specifique?: SpecificSupport[];
  frais_a_charge?: string[];
  dispositif_programmes_nationaux?: Programme[];
  formations_labels?: string[];
  autres_formations_labels?: string[];
  modalites_acces?: string[];
  modalites_accompagnement?: string[];
  fiche_acces_libre?: string;
  prise_rdv?: string;
  /** Ariane's own: how the coordinates were obtained when the record had none. */
  position_approx?: 'commune';
  /** Ariane's own: set on the places of the starter directory shipped with the project. */
  starter?: boolean;
  /** Ariane's own: the public page the starter place's facts come from. */
  starter_source?: string;
}

/** One problem found in an imported row. `error` skips the row; `warning` drops or fixes a field. */
export interface RowIssue {
  /** Row number: the file line for CSV, the 1-based position in the array for JSON. */
  row: number;
  field: string;
  reason: string;
  severity: 'error' | 'warning';
  /** The record's id or name when known, to find it in the file. */
  ref?: string;
}

/** What an import did. */
export interface ImportReport {
  rows: number;
  imported: number;
  /** Of `imported`: places that were not in the store before. */
  created: number;
  updated: number;
  skipped: number;
  /** Rows kept with at least one warning. */
  withWarnings: number;
  issues: RowIssue[];
  durationMs: number;
}
