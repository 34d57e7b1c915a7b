import { readFileSync } from 'node:fs';
import type AjvType from 'ajv';
import type { ErrorObject } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import type { YAMLError } from 'yaml';
import { sortDiagnostics, type Diagnostic, type DiagnosticCode } from './diagnostic';
import { FlowSource, parseYamlTree, type DataPath } from './flowSource';
import { CITATION_PATTERN, FICHE_ID_SCHEMA_PATTERN, Flow, ID_PATTERN, LANGUAGE_PATTERN } from './schema';
import { closest, quoteList } from './closest';
import type { FlowCache } from './FlowCache';
import { foldAccents } from '../engine';

/** The result of reading one flow file. `flow` is present only when the file matches the schema. */
export interface LoadedFlow {
  flow?: Flow;
  diagnostics: Diagnostic[];
  source: FlowSource;
}

const validators = new WeakMap<TSchema, ReturnType<AjvType['compile']>>();
/** Compiled once per schema: compiling costs milliseconds, validating microseconds. */
function validate(schema: TSchema, data: unknown): ErrorObject[] {
  let validator = validators.get(schema);
  if (!validator) {
    // verbose: errors carry their schema and data, needed to pick the union variant and suggest names.
    // allowMatchingProperties: `fr` is both a named property and matches the language pattern, on purpose.
    // Loaded here, not at import: a start whose flows all come from the parsed-flow cache never validates.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv = (require('ajv') as { default: typeof AjvType }).default;
    const ajv = new Ajv({ allErrors: true, verbose: true, allowMatchingProperties: true, strict: true });
    validator = ajv.compile(schema);
    validators.set(schema, validator);
  }
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/**
 * Parses and validates one flow file's text. Pure: never throws on bad input, and every diagnostic
 * has the line and column of the offending key or value. Graph checks (unknown `next`, traps…) are
 * `checkFlows`'s job; this only says whether the file is a well-formed flow.
 */
export function parseFlow(text: string, file: string): LoadedFlow {
  const { value, diagnostics, source } = parseYamlFile<Flow>(text, file, Flow, 'id, title, start, nodes…');
  return value ? { flow: value, diagnostics, source } : { diagnostics, source };
}

/**
 * Parses a YAML file and validates it against a TypeBox schema, with French diagnostics that carry
 * positions. Shared by flows and scenario files. `fields` names the expected top-level fields in the
 * message shown when the file is not a map at all.
 */
export function parseYamlFile<T>(text: string, file: string, schema: TSchema, fields: string): { value?: T; diagnostics: Diagnostic[]; source: FlowSource } {
  const tree = parseYamlTree(text);
  const { doc } = tree;
  const source = new FlowSource(file, text, tree);
  const diagnostics: Diagnostic[] = [];
  const make = (pos: { line: number; col: number }, code: DiagnosticCode, message: string, hint?: string): Diagnostic => ({
    file,
    line: pos.line,
    col: pos.col,
    severity: 'error',
    code,
    message,
    ...(hint ? { hint } : {}),
  });

  if (doc.errors.length > 0) {
    const lines = new Set<number>();
    for (const e of doc.errors) {
      const m = yamlMessage(e, text);
      const d = make(source.positionOf(m.offset), 'yaml-syntax', m.message, m.hint);
      // One syntax slip often cascades into more parser errors: after the first, only duplicate keys
      // (independent of each other) are still worth reading.
      const afterRealSlip = diagnostics.some((x) => !x.message.startsWith('clé en double'));
      if (lines.has(d.line) || (afterRealSlip && e.code !== 'DUPLICATE_KEY')) continue;
      lines.add(d.line);
      diagnostics.push(d);
    }
    return { diagnostics, source };
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias to an unknown anchor (`*x`) or an alias bomb: only found when building values.
    diagnostics.push(make({ line: 1, col: 1 }, 'yaml-syntax', `syntaxe YAML incorrecte : ${firstLine((err as Error).message)}`, 'vérifiez les « * » et « & » : écrivez le texte entre guillemets s’il commence par *'));
    return { diagnostics, source };
  }
  if (data === null || data === undefined) {
    diagnostics.push(make({ line: 1, col: 1 }, 'schema', 'le fichier est vide', 'commencez par « ariane new <identifiant> » pour avoir un modèle'));
    return { diagnostics, source };
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    diagnostics.push(make(source.locate([]), 'schema', `le fichier doit être une table de champs (${fields})`, 'voir flows/README.md'));
    return { diagnostics, source };
  }

  const seen = new Set<string>();
  for (const p of explainSchemaErrors(validate(schema, data))) {
    const d = make(source.locate(p.path, p.at), p.code, p.message, p.hint?.replace(/\.$/, ''));
    const key = `${d.line}:${d.col}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(d);
  }
  return diagnostics.length === 0 ? { value: data as T, diagnostics, source } : { diagnostics: sortDiagnostics(diagnostics), source };
}

/**
 * Reads and parses one flow file (see `parseFlow`). A file that cannot be read is a diagnostic, not
 * an exception. With a `cache`, a text parsed before without any diagnostic is not parsed again (its
 * positions are then read only if a later check asks for one).
 */
export function loadFlow(file: string, cache?: FlowCache): LoadedFlow {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'fichier introuvable' : `lecture impossible (${(err as Error).message})`;
    return {
      diagnostics: [{ file, line: 1, col: 1, severity: 'error', code: 'io', message: reason }],
      source: new FlowSource(file, ''),
    };
  }
  text = text.replace(/^\uFEFF/, '');
  const cached = cache?.get(text);
  if (cached) return { flow: cached, diagnostics: [], source: new FlowSource(file, text) };
  const loaded = parseFlow(text, file);
  if (cache && loaded.flow && loaded.diagnostics.length === 0) cache.put(text, loaded.flow);
  return loaded;
}

// ---------------------------------------------------------------------------------------------
// YAML syntax errors, in French

/** A French message and hint for a YAML parser error, and where it really is (the parser often notices a line late). */
function yamlMessage(e: YAMLError, text: string): { offset: number; message: string; hint?: string } {
  const at = text.slice(e.pos[0], e.pos[0] + 60).split('\n')[0]?.trim();
  const raw = firstLine(e.message);
  const before = (char: string) => {
    const i = text.lastIndexOf(char, Math.max(0, e.pos[0] - 1));
    return i >= 0 ? i : e.pos[0];
  };
  const generic = 'vérifiez l’indentation, 2 espaces par niveau, les « : » après chaque clé et les guillemets';
  switch (e.code) {
    case 'DUPLICATE_KEY':
      return { offset: e.pos[0], message: `clé en double${at ? ` « ${at.replace(/\s*:.*$/, '')} »` : ''}`, hint: 'une clé ne peut apparaître qu’une fois au même niveau : supprimez ou renommez l’une des deux' };
    case 'TAB_AS_INDENT':
      return { offset: e.pos[0], message: 'tabulation dans l’indentation', hint: 'indentez avec des espaces, 2 par niveau, jamais avec la touche Tab' };
    case 'BAD_SCALAR_START':
      return { offset: e.pos[0], message: `texte mal commencé${at ? ` « ${at} »` : ''}`, hint: 'mettez le texte entre guillemets doubles "…" s’il commence par un caractère spécial : @ ` % * & ! | >' };
    case 'BAD_DQ_ESCAPE':
      return { offset: e.pos[0], message: 'caractère \\ incorrect dans un texte entre guillemets', hint: 'doublez-le (\\\\) ou utilisez des guillemets simples' };
    case 'MULTIPLE_DOCS':
      return { offset: e.pos[0], message: 'un seul document par fichier', hint: 'supprimez la ligne « --- » en trop' };
    default:
  }
  if (/Flow sequence/.test(raw)) return { offset: before('['), message: 'crochet « [ » non fermé', hint: 'fermez la liste avec « ] » sur la même ligne' };
  if (/Flow map/.test(raw)) return { offset: before('{'), message: 'accolade « { » non fermée', hint: 'fermez avec « } » sur la même ligne' };
  if (/Missing closing "quote/.test(raw)) return { offset: before('"'), message: 'guillemet « " » non fermé', hint: 'ajoutez le guillemet de fin " à la fin du texte' };
  if (/Missing closing 'quote/.test(raw)) return { offset: before("'"), message: 'guillemet « \' » non fermé', hint: 'ajoutez le guillemet de fin, ou doublez l’apostrophe dans le texte : l\'\'aide' };
  if (/same column/.test(raw)) return { offset: e.pos[0], message: 'ligne mal alignée avec les précédentes', hint: 'les clés d’un même bloc commencent à la même colonne, 2 espaces par niveau' };
  if (e.code === 'BLOCK_AS_IMPLICIT_KEY' || e.code === 'MULTILINE_IMPLICIT_KEY') {
    return { offset: e.pos[0], message: 'deux « : » sur une ligne, ou ligne suivante trop indentée', hint: 'mettez entre guillemets un texte qui contient « : », et vérifiez l’indentation de la ligne suivante' };
  }
  return { offset: e.pos[0], message: `syntaxe YAML incorrecte : ${raw}`, hint: generic };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
}

// ---------------------------------------------------------------------------------------------
// Schema errors: from ajv's raw list to one message per real problem

/** A schema problem before it gets a position. */
interface Problem {
  path: DataPath;
  at: 'key' | 'value';
  code: DiagnosticCode;
  message: string;
  hint?: string;
}

type SchemaLike = {
  type?: string | string[];
  const?: unknown;
  description?: string;
  properties?: Record<string, SchemaLike>;
  patternProperties?: Record<string, SchemaLike>;
  required?: string[];
  anyOf?: SchemaLike[];
  pattern?: string;
};

function pointerToPath(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function matchesType(schema: SchemaLike, value: unknown): boolean {
  if (schema.type === undefined) return true;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const t = typeOf(value);
  return types.some((s) => s === t || (s === 'integer' && typeof value === 'number' && Number.isInteger(value)));
}

/**
 * ajv reports, for a value that matches no variant of a union, the errors of every variant. Admins
 * need the errors of the variant they meant: a node's `kind` names it; otherwise the variant of the
 * right type whose required fields are present. Outer unions are resolved first so that the inner
 * unions of discarded variants vanish with them.
 */
function collapseUnions(errors: ErrorObject[]): { errors: ErrorObject[]; problems: Problem[] } {
  let remaining = [...errors];
  const problems: Problem[] = [];
  for (;;) {
    const unions = remaining.filter((e) => e.keyword === 'anyOf');
    if (unions.length === 0) break;
    const union = unions.reduce((a, b) => (b.schemaPath.length < a.schemaPath.length ? b : a));
    const prefix = `${union.schemaPath}/`;
    // Every node shares one schema path (a record's values), so the instance path tells them apart.
    const within = (e: ErrorObject) =>
      e.schemaPath.startsWith(prefix) && (e.instancePath === union.instancePath || e.instancePath.startsWith(`${union.instancePath}/`));
    const groups = new Map<number, ErrorObject[]>();
    for (const e of remaining) {
      if (!within(e)) continue;
      const index = Number(e.schemaPath.slice(prefix.length).split('/')[0]);
      groups.set(index, [...(groups.get(index) ?? []), e]);
    }
    remaining = remaining.filter((e) => e !== union && !within(e));
    const choice = chooseVariant(union, groups);
    if (typeof choice === 'number') remaining.push(...(groups.get(choice) ?? []));
    else problems.push(choice);
  }
  return { errors: remaining, problems };
}

function chooseVariant(union: ErrorObject, groups: Map<number, ErrorObject[]>): number | Problem {
  const variants = (union.schema as SchemaLike[]) ?? [];
  const data: unknown = union.data;
  const path = pointerToPath(union.instancePath);
  const name = fieldName(path);

  // A closed list of values (services, programmes, input types…), possibly beside other types.
  const sameType = variants.filter((v) => matchesType(v, data));
  if (sameType.length > 0 && sameType.every((v) => v.const !== undefined)) {
    const allowed = sameType.map((v) => String(v.const));
    const guess = typeof data === 'string' ? closest(data, allowed) : undefined;
    return {
      path,
      at: 'value',
      code: 'schema',
      message: `valeur non prévue pour « ${name} » : « ${String(data)} »`,
      hint: guess ? `vouliez-vous dire « ${guess} » ?` : `valeurs possibles : ${quoteList(allowed)}`,
    };
  }

  // Nodes: the variant is named by `kind`.
  const kinds = variants.map((v) => v.properties?.kind?.const);
  if (kinds.some((k) => k !== undefined)) {
    const allowed = kinds.filter((k): k is string => typeof k === 'string');
    if (typeOf(data) !== 'object') {
      return { path, at: 'value', code: 'schema', message: `le nœud « ${name} » doit être une table de champs (kind, text…)`, hint: `types de nœud : ${allowed.join(', ')}` };
    }
    const kind = (data as Record<string, unknown>).kind;
    if (kind === undefined) {
      return { path, at: 'key', code: 'missing-field', message: `il manque « kind » (le type du nœud « ${name} »)`, hint: `types possibles : ${allowed.join(', ')}` };
    }
    const index = kinds.indexOf(kind);
    if (index < 0) {
      const guess = typeof kind === 'string' ? closest(kind, allowed) : undefined;
      return {
        path: [...path, 'kind'],
        at: 'value',
        code: 'unknown-kind',
        message: `type de nœud inconnu « ${String(kind)} »`,
        hint: guess ? `vouliez-vous dire « ${guess} » ?` : `types possibles : ${allowed.join(', ')}`,
      };
    }
    return index;
  }

  // Other unions (texts, word lists, conditions): the variant of the right type, then the one whose
  // required fields are all there, then the one with the fewest complaints.
  let candidates = variants.map((_, i) => i).filter((i) => matchesType(variants[i] ?? {}, data));
  if (candidates.length === 0) {
    const description = (union.parentSchema as SchemaLike | undefined)?.description;
    const expected = [...new Set(variants.map((v) => SHORT_TYPE_NAMES[String(v.type)] ?? String(v.type)))].join(' ou ');
    return { path, at: 'value', code: 'schema', message: `« ${name} » doit être ${expected}, pas ${describeValue(data)}`, ...(description ? { hint: description } : {}) };
  }
  if (typeOf(data) === 'object' && candidates.length > 1) {
    const keys = Object.keys(data as object);
    const complete = candidates.filter((i) => (variants[i]?.required ?? []).every((r) => keys.includes(r)));
    if (complete.length > 0) candidates = complete;
  }
  return candidates.reduce((a, b) => ((groups.get(b)?.length ?? 0) < (groups.get(a)?.length ?? 0) ? b : a));
}

function describeValue(value: unknown): string {
  switch (typeOf(value)) {
    case 'string':
      return 'un texte';
    case 'number':
      return 'un nombre';
    case 'boolean':
      return 'true/false';
    case 'array':
      return 'une liste';
    case 'object':
      return 'une table';
    default:
      return 'une valeur vide';
  }
}

const SHORT_TYPE_NAMES: Record<string, string> = { string: 'un texte', object: 'une table', array: 'une liste', number: 'un nombre', boolean: 'true ou false' };

const TYPE_NAMES: Record<string, string> = {
  string: 'un texte',
  number: 'un nombre',
  integer: 'un nombre entier',
  boolean: 'true ou false',
  object: 'une table (des lignes « clé: valeur » en dessous, indentées)',
  array: 'une liste (des lignes commençant par « - »)',
  null: 'vide',
};

/** How to name the value at `path` in a message: its key, or "élément n de « key »". */
function fieldName(path: readonly (string | number)[]): string {
  const last = path[path.length - 1];
  if (last === undefined) return 'fichier';
  if (/^\d+$/.test(String(last))) {
    const parent = path[path.length - 2];
    return `${parent ?? 'liste'} n° ${Number(last) + 1}`;
  }
  return String(last);
}

function explainSchemaErrors(raw: ErrorObject[]): Problem[] {
  const { errors, problems } = collapseUnions(raw);
  for (const e of errors) {
    const path = pointerToPath(e.instancePath);
    const name = fieldName(path);
    const parent = (e.parentSchema ?? {}) as SchemaLike;
    const params = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'additionalProperties': {
        const extra = String(params.additionalProperty);
        problems.push(unknownField(path, extra, parent, e.data));
        break;
      }
      case 'required': {
        const missing = String(params.missingProperty);
        // "choises" written instead of "choices": the unknown-field message already says it all.
        const present = typeOf(e.data) === 'object' ? Object.keys(e.data as object) : [];
        const patterns = Object.keys(parent.patternProperties ?? {}).map((p) => new RegExp(p));
        const unknown = present.filter((k) => !(k in (parent.properties ?? {})) && !patterns.some((re) => re.test(k)));
        if (unknown.some((k) => closest(k, [missing]) === missing)) break;
        const description = missing === 'next' ? 'ajoutez « next: » suivi de l’identifiant du nœud suivant' : parent.properties?.[missing]?.description;
        const where = path.length === 0 ? 'en haut du fichier' : path[0] === 'nodes' && path.length === 2 ? `dans le nœud « ${path[1]} »` : `dans « ${name} »`;
        problems.push({ path, at: 'key', code: 'missing-field', message: `il manque « ${missing} » ${where}`, ...(description ? { hint: description } : {}) });
        break;
      }
      case 'type': {
        const expected = String(params.type)
          .split(',')
          .map((t) => TYPE_NAMES[t] ?? t)
          .join(' ou ');
        problems.push({ path, at: 'value', code: 'schema', message: `« ${name} » doit être ${expected}, pas ${describeValue(e.data)}`, ...(parent.description ? { hint: parent.description } : {}) });
        break;
      }
      case 'pattern':
        problems.push({ path, at: 'value', code: 'schema', ...patternMessage(String(params.pattern), name, e.data) });
        break;
      case 'minItems':
        problems.push({
          path,
          at: 'value',
          code: 'schema',
          message: name === 'choices' ? `une question doit proposer au moins ${String(params.limit)} réponses` : `« ${name} » doit avoir au moins ${String(params.limit)} élément(s)`,
          ...(parent.description ? { hint: parent.description } : {}),
        });
        break;
      case 'maxItems':
        problems.push({
          path,
          at: 'value',
          code: 'schema',
          message: name === 'choices' ? `une question propose au plus ${String(params.limit)} réponses` : `« ${name} » a plus de ${String(params.limit)} éléments`,
          hint: name === 'choices' ? 'découpez en deux questions' : parent.description ?? '',
        });
        break;
      case 'minLength':
        problems.push({ path, at: 'value', code: 'schema', message: `« ${name} » est vide`, hint: 'écrivez un texte, ou supprimez la ligne si le champ est facultatif' });
        break;
      case 'const':
        problems.push({ path, at: 'value', code: 'schema', message: `« ${name} » doit valoir « ${String(params.allowedValue)} »` });
        break;
      default:
        problems.push({ path, at: 'value', code: 'schema', message: `« ${name} » : ${e.message ?? 'valeur incorrecte'}`, ...(parent.description ? { hint: parent.description } : {}) });
    }
  }
  return problems;
}

function unknownField(path: string[], extra: string, parent: SchemaLike, data: unknown): Problem {
  const at = [...path, extra];
  const patterns = Object.keys(parent.patternProperties ?? {});
  if (patterns.includes(LANGUAGE_PATTERN)) {
    return { path: at, at: 'key', code: 'unknown-field', message: `code de langue inconnu « ${extra} »`, hint: 'codes possibles : fr, en, ar, fr-facile, ou un autre code de deux lettres minuscules' };
  }
  if (patterns.includes(ID_PATTERN)) {
    return {
      path: at,
      at: 'key',
      code: 'schema',
      message: `identifiant de nœud invalide « ${extra} »`,
      hint: `lettres minuscules sans accent, chiffres et tirets, par exemple « ${suggestId(extra)} »`,
    };
  }
  const known = Object.keys(parent.properties ?? {});
  const guess = closest(extra, known);
  const kind = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).kind : undefined;
  const where = typeof kind === 'string' ? ` dans un nœud « ${kind} »` : '';
  return {
    path: at,
    at: 'key',
    code: 'unknown-field',
    message: `champ inconnu « ${extra} »${where}`,
    hint: guess ? `vouliez-vous dire « ${guess} » ?` : `champs possibles ici : ${known.join(', ')}`,
  };
}

/** A valid identifier close to what the admin wrote, to show the expected shape. */
export function suggestId(raw: string): string {
  const id = foldAccents(raw)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return id || 'mon-noeud';
}

function patternMessage(pattern: string, name: string, value: unknown): { message: string; hint: string } {
  const shown = `« ${String(value)} »`;
  if (pattern === ID_PATTERN) {
    return { message: `identifiant invalide ${shown} pour « ${name} »`, hint: `lettres minuscules sans accent, chiffres et tirets, par exemple « ${suggestId(String(value))} »` };
  }
  if (pattern.startsWith('^\\d{4}')) return { message: `date invalide ${shown}`, hint: 'écrivez la date sous la forme AAAA-MM-JJ, par exemple 2026-01-15' };
  if (pattern.startsWith('^https?')) return { message: `adresse web invalide ${shown}`, hint: 'elle doit commencer par https://' };
  if (pattern === CITATION_PATTERN) {
    return { message: `source invalide ${shown}`, hint: 'une adresse qui commence par https://, ou l’identifiant d’une fiche service-public comme F10027' };
  }
  if (pattern === FICHE_ID_SCHEMA_PATTERN) {
    return { message: `identifiant de fiche invalide ${shown}`, hint: 'F, R ou N suivi de chiffres, comme F10027 : la fin de l’adresse de la page sur service-public.gouv.fr' };
  }
  if (pattern === LANGUAGE_PATTERN) return { message: `code de langue invalide ${shown}`, hint: 'codes possibles : fr, en, ar, fr-facile…' };
  if (pattern.startsWith('^[a-z][a-z0-9_]')) {
    return { message: `nom de réponse invalide ${shown}`, hint: 'lettres minuscules sans accent, chiffres et _ ; il commence par une lettre, par exemple « code_postal »' };
  }
  return { message: `format incorrect pour « ${name} » : ${shown}`, hint: `forme attendue : ${pattern}` };
}
