import { basename } from 'node:path';
import { strictify, sortDiagnostics, type Diagnostic, type DiagnosticCode } from './diagnostic';
import type { DataPath, FlowSource, Position } from './flowSource';
import type { Condition, Contact, Flow, FlowNode, Text } from './schema';
import { closest } from './closest';
import { ficheIdOf, ficheUrl } from './ficheCitation';

/** A flow that passed schema validation, with the source it came from (for positions). */
export interface ParsedFlow {
  flow: Flow;
  source: Pick<FlowSource, 'file' | 'locate'>;
}

/**
 * What the checks need to know of the catalogue of service-public fiches. Injected, so that the
 * checks stay pure: the CLI passes the catalogue in use (src/sources), tests pass a few fiches.
 */
export interface FicheLookup {
  /** The fiche's title and last modification date (`YYYY-MM-DD`); undefined when the catalogue does not know it. */
  get(id: string): { title: string; modified: string } | undefined;
  /** The fiche an admin probably meant by an unknown id (closest to the title written beside it), for the hint. */
  suggest(id: string, title?: string): { id: string; title: string } | undefined;
  /**
   * False for an old snapshot (the embedded catalogue): a fiche it does not know may be newer than
   * it, so an unknown id is a warning, not an error.
   */
  complete: boolean;
  /** The catalogue in a message, after « inconnue » : « du catalogue embarqué (fiches jusqu’au 12 novembre 2020) ». */
  label: string;
  /**
   * For an incomplete catalogue: whether an unknown id may be a fiche published after it (fiche
   * numbers are given in order, so a number a little above the catalogue's highest of that letter).
   * Such an id is not reported; any other unknown id is (a typo, a removed page).
   */
  mayBeNewer?(id: string): boolean;
}

/** What the checks need to know from outside. `today` is passed in so that checks stay pure and testable. */
export interface CheckOptions {
  /** Today's date, `YYYY-MM-DD` (a `reviewed` date older than 12 months before it is a warning). */
  today: string;
  /** Turn warnings into errors (`ariane check --strict`, CI). */
  strict?: boolean;
  /** The catalogue to check fiche citations against; without it, citations are not checked. */
  fiches?: FicheLookup;
}

/** The operators a branch condition may use; exactly one per condition. */
export const CONDITION_OPERATORS = ['equals', 'in', 'missing', 'lt', 'lte', 'gt', 'gte'] as const;

/**
 * Graph and cross-file checks on flows that already match the schema: references to nodes that do not
 * exist, duplicate flow ids, id ≠ file name, traps (no way to an `end` or `handoff`), malformed branch
 * conditions, a malformed contact (errors); unreachable nodes, missing translations, stale review dates, non-https links
 * (warnings, errors when `strict`). Pure: same flows and options, same diagnostics.
 */
export function checkFlows(flows: readonly ParsedFlow[], options: CheckOptions): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const firstFileById = new Map<string, string>();
  for (const parsed of flows) {
    const { flow, source } = parsed;
    const first = firstFileById.get(flow.id);
    if (first === undefined) firstFileById.set(flow.id, source.file);
    else {
      diagnostics.push(at(source, ['id'], 'value', 'error', 'duplicate-flow-id', `le parcours « ${flow.id} » existe déjà dans ${first}`, 'chaque parcours doit avoir son propre identifiant'));
    }
    diagnostics.push(...checkFlow(parsed, options));
  }
  const sorted = sortDiagnostics(diagnostics);
  return options.strict ? strictify(sorted) : sorted;
}

