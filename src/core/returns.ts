import { shortHash, MAX_NAME_BYTES, safeSegment, utf8Bytes } from "./names.js";

// What a task hands back by name (runnable 0.50's `returns`) and the kind of every parameter. A
// parameter is JSON unless its kind says otherwise: an `object` parameter's value is the name of an
// object stored in the run's catalog (the object itself never enters the run log), a `metric`
// parameter is also a metric of the step that returned it.

/** The kinds of a returned value, as runnable 0.50 names them (`json` is the default). */
export const RETURN_KINDS = ["json", "object", "metric"] as const;

/** The kind of a parameter or of a returned value. */
export type ParameterKind = (typeof RETURN_KINDS)[number];

/** Kinds of the parameters of one record that are not `json` (a parameter not named here is JSON). */
export type ParameterKinds = Record<string, Exclude<ParameterKind, "json">>;

/** One value a task returns: the parameter it sets and how it is kept. */
export interface TaskReturn {
  name: string;
  kind: ParameterKind;
}

/** A declared return as a task runner gets it: for an `object`, the name it is stored under in the catalog. */
export interface InvocationReturn extends TaskReturn {
  /** The object's name (its parameter value), unique in the run; only for kind `object`. */
  object?: string;
}

/** Sets `kinds[key]` as an own property (safe for a parameter named `__proto__`). */
export function setKind(kinds: ParameterKinds, key: string, kind: Exclude<ParameterKind, "json">): void {
  if (key === "__proto__") Object.defineProperty(kinds, key, { value: kind, enumerable: true, writable: true, configurable: true });
  else kinds[key] = kind;
}

/** The non-JSON kinds of `keys` (every key when omitted) according to `kinds`. */
export function kindsFor(kinds: Readonly<ParameterKinds> | undefined, keys?: Iterable<string>): ParameterKinds {
  const found: ParameterKinds = {};
  if (!kinds) return found;
  for (const key of keys ?? Object.keys(kinds)) {
    if (Object.hasOwn(kinds, key)) setKind(found, key, kinds[key]!);
  }
  return found;
}

/** The kinds declared by `returns` for the values a task handed back (json ones left out). */
export function returnKinds(returns: readonly TaskReturn[], returned: Readonly<Record<string, unknown>>): ParameterKinds {
  const kinds: ParameterKinds = {};
  for (const { name, kind } of returns) if (kind !== "json" && Object.hasOwn(returned, name)) setKind(kinds, name, kind);
  return kinds;
}

/**
 * The name an object returned as `name` is stored under: the name itself at the top of the pipeline
 * (as runnable 0.50 stores it: `<name>.dill`), `<branch>.<name>` inside a branch (`map_state.1.model`),
 * so that map iterations and parallel branches returning the same name never overwrite each other's
 * object (0.50 writes them all to one file).
 */
export function objectName(branchKey: string, name: string): string {
  return branchKey ? `${branchKey}.${name}` : name;
}

/** Longest object file name (a file system takes 255 bytes; room is left for a temp suffix). */
const MAX_OBJECT_FILE_BYTES = MAX_NAME_BYTES + 20;

/**
 * The catalog file of an object: its name made one safe path segment, plus the extension of the
 * serialisation (`.dill` for Python's pickles, as runnable 0.50; `.v8` for TypeScript values). Very
 * long names are cut and keep a hash, so two objects never share a file.
 */
export function objectFileName(name: string, extension: string): string {
  const safe = safeSegment(name);
  if (utf8Bytes(safe) + extension.length <= MAX_OBJECT_FILE_BYTES) return `${safe}${extension}`;
  let cut = "";
  for (const char of safe) {
    if (utf8Bytes(cut + char) > MAX_OBJECT_FILE_BYTES - extension.length - 18) break;
    cut += char;
  }
  return `${cut}~${shortHash(safe)}${extension}`;
}

/** The object names an object parameter's value holds: one name, or a list of them (a map's collected objects). */
export function objectNames(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
  return undefined;
}
