import { z } from "zod";

// JSON Schema documents generated from zod schemas (the zod schema is the one source; the JSON files are
// written by `npm run schemas`). Input mode: a key with a default is optional, and plain objects do not
// forbid other keys, matching what the zod schema accepts.

type Json = Record<string, unknown>;

const isEmptyObject = (value: unknown): boolean => typeof value === "object" && value !== null && Object.keys(value).length === 0;

/** zod's own names for string checks it also writes as a `pattern`; no JSON Schema validator knows them. */
const ZOD_ONLY_FORMATS = new Set(["starts_with", "ends_with", "includes"]);

/** Drops what zod adds that says nothing in JSON (every key is a string; anything else is allowed; a format only zod knows beside its pattern). */
function tidy(schema: Json): void {
  if (typeof schema.format === "string" && ZOD_ONLY_FORMATS.has(schema.format) && schema.pattern !== undefined) delete schema.format;
  const names = schema.propertyNames as Json | undefined;
  if (names && Object.keys(names).length === 1 && names.type === "string") delete schema.propertyNames;
  if (isEmptyObject(schema.additionalProperties)) delete schema.additionalProperties;
}

/** {@link tidy} on every schema object of a finished document (after zod has filled in its references). */
function tidyAll(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) tidyAll(item);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  for (const child of Object.values(value)) tidyAll(child);
  tidy(value as Json);
}

/** The JSON Schema (draft 2020-12) of `schema`, with `$id` and its title and description first and `$defs` last. */
export function jsonSchemaDocument(schema: z.ZodType, id: string): Json {
  const generated = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "throw" }) as Json;
  tidyAll(generated);
  const { $schema, title, description, $defs, ...body } = generated;
  return { $schema, $id: id, title, description, ...body, ...($defs === undefined ? {} : { $defs }) };
}

/** The text of a generated schema file (two-space indent, one final newline). */
export function jsonSchemaText(document: Json): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
