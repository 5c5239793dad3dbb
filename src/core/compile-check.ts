import type { z } from "zod";
import { isMapping } from "./values.js";

// A zod schema compiled once into a plain yes/no check. zod's safeParse builds a parsed copy and issue
// lists, which costs seconds on a 30,000-step run log; the compiled check walks the value without
// allocating and agrees with safeParse on JSON data (a property test holds them to that). Only the parts
// of zod the run log schemas use are compiled: anything else throws when compiled, not when checking.

/** True when the value passes the schema it was compiled from. */
export type Check = (value: unknown) => boolean;

interface Def {
  type: string;
  [key: string]: unknown;
}

interface CheckDef {
  check: string;
  [key: string]: unknown;
}

/** Code of a check that can be written inline into an object's generated check: `x` is a local name; `ref` passes a value in. */
type Inline = (x: string, ref: (value: unknown) => string) => string;

/** A compiled schema: its check, and its code when it is small enough to inline. */
interface Compiled {
  check: Check;
  inline?: Inline;
}

type Compile = (schema: unknown) => Compiled;

const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;
const checksOf = (def: Def): CheckDef[] => ((def.checks as Array<{ _zod: { def: CheckDef } }> | undefined) ?? []).map((check) => check._zod.def);
const pass: Compiled = { check: () => true, inline: () => "true" };

function unsupported(what: string): never {
  throw new Error(`compileCheck: ${what} is not supported; extend src/core/compile-check.ts (and its property test)`);
}

/** zod's plain-object test of records: an object whose prototype is Object's (or none). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isMapping(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) return true;
  const ctor = (value as { constructor?: unknown }).constructor;
  if (ctor === undefined || typeof ctor !== "function") return true;
  const ctorPrototype = (ctor as { prototype?: unknown }).prototype;
  return isMapping(ctorPrototype) && Object.hasOwn(ctorPrototype, "isPrototypeOf");
}

/** A compiled check from inline code alone (a function of its own). */
function fromInline(inline: Inline): Compiled {
  const refs: unknown[] = [];
  const code = inline("value", (value) => `refs[${refs.push(value) - 1}]`);
  return { check: new Function("refs", `return (value) => ${code};`)(refs) as Check, inline };
}

const MESSAGE_FORMAT = (check: CheckDef): string => `${check.check}${check.format ? ` (${String(check.format)})` : ""}`;

/** A string, with its content checks (`min`, `max`, `regex`). */
function stringCheck(def: Def): Compiled {
  const parts = checksOf(def).map((check): Inline => {
    if (check.check === "min_length") return (x) => `${x}.length >= ${Number(check.minimum)}`;
    if (check.check === "max_length") return (x) => `${x}.length <= ${Number(check.maximum)}`;
    if (check.check === "string_format" && check.format === "regex") {
      const pattern = check.pattern as RegExp;
      if (pattern.global || pattern.sticky) unsupported(`a regex with the g or y flag (${String(pattern)})`);
      return (x, ref) => `${ref(pattern)}.test(${x})`;
    }
    return unsupported(`string check ${MESSAGE_FORMAT(check)}`);
  });
  return fromInline((x, ref) => [`typeof ${x} === "string"`, ...parts.map((part) => part(x, ref))].join(" && "));
}

/** A finite number, with its checks (`int`, `min`, `max`, `positive`, ...). */
function numberCheck(def: Def): Compiled {
  const own = typeof def.check === "string" ? [def as unknown as CheckDef] : [];
  const parts = [...own, ...checksOf(def)].map((check): Inline => {
    const bound = Number(check.value);
    if (check.check === "number_format" && check.format === "safeint") return (x) => `Number.isSafeInteger(${x})`;
    if (check.check === "greater_than") return (x) => `${x} ${check.inclusive ? ">=" : ">"} ${bound}`;
    if (check.check === "less_than") return (x) => `${x} ${check.inclusive ? "<=" : "<"} ${bound}`;
    return unsupported(`number check ${MESSAGE_FORMAT(check)}`);
  });
  return fromInline((x) => [`typeof ${x} === "number"`, `Number.isFinite(${x})`, ...parts.map((part) => part(x, String))].join(" && "));
}

/** One of a few values (an enum, a literal), compared one by one. */
function oneOf(values: readonly unknown[]): Compiled {
  return fromInline(
    (x, ref) => `(${values.map((value) => `${x} === ${typeof value === "string" ? JSON.stringify(value) : ref(value)}`).join(" || ") || "false"})`,
  );
}

/** `null` or `undefined` (as `empty`) besides what `inner` accepts. */
function orEmpty(empty: "null" | "undefined", inner: Compiled): Compiled {
  const { check, inline } = inner;
  if (inline) return fromInline((x, ref) => `(${x} === ${empty} || ${inline(x, ref)})`);
  return { check: empty === "null" ? (value) => value === null || check(value) : (value) => value === undefined || check(value) };
}

/** True when the schema accepts a missing value (then an object needs the key present, as zod does). */
function acceptsUndefined(def: Def): boolean {
  if (def.type === "unknown" || def.type === "any" || def.type === "undefined" || def.type === "optional") return true;
  if (def.type === "nullable") return acceptsUndefined(defOf(def.innerType));
  return false;
}

