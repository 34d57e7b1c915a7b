/**
 * A synthetic file of the national help-places dataset, in the standard's CSV columns, for the sync
 * tests and the bench: `count` fictional places spread over metropolitan France, with the mix of
 * fields real rows carry (hours, phones, several services, programmes, support modes, a few
 * mobile places, a few malformed hours). Deterministic for a given seed.
 */
import { rng } from './stats';

const COLUMNS = [
  'id', 'pivot', 'nom', 'commune', 'code_postal', 'code_insee', 'adresse', 'complement_adresse', 'latitude', 'longitude', 'typologie', 'telephone', 'courriels', 'site_web',
  'horaires', 'presentation_resume', 'presentation_detail', 'source', 'itinerance', 'structure_parente', 'date_maj', 'services', 'publics_specifiquement_adresses',
  'prise_en_charge_specifique', 'frais_a_charge', 'dispositif_programmes_nationaux', 'formations_labels', 'autres_formations_labels', 'modalites_acces', 'modalites_accompagnement',
  'fiche_acces_libre', 'prise_rdv',
] as const;

const SERVICES = ['Aide aux démarches administratives', 'Maîtrise des outils numériques du quotidien', 'Compréhension du monde numérique', 'Insertion professionnelle via le numérique', 'Accès internet et matériel informatique'];
const HOURS = ['Mo-Fr 09:00-12:00,14:00-17:00', 'Tu,Th 09:00-12:30', 'Mo-Sa 10:00-18:00', 'We 14:00-17:00; Sa 09:00-12:00', 'du lundi au vendredi'];
const PROGRAMMES = ['', 'Conseillers numériques', 'France Services', 'Aidants Connect', 'Conseillers numériques|Aidants Connect'];
const MODES = ['', 'Accompagnement individuel', 'Dans un atelier collectif', 'Accompagnement individuel|Dans un atelier collectif', 'En autonomie'];
const SPECIFIC = ['', '', '', '', 'Surdité', 'Déficience visuelle', 'Illettrisme', 'Langues étrangères (autres)'];

const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const pick = <T>(list: readonly T[], random: () => number): T => list[Math.floor(random() * list.length)]!;

/** One row of the standard, as the CSV holds it. */
export function syntheticRow(i: number, random: () => number, idPrefix = 'synthetic'): Record<(typeof COLUMNS)[number], string> {
  const services = SERVICES.filter(() => random() < 0.45);
  return {
    id: `${idPrefix}-${i}`,
    pivot: random() < 0.3 ? String(10_000_000_000_000 + i) : '00000000000000',
    nom: `Lieu de médiation numérique ${i}`,
    commune: 'Commune Exemple',
    code_postal: String(10000 + (i % 85000)).padStart(5, '0'),
    code_insee: '',
    adresse: `${1 + (i % 200)} rue de la République`,
    complement_adresse: '',
    latitude: (42.4 + random() * 8.6).toFixed(6),
    longitude: (-4.7 + random() * 12.8).toFixed(6),
    typologie: '',
    telephone: random() < 0.7 ? `+3329${String(1000000 + (i % 8999999)).padStart(7, '0')}` : '',
    courriels: random() < 0.4 ? `contact${i}@exemple.org` : '',
    site_web: '',
    horaires: random() < 0.8 ? pick(HOURS, random) : '',
    presentation_resume: random() < 0.5 ? 'Un lieu où des médiateurs aident à utiliser le numérique et à faire ses démarches en ligne.' : '',
    presentation_detail: '',
    source: 'synthetic',
    itinerance: random() < 0.03 ? 'Itinérant' : '',
    structure_parente: '',
    date_maj: '2026-11-30',
    services: (services.length ? services : [SERVICES[0]!]).join('|'),
    publics_specifiquement_adresses: '',
    prise_en_charge_specifique: pick(SPECIFIC, random),
    frais_a_charge: random() < 0.6 ? 'Gratuit' : '',
    dispositif_programmes_nationaux: pick(PROGRAMMES, random),
    formations_labels: '',
    autres_formations_labels: '',
    modalites_acces: '',
    modalites_accompagnement: pick(MODES, random),
    fiche_acces_libre: '',
    prise_rdv: '',
  };
}

/** A CSV of `count` synthetic places (header first). */
export function syntheticPlacesCsv(count: number, seed = 11, idPrefix = 'synthetic'): string {
  const random = rng(seed);
  const lines = [COLUMNS.join(',')];
  for (let i = 0; i < count; i++) {
    const row = syntheticRow(i, random, idPrefix);
    lines.push(COLUMNS.map((c) => cell(row[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}