/** The checks of `checkFlows` that concern one flow alone (always non-strict; `checkFlows` applies strict). */
export function checkFlow({ flow, source }: ParsedFlow, options: CheckOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const push = (path: DataPath, where: 'key' | 'value', severity: Diagnostic['severity'], code: DiagnosticCode, message: string, hint?: string) =>
    out.push(at(source, path, where, severity, code, message, hint));

  // id = file name, so that `ariane chat <id>` and links find the file.
  const fileId = basename(source.file).replace(/\.ya?ml$/i, '');
  if (/\.ya?ml$/i.test(source.file) && fileId !== flow.id) {
    push(['id'], 'value', 'error', 'id-mismatch', `l’identifiant « ${flow.id} » ne correspond pas au nom du fichier « ${basename(source.file)} »`, `écrivez « id: ${fileId} » ou renommez le fichier en « ${flow.id}.yaml »`);
  }

  // References to nodes.
  const ids = Object.keys(flow.nodes);
  const known = new Set(ids);
  const dangling = new Set<string>();
  const checkRef = (target: string, path: DataPath, fromNode?: string) => {
    if (known.has(target)) return;
    if (fromNode) dangling.add(fromNode);
    const guess = closest(target, ids);
    push(path, 'value', 'error', 'unknown-node', `aucun nœud ne s’appelle « ${target} »`, guess ? `vouliez-vous dire « ${guess} » ?` : `nœuds de ce parcours : ${ids.join(', ')}`);
  };
  checkRef(flow.start, ['start']);
  for (const [id, node] of Object.entries(flow.nodes)) {
    for (const edge of edgesOf(node)) checkRef(edge.target, ['nodes', id, ...edge.path], id);
  }

  // Traps: nodes from which no end or handoff can be reached by following the flow's own arrows.
  // A node with a broken reference is already an error; it is not reported twice.
  const canFinish = new Set<string>(ids.filter((id) => isTerminal(flow.nodes[id]) || dangling.has(id)));
  for (let changed = true; changed; ) {
    changed = false;
    for (const id of ids) {
      if (canFinish.has(id)) continue;
      const node = flow.nodes[id];
      if (node && edgesOf(node).some((e) => canFinish.has(e.target))) {
        canFinish.add(id);
        changed = true;
      }
    }
  }
  for (const id of ids) {
    if (!canFinish.has(id)) {
      push(['nodes', id], 'key', 'error', 'trap', `impasse : depuis le nœud « ${id} », aucun chemin ne mène à une fin (end) ni à un relais (handoff)`, 'ajoutez un chemin vers un nœud « end » ou « handoff » : une boucle sans sortie bloque la personne');
    }
  }

  // Loops made only of branches: nothing is asked inside, answers cannot change, so once entered the
  // conversation would spin for ever. Reported once per loop, at its first node in file order.
  const inLoop = new Set<string>();
  for (const id of ids) {
    if (flow.nodes[id]?.kind !== 'branch' || inLoop.has(id)) continue;
    const loop = branchLoopFrom(flow, id);
    if (!loop) continue;
    loop.forEach((n) => inLoop.add(n));
    push(['nodes', id], 'key', 'error', 'branch-loop', `boucle d’aiguillages sans question : ${[...loop, id].map((n) => `« ${n} »`).join(' → ')}`, 'faites sortir un des aiguillages vers une question, une étape ou une fin : sinon la conversation tourne sans fin');
  }

  // Unreachable nodes: dead text that nobody will read (often a forgotten `next`).
  const reachable = new Set<string>();
  const queue = known.has(flow.start) ? [flow.start] : [];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    if (reachable.has(id)) continue;
    reachable.add(id);
    const node = flow.nodes[id];
    if (node) for (const e of edgesOf(node)) if (known.has(e.target) && !reachable.has(e.target)) queue.push(e.target);
  }
  if (known.has(flow.start)) {
    for (const id of ids) {
      if (!reachable.has(id)) push(['nodes', id], 'key', 'warning', 'unreachable', `le nœud « ${id} » n’est jamais atteint depuis « ${flow.start} »`, 'ajoutez un « next » qui y mène, ou supprimez-le');
    }
  }

  // Two answers of one question sharing a value but leading to different nodes: a click on the
  // second button would follow the first one (buttons send the value).
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (node.kind !== 'question') continue;
    const firstByValue = new Map<string, string>();
    node.choices.forEach((c, i) => {
      const value = c.value ?? c.next;
      const first = firstByValue.get(value);
      if (first === undefined) firstByValue.set(value, c.next);
      else if (first !== c.next) {
        push(['nodes', id, 'choices', i, c.value !== undefined ? 'value' : 'next'], 'value', 'error', 'duplicate-choice', `deux réponses de la question « ${id} » ont la même valeur « ${value} » mais mènent à des nœuds différents`, 'donnez à chaque réponse un « value » différent');
      }
    });
  }

  // Branch conditions: exactly one operator each, on an answer some node keeps, with a value it can take.
  const answerNames = new Set<string>();
  /** The values a question can store, by answer name (inputs are open-ended: not listed). */
  const questionValues = new Map<string, string[]>();
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (node.kind === 'question') {
      answerNames.add(node.name ?? id);
      questionValues.set(node.name ?? id, [...(questionValues.get(node.name ?? id) ?? []), ...node.choices.map((c) => c.value ?? c.next)]);
    }
    if (node.kind === 'input') answerNames.add(node.name);
  }
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (node.kind !== 'branch') continue;
    node.rules.forEach((rule, r) => {
      const base: DataPath = ['nodes', id, 'rules', r, 'when'];
      const conditions: Array<[Condition, DataPath]> =
        'all' in rule.when
          ? rule.when.all.map((c, i) => [c, [...base, 'all', i]] as [Condition, DataPath])
          : 'any' in rule.when
            ? rule.when.any.map((c, i) => [c, [...base, 'any', i]] as [Condition, DataPath])
            : [[rule.when, base]];
      for (const [condition, path] of conditions) {
        const operators = CONDITION_OPERATORS.filter((op) => condition[op] !== undefined);
        if (operators.length === 0) {
          push(path, 'value', 'error', 'condition-operators', `condition sans test sur « ${condition.answer} »`, 'ajoutez un seul test : equals, in, missing, lt, lte, gt ou gte');
        } else if (operators.length > 1) {
          push(path, 'value', 'error', 'condition-operators', `plusieurs tests dans une même condition (${operators.join(', ')})`, 'un seul test par condition ; pour en combiner plusieurs, utilisez « all: » pour toutes ou « any: » pour au moins une');
        }
        const values = questionValues.get(condition.answer);
        if (values) {
          const compared: Array<[unknown, DataPath]> = [];
          if (condition.equals !== undefined) compared.push([condition.equals, [...path, 'equals']]);
          condition.in?.forEach((v, i) => compared.push([v, [...path, 'in', i]]));
          for (const [v, vPath] of compared) {
            if (values.includes(String(v))) continue;
            const guess = closest(String(v), values);
            push(vPath, 'value', 'warning', 'unknown-value', `la question « ${condition.answer} » ne donne jamais la valeur « ${String(v)} » : cette condition est toujours fausse`, guess ? `vouliez-vous dire « ${guess} » ?` : `valeurs possibles : ${[...new Set(values)].join(', ')} — le « value » de chaque réponse, sinon son « next »`);
          }
        }
        if (!answerNames.has(condition.answer)) {
          const guess = closest(condition.answer, answerNames);
          push([...path, 'answer'], 'value', 'warning', 'unknown-answer', `aucune question ni saisie de ce parcours ne garde de réponse « ${condition.answer} »`, guess ? `vouliez-vous dire « ${guess} » ?` : 'utilisez l’identifiant d’une question ou le « name » d’une saisie');
        }
      }
    });
  }

  // Translations: every text in every language the flow declares.
  const declared = flow.languages.filter((l) => l !== 'fr');
  if (declared.length > 0) {
    for (const [path, text] of textsOf(flow)) {
      const missing = typeof text === 'string' ? declared : declared.filter((l) => !(l in text));
      if (missing.length > 0) {
        push(path, 'value', 'warning', 'missing-translation', `texte sans traduction ${missing.map((l) => `« ${l} »`).join(', ')}`, `ajoutez ${missing.map((l) => `« ${l}: … »`).join(' et ')} sous « fr: … » ; le parcours déclare languages: [${flow.languages.join(', ')}]`);
      }
    }
  }

  // Keywords: people look for a procedure in their own words. French variants (fr-facile) fall back
  // to the French list, so only other languages need their own.
  const foreign = declared.filter((l) => l.split('-')[0] !== 'fr');
  const keywordsMissing = Array.isArray(flow.keywords) ? foreign : foreign.filter((l) => !(l in flow.keywords));
  if (keywordsMissing.length > 0) {
    push(['keywords'], 'key', 'warning', 'missing-translation', `mots-clés sans liste ${keywordsMissing.map((l) => `« ${l} »`).join(', ')}`, `écrivez une liste par langue : « fr: [...] » puis ${keywordsMissing.map((l) => `« ${l}: [...] »`).join(', ')}, pour que les gens trouvent ce parcours dans leur langue`);
  }

  // Review date: facts change (phone numbers, sites); a year-old check needs a new look.
  if (!isRealDate(flow.reviewed)) {
    push(['reviewed'], 'value', 'error', 'bad-date', `date impossible « ${flow.reviewed} »`, 'écrivez une date réelle AAAA-MM-JJ');
  } else if (isRealDate(options.today)) {
    if (flow.reviewed < monthsBefore(options.today, 12)) {
      push(['reviewed'], 'value', 'warning', 'review-outdated', `contenu vérifié le ${flow.reviewed}, il y a plus de 12 mois`, 'relisez le parcours avec les sources officielles, puis mettez la date du jour dans « reviewed »');
    } else if (flow.reviewed > options.today) {
      push(['reviewed'], 'value', 'warning', 'review-outdated', `date de vérification dans le futur (${flow.reviewed})`, 'mettez la date à laquelle vous avez vérifié le contenu');
    }
  }

  // The organisation's line: residents dial exactly what they read, and must know what it costs.
  if (flow.contact) checkContact(flow.contact, push);

  // Fiches cited: known to the catalogue, and not changed since the flow was last reviewed.
  if (options.fiches) checkFiches(flow, options.fiches, push);

  // Links: https only (people type personal data on these sites).
  for (const [path, url] of urlsOf(flow)) {
    if (!/^https:\/\//i.test(url)) push(path, 'value', 'warning', 'insecure-link', `lien non sécurisé « ${url} »`, 'utilisez l’adresse en https:// du site officiel');
  }
  return out;
}