/**
 * An object's check, generated as code: each key is read with its own property access (a read through
 * a variable key is several times slower, and this runs for every step log) and small checks are
 * written inline. Keys come from our schemas and are written as JSON string literals.
 */
function objectCheck(def: Def, compile: Compile): Compiled {
  const shape = def.shape as Record<string, unknown>;
  const catchall = def.catchall === undefined ? "strip" : defOf(def.catchall).type;
  if (catchall !== "strip" && catchall !== "unknown" && catchall !== "never") unsupported(`an object catchall of ${catchall}`);
  const refs: unknown[] = [];
  const ref = (value: unknown): string => `refs[${refs.push(value) - 1}]`;
  const lines = Object.keys(shape).map((key) => {
    const literal = JSON.stringify(key);
    const { check, inline } = compile(shape[key]);
    const present = defOf(shape[key]).type !== "optional" && acceptsUndefined(defOf(shape[key]));
    const test = inline ? inline("v", ref) : `${ref(check)}(v)`;
    return `${present ? `if (!(${literal} in value)) return false; ` : ""}v = value[${literal}]; if (!(${test})) return false;`;
  });
  if (catchall === "never") {
    const known = new Set(Object.keys(shape));
    lines.push(`for (const key in value) if (!${ref(known)}.has(key)) return false;`);
  }
  const source = `return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    let v;
    ${lines.join("\n    ")}
    return true;
  };`;
  return { check: new Function("refs", source)(refs) as Check };
}

function recordCheck(def: Def, compile: Compile): Compiled {
  const keyDef = defOf(def.keyType);
  if (keyDef.type !== "string" || checksOf(keyDef).length > 0) unsupported("a record key other than z.string()");
  const each = compile(def.valueType).check;
  if (each === pass.check) return { check: isPlainObject };
  return {
    check: (value) => {
      if (!isPlainObject(value)) return false;
      // for-in allocates nothing (a plain object inherits no enumerable key); zod skips a "__proto__" key
      for (const key in value) if (key !== "__proto__" && !each(value[key])) return false;
      return true;
    },
  };
}

function unionCheck(def: Def, compile: Compile): Compiled {
  const options = (def.options as unknown[]).map((option) => ({ option, check: compile(option).check }));
  const discriminator = def.discriminator as string | undefined;
  if (discriminator === undefined) return { check: (value) => options.some(({ check }) => check(value)) };
  const byValue = new Map<unknown, Check>();
  for (const { option, check } of options) {
    const tag = defOf((defOf(option).shape as Record<string, unknown>)[discriminator]);
    for (const literal of (tag.values as unknown[] | undefined) ?? unsupported("a discriminator that is not a literal")) byValue.set(literal, check);
  }
  return { check: (value) => isMapping(value) && (byValue.get(value[discriminator])?.(value) ?? false) };
}

function listCheck(def: Def, compile: Compile): Compiled {
  if (def.type === "tuple") {
    if (def.rest !== null && def.rest !== undefined) unsupported("a tuple with a rest element");
    const items = (def.items as unknown[]).map((item) => compile(item).check);
    return { check: (value) => Array.isArray(value) && value.length === items.length && items.every((item, i) => item(value[i])) };
  }
  const each = compile(def.element).check;
  return {
    check: (value) => {
      if (!Array.isArray(value)) return false;
      for (const item of value) if (!each(item)) return false;
      return true;
    },
  };
}

function build(def: Def, compile: Compile): Compiled {
  switch (def.type) {
    case "unknown":
    case "any":
      return pass;
    case "string":
      return stringCheck(def);
    case "number":
      return numberCheck(def);
    case "boolean":
      return fromInline((x) => `typeof ${x} === "boolean"`);
    case "null":
      return oneOf([null]);
    case "enum":
      return oneOf(Object.values(def.entries as Record<string, unknown>));
    case "literal":
      return oneOf(def.values as unknown[]);
    case "nullable":
      return orEmpty("null", compile(def.innerType));
    case "optional":
      return orEmpty("undefined", compile(def.innerType));
    case "lazy":
      return compile((def.getter as () => unknown)());
    case "object":
      return objectCheck(def, compile);
    case "record":
      return recordCheck(def, compile);
    case "array":
    case "tuple":
      return listCheck(def, compile);
    case "union":
      return unionCheck(def, compile);
    default:
      return unsupported(`a schema of type ${def.type}`);
  }
}

/** Compiles `schema` into a check that is true exactly when `schema.safeParse(value).success` (for JSON values). */
export function compileCheck(schema: z.ZodType): Check {
  const done = new Map<unknown, Compiled>();
  const compile: Compile = (inner) => {
    const known = done.get(inner);
    if (known) return known;
    let compiled: Compiled | undefined;
    // A recursive schema meets itself while it is being compiled: it calls the finished check later.
    done.set(inner, { check: (value) => (compiled as Compiled).check(value) });
    const def = defOf(inner);
    if (def.type !== "string" && def.type !== "number" && checksOf(def).length > 0) unsupported(`a refinement of ${def.type}`);
    compiled = build(def, compile);
    done.set(inner, compiled);
    return compiled;
  };
  return compile(schema).check;
}
