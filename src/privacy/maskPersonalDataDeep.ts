/**
 * Masks every string inside a JSON value: what a client sends besides `text` (`value`,
 * `from.name`, `channelData`) is free text too, and is stored or logged the same way.
 */
import { maskPersonalData } from './maskPersonalData';
import type { PersonalDataKind } from './personalDataPatterns';

/** The masked copy of a value and the kinds found in it (each once). */
export interface DeepMaskResult<T> {
  value: T;
  found: PersonalDataKind[];
}

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * A copy of `value` with every string masked by `maskPersonalData`, in arrays and plain objects at
 * any depth. Keys are kept as they are (they are the client's field names, and masking them would
 * change the shape), and so are numbers, booleans, null and anything that is not plain JSON.
 * Never throws: the walk uses its own stack (no recursion limit), a cycle or a shared part is
 * copied once and then replaced by null, a getter that throws gives null, and `__proto__` or
 * `constructor` keys stay plain own properties of the copy.
 */
export function maskPersonalDataDeep<T>(value: T): DeepMaskResult<T> {
  const found = new Set<PersonalDataKind>();
  const maskString = (s: string): string => {
    const r = maskPersonalData(s);
    for (const k of r.found) found.add(k);
    return r.text;
  };
  const root: { value?: unknown } = {};
  const seen = new WeakSet<object>();
  // Each task copies `source` into `target[key]`.
  const stack: Array<{ source: unknown; target: Record<string | number, unknown>; key: string | number }> = [
    { source: value, target: root as Record<string, unknown>, key: 'value' },
  ];
  while (stack.length > 0) {
    const { source, target, key } = stack.pop()!;
    let copy: unknown;
    try {
      if (typeof source === 'string') {
        copy = maskString(source);
      } else if (typeof source === 'object' && source !== null && (Array.isArray(source) || isPlainObject(source))) {
        if (seen.has(source)) {
          copy = null;
        } else {
          seen.add(source);
          if (Array.isArray(source)) {
            const out = new Array<unknown>(source.length);
            for (let i = 0; i < source.length; i++) stack.push({ source: source[i], target: out as unknown as Record<number, unknown>, key: i });
            copy = out;
          } else {
            const out: Record<string, unknown> = Object.getPrototypeOf(source) === null ? Object.create(null) : {};
            for (const k of Object.keys(source)) {
              // Define rather than assign: assigning "__proto__" would change the copy's prototype.
              Object.defineProperty(out, k, { value: undefined, writable: true, enumerable: true, configurable: true });
              stack.push({ source: (source as Record<string, unknown>)[k], target: out, key: k });
            }
            copy = out;
          }
        }
      } else {
        copy = source;
      }
    } catch {
      copy = null;
    }
    target[key] = copy;
  }
  return { value: root.value as T, found: [...found] };
}