/** A phone number as residents dial it: digit groups separated by single spaces (« 32 30 », « 0 809 401 401 »). */
const PHONE_PATTERN = /^[0-9]+( [0-9]+)*$/;

function checkContact(
  contact: Contact,
  push: (path: DataPath, where: 'key' | 'value', severity: Diagnostic['severity'], code: DiagnosticCode, message: string, hint?: string) => void,
): void {
  if (contact.phone !== undefined) {
    if (!PHONE_PATTERN.test(contact.phone)) {
      const digits = contact.phone.replace(/[^0-9]/g, '');
      push(['contact', 'phone'], 'value', 'error', 'contact', `numéro de téléphone invalide « ${contact.phone} »`, `écrivez seulement des chiffres, groupés par des espaces, comme sur la page officielle : par exemple « 32 30 » ou « 0 809 401 401 »${digits ? ` (ici peut-être « ${digits} »)` : ''} ; pas de point, de tiret, de lettre ni de +33`);
    }
    if (contact.cost === undefined) {
      push(['contact', 'phone'], 'key', 'error', 'contact', 'numéro de téléphone sans son coût', 'ajoutez « cost: » avec ce que dit la page officielle, par exemple « Service gratuit + prix d’un appel » : la personne doit savoir ce que l’appel lui coûtera');
    }
  } else if (contact.url === undefined) {
    push(['contact'], 'key', 'error', 'contact', 'contact sans numéro de téléphone ni page de contact', 'ajoutez « phone: » (par exemple « 32 30 ») ou, si l’organisme n’a pas de téléphone, « url: » avec l’adresse de sa page de contact');
  }
  if (contact.source === undefined || (Array.isArray(contact.source) && contact.source.length === 0)) {
    push(['contact'], 'key', 'error', 'contact', 'contact sans source', 'ajoutez « source: » avec l’adresse de la page officielle qui donne ce numéro (ou l’identifiant de la fiche service-public, par exemple F10662) : un numéro faux envoie la personne nulle part');
  }
}

