/**
 * Words the renderers write around flow content ("Question", "si … alors …"). Flow content comes
 * from the YAML in the flow's own languages; these few labels exist in French and English, and any
 * other language falls back to French, like flow texts do.
 */
export interface RenderLabels {
  kinds: Record<'question' | 'input' | 'step' | 'checklist' | 'branch' | 'end' | 'handoff', string>;
  start: string;
  done: string;
  cannot: string;
  defaultHelp: string;
  continue: string;
  otherwise: string;
  if: string;
  then: string;
  and: string;
  or: string;
  is: string;
  isOneOf: string;
  isMissing: string;
  isPresent: string;
  yes: string;
  no: string;
  goTo: string;
  answers: string;
  nextSteps: string;
  ifProblem: string;
  reason: string;
  helpNeeded: string;
  programmes: string;
  organisation: string;
  reviewed: string;
  sources: string;
  language: string;
  unreachable: string;
  source: string;
  inputTypes: Record<'postcode' | 'commune' | 'date' | 'number' | 'yesno' | 'text', string>;
  savedAs: string;
  expected: string;
  image: string;
  mediatorNote: string;
  /** Blank fields printed at the top of the sheet, filled in by hand. */
  fields: string[];
}

const fr: RenderLabels = {
  kinds: { question: 'Question', input: 'Réponse à écrire', step: 'Étape', checklist: 'Documents à réunir', branch: 'Aiguillage', end: 'Fin', handoff: 'Relais vers une personne' },
  start: 'Début',
  done: "C'est fait",
  cannot: "Je n'y arrive pas",
  defaultHelp: 'Aide humaine (par défaut)',
  continue: 'Continuer',
  otherwise: 'sinon',
  if: 'Si',
  then: 'alors',
  and: 'et',
  or: 'ou',
  is: '=',
  isOneOf: 'est parmi',
  isMissing: "n'a pas de réponse",
  isPresent: 'a une réponse',
  yes: 'oui',
  no: 'non',
  goTo: 'aller à',
  answers: 'Réponses possibles',
  nextSteps: 'Ensuite',
  ifProblem: 'En cas de problème',
  reason: 'Raison',
  helpNeeded: 'Aide nécessaire',
  programmes: 'Dispositifs',
  organisation: 'Organisme',
  reviewed: 'Contenu vérifié le',
  sources: 'Sources officielles',
  language: 'Langue',
  unreachable: 'Étapes non reliées au départ',
  source: 'Source',
  inputTypes: { postcode: 'code postal', commune: 'commune', date: 'date', number: 'nombre', yesno: 'oui ou non', text: 'texte court' },
  savedAs: 'gardée sous le nom',
  expected: 'Réponse attendue',
  image: 'Image',
  mediatorNote: 'Fiche pour le médiateur : cochez chaque case une fois faite. À tout moment, la personne peut dire « aide » pour être orientée vers une personne.',
  fields: ['Date', 'Code de relais (si la personne en a un)', 'Notes'],
};

const en: RenderLabels = {
  kinds: { question: 'Question', input: 'Typed answer', step: 'Step', checklist: 'Documents to gather', branch: 'Branch', end: 'End', handoff: 'Handover to a person' },
  start: 'Start',
  done: 'Done',
  cannot: "I can't do it",
  defaultHelp: 'Human help (default)',
  continue: 'Continue',
  otherwise: 'otherwise',
  if: 'If',
  then: 'then',
  and: 'and',
  or: 'or',
  is: '=',
  isOneOf: 'is one of',
  isMissing: 'has no answer',
  isPresent: 'has an answer',
  yes: 'yes',
  no: 'no',
  goTo: 'go to',
  answers: 'Possible answers',
  nextSteps: 'Next',
  ifProblem: 'If there is a problem',
  reason: 'Reason',
  helpNeeded: 'Help needed',
  programmes: 'Programmes',
  organisation: 'Organisation',
  reviewed: 'Content checked on',
  sources: 'Official sources',
  language: 'Language',
  unreachable: 'Steps not linked to the start',
  source: 'Source',
  inputTypes: { postcode: 'postcode', commune: 'town', date: 'date', number: 'number', yesno: 'yes or no', text: 'short text' },
  savedAs: 'saved as',
  expected: 'Expected answer',
  image: 'Image',
  mediatorNote: 'Mediator sheet: tick each box once done. At any time, the person can say "help" to be directed to a person.',
  fields: ['Date', 'Handover code (if the person has one)', 'Notes'],
};

const LABELS: Record<string, RenderLabels> = { fr, en };

/** The renderer's own words in `lang` (French when the language has none). */
export function labelsFor(lang: string): RenderLabels {
  return LABELS[lang] ?? LABELS[lang.split('-')[0] ?? ''] ?? fr;
}
