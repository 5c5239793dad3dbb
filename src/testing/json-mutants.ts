// Seeded mutants of a JSON document, to hold two checkers of one format to the same answers (the run
// log's fast check against its zod schema, the generated JSON Schema against the shared contract).

type Json = unknown;

/** A small seeded generator (mulberry32): the same seed gives the same mutants on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values a mutation puts in place of another: each kind of JSON value, and near misses of the run log's formats. */
const REPLACEMENTS: readonly Json[] = [
  null,
  true,
  false,
  0,
  1,
  -1,
  1.5,
  2 ** 60,
  "",
  "x",
  "SUCCESS",
  "DONE",
  "get",
  "copy",
  "2026-01-02 03:04:05.123456",
  "2026-01-02T03:04:05.123456",
  "2026-01-02 03:04:05",
  "0:00:01.500000",
  "0:00:01",
  "1 s",
  "00:01.500000",
  [],
  ["a"],
  [["a", "b"]],
  {},
  { x: 1 },
  { internal_name: "x", status: "SUCCESS", steps: {} },
];

type Container = Record<string, Json> | Json[];

/** Every object and list in `value` (the root first). */
function containers(value: Json, out: Container[] = []): Container[] {
  if (typeof value !== "object" || value === null) return out;
  out.push(value as Container);
  for (const item of Object.values(value)) containers(item, out);
  return out;
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** One mutation of a copy of `document`: a key removed, a value replaced, a key added or a list changed. */
export function mutate(document: Json, random: () => number): Json {
  const copy = structuredClone(document);
  const target = pick(random, containers(copy));
  const keys = Object.keys(target);
  const choice = random();
  if (Array.isArray(target)) {
    if (choice < 0.3 || keys.length === 0) target.push(structuredClone(pick(random, REPLACEMENTS)));
    else if (choice < 0.5) target.length = 0;
    else target[Number(pick(random, keys))] = structuredClone(pick(random, REPLACEMENTS));
    return copy;
  }
  if (choice < 0.3 && keys.length > 0) delete target[pick(random, keys)];
  else if (choice < 0.4) target[`extra_${Math.floor(random() * 3)}`] = structuredClone(pick(random, REPLACEMENTS));
  else if (keys.length > 0) target[pick(random, keys)] = structuredClone(pick(random, REPLACEMENTS));
  return copy;
}

/** `count` mutants of the documents (each of one to three mutations), the same for the same seed. */
export function mutants(documents: readonly Json[], count: number, seed = 17): Json[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    let mutant = pick(random, documents);
    const times = 1 + Math.floor(random() * 3);
    for (let i = 0; i < times; i++) mutant = mutate(mutant, random);
    return mutant;
  });
}