/** A contact's sources as a list (one citation may be written alone). */
function contactCitations(contact: Contact | undefined): string[] {
  if (contact?.source === undefined) return [];
  return typeof contact.source === 'string' ? [contact.source] : contact.source;
}

/** Every service-public fiche a flow cites (`fiche:`, a fiche's address, a node's `source`, the contact's `source`), with its path and the title written beside it. The fiches a flow is *about* are those of `flow.sources`. */
export function fichesOf(flow: Flow): Array<{ id: string; path: DataPath; title?: string }> {
  const out: Array<{ id: string; path: DataPath; title?: string }> = [];
  flow.sources.forEach((s, i) => {
    const id = 'fiche' in s ? s.fiche : ficheIdOf(s.url);
    if (id) out.push({ id, path: ['sources', i, 'fiche' in s ? 'fiche' : 'url'], ...(s.title ? { title: s.title } : {}) });
  });
  for (const [nodeId, node] of Object.entries(flow.nodes)) {
    if (!('source' in node) || node.source === undefined) continue;
    const citations = typeof node.source === 'string' ? [[node.source, ['nodes', nodeId, 'source']] as const] : node.source.map((c, i) => [c, ['nodes', nodeId, 'source', i]] as const);
    for (const [citation, path] of citations) {
      const id = ficheIdOf(citation);
      if (id) out.push({ id, path: [...path] });
    }
  }
  const contactSources = contactCitations(flow.contact);
  contactSources.forEach((citation, i) => {
    const id = ficheIdOf(citation);
    if (id) out.push({ id, path: typeof flow.contact?.source === 'string' ? ['contact', 'source'] : ['contact', 'source', i] });
  });
  return out;
}

