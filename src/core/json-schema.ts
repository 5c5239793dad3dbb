import { z } from "zod";

// JSON Schema documents generated from zod schemas (the zod schema is the one source; the JSON files are
// written by `npm run schemas`). Input mode: a key with a default is optional, and plain objects do not
// forbid other keys, matching what the zod schema accepts.

type Json = Record<string, unknown>;

const isEmptyObject = (value: unknown): boolean => typeof value === "object" && value !== null && Object.keys(value).length === 0;

/** Drops what zod adds that says nothing in JSON (every key is a string; anything else is allowed). */
function tidy(schema: Json): void {
  const names = schema.propertyNames as Json | undefined;
  if (names && Object.keys(names).length === 1 && names.type === "string") delete schema.propertyNames;
  if (isEmptyObject(schema.additionalProperties)) delete schema.additionalProperties;
}

/** The JSON Schema (draft 2020-12) of `schema`, with `$id` and its title and description first and `$defs` last. */
export function jsonSchemaDocument(schema: z.ZodType, id: string): Json {
  const generated = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "throw",
    override: (context) => tidy(context.jsonSchema as Json),
  }) as Json;
  const { $schema, title, description, $defs, ...body } = generated;
  return { $schema, $id: id, title, description, ...body, ...($defs === undefined ? {} : { $defs }) };
}

/** The text of a generated schema file (two-space indent, one final newline). */
export function jsonSchemaText(document: Json): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