function checkFiches(
  flow: Flow,
  fiches: FicheLookup,
  push: (path: DataPath, where: 'key' | 'value', severity: Diagnostic['severity'], code: DiagnosticCode, message: string, hint?: string) => void,
): void {
  const warnedModified = new Set<string>();
  for (const { id, path, title } of fichesOf(flow)) {
    const fiche = fiches.get(id);
    if (!fiche) {
      if (!fiches.complete && fiches.mayBeNewer?.(id)) continue;
      const guess = fiches.suggest(id, title);
      const hint = guess ? `vouliez-vous dire ${guess.id} « ${guess.title} » ?` : `vérifiez l’identifiant : la fin de l’adresse de la page sur service-public.gouv.fr`;
      push(path, 'value', fiches.complete ? 'error' : 'warning', 'unknown-fiche', `fiche service-public ${id} inconnue ${fiches.label}`, fiches.complete ? hint : `${hint} ; si la fiche est plus récente que ce catalogue, lancez « ariane sources sync »`);
      continue;
    }
    // Once per fiche: the same page cited by several nodes needs one new reading.
    if (isRealDate(flow.reviewed) && fiche.modified > flow.reviewed && !warnedModified.has(id)) {
      warnedModified.add(id);
      push(path, 'value', 'warning', 'fiche-modified', `${id} « ${fiche.title} » modifiée le ${fiche.modified} après votre relecture du ${flow.reviewed}`, `relisez la fiche (${ficheUrl(id)}) et ce que le parcours en dit, puis mettez la date du jour dans « reviewed »`);
    }
  }
}

/** The arrows leaving a node, with the path of the field that holds each target. */
export function edgesOf(node: FlowNode): Array<{ target: string; path: DataPath }> {
  switch (node.kind) {
    case 'question':
      return node.choices.map((c, i) => ({ target: c.next, path: ['choices', i, 'next'] }));
    case 'input':
    case 'checklist':
      return [{ target: node.next, path: ['next'] }];
    case 'step':
      return [{ target: node.next, path: ['next'] }, ...(node.stuck ? [{ target: node.stuck, path: ['stuck'] }] : [])];
    case 'branch':
      return [...node.rules.map((r, i) => ({ target: r.next, path: ['rules', i, 'next'] })), { target: node.otherwise, path: ['otherwise'] }];
    case 'end':
    case 'handoff':
      return [];
  }
}

/** A cycle of branch nodes through `start` (as a list of ids starting with it), if any. */
function branchLoopFrom(flow: Flow, start: string): string[] | undefined {
  const path: string[] = [];
  const onPath = new Set<string>();
  const done = new Set<string>();
  const visit = (id: string): string[] | undefined => {
    const node = flow.nodes[id];
    if (!node || node.kind !== 'branch' || done.has(id)) return undefined;
    path.push(id);
    onPath.add(id);
    for (const { target } of edgesOf(node)) {
      if (target === start) return [...path];
      if (!onPath.has(target)) {
        const found = visit(target);
        if (found) return found;
      }
    }
    path.pop();
    onPath.delete(id);
    done.add(id);
    return undefined;
  };
  return visit(start);
}

function isTerminal(node: FlowNode | undefined): boolean {
  return node?.kind === 'end' || node?.kind === 'handoff';
}

/** Every person-facing text of a flow, with its path. */
export function textsOf(flow: Flow): Array<[DataPath, Text]> {
  const out: Array<[DataPath, Text]> = [[['title'], flow.title]];
  if (flow.summary) out.push([['summary'], flow.summary]);
  if (flow.contact) {
    out.push([['contact', 'label'], flow.contact.label]);
    if (flow.contact.cost) out.push([['contact', 'cost'], flow.contact.cost]);
    if (flow.contact.hours) out.push([['contact', 'hours'], flow.contact.hours]);
  }
  for (const [id, node] of Object.entries(flow.nodes)) {
    const base = ['nodes', id];
    if (node.text !== undefined) out.push([[...base, 'text'], node.text]);
    switch (node.kind) {
      case 'question':
        node.choices.forEach((c, i) => out.push([[...base, 'choices', i, 'label'], c.label]));
        break;
      case 'input':
        if (node.retry) out.push([[...base, 'retry'], node.retry]);
        break;
      case 'step':
        if (node.link) out.push([[...base, 'link', 'label'], node.link.label]);
        if (node.image) out.push([[...base, 'image', 'alt'], node.image.alt]);
        break;
      case 'checklist':
        node.items.forEach((item, i) => out.push([[...base, 'items', i], item]));
        break;
      case 'end':
        if (node.next_steps) out.push([[...base, 'next_steps'], node.next_steps]);
        if (node.if_problem) out.push([[...base, 'if_problem'], node.if_problem]);
        node.links?.forEach((l, i) => out.push([[...base, 'links', i, 'label'], l.label]));
        break;
      case 'handoff':
        out.push([[...base, 'reason'], node.reason]);
        break;
      case 'branch':
        break;
    }
  }
  return out;
}

/** Every URL written in a flow (sources, node sources, links), with its path; fiche ids are not URLs. */
export function urlsOf(flow: Flow): Array<[DataPath, string]> {
  const out: Array<[DataPath, string]> = [];
  flow.sources.forEach((s, i) => {
    if ('url' in s) out.push([['sources', i, 'url'], s.url]);
  });
  const isUrl = (c: string) => /^https?:\/\//i.test(c);
  if (flow.contact?.url) out.push([['contact', 'url'], flow.contact.url]);
  contactCitations(flow.contact).forEach((c, i) => {
    if (isUrl(c)) out.push([typeof flow.contact?.source === 'string' ? ['contact', 'source'] : ['contact', 'source', i], c]);
  });
  for (const [id, node] of Object.entries(flow.nodes)) {
    const base = ['nodes', id];
    if ('source' in node && node.source !== undefined) {
      if (typeof node.source === 'string') {
        if (isUrl(node.source)) out.push([[...base, 'source'], node.source]);
      } else node.source.forEach((u, i) => isUrl(u) && out.push([[...base, 'source', i], u]));
    }
    if (node.kind === 'step' && node.link) out.push([[...base, 'link', 'url'], node.link.url]);
    if (node.kind === 'end') node.links?.forEach((l, i) => out.push([[...base, 'links', i, 'url'], l.url]));
  }
  return out;
}

function isRealDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const daysInMonth = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] ?? 31;
  return d <= daysInMonth;
}

/** `YYYY-MM-DD` minus n months, as a string comparable with `<` (day clamped: 03-31 → 02-28 is fine here). */
function monthsBefore(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) - months;
  const yy = Math.floor(total / 12);
  const mm = (total % 12) + 1;
  return `${String(yy).padStart(4, '0')}-${String(mm).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function at(
  source: Pick<FlowSource, 'file' | 'locate'>,
  path: DataPath,
  where: 'key' | 'value',
  severity: Diagnostic['severity'],
  code: DiagnosticCode,
  message: string,
  hint?: string,
): Diagnostic {
  const pos: Position = source.locate(path, where);
  return { file: source.file, line: pos.line, col: pos.col, severity, code, message, ...(hint ? { hint } : {}) };
}
