import { Argument, type Command } from "commander";
import type { CliIo } from "../io.js";
import type { CommandContext } from "../program.js";

/** The schemas `runnable schema` prints (what each describes, for --help). */
const SCHEMAS = { pipeline: "a pipeline file (dag: ...)", config: "a services configuration file (-c)" } as const;

/** Adds `runnable schema pipeline|config`: the JSON Schema of a file, for editors (yaml-language-server, VS Code). */
export function registerSchema(program: Command, { io, done }: CommandContext): void {
  program
    .command("schema")
    .description("print the JSON Schema of a pipeline or config file, for editors (completion, inline errors)")
    .addArgument(
      new Argument(
        "<name>",
        Object.entries(SCHEMAS)
          .map(([name, what]) => `${name}: ${what}`)
          .join("; "),
      ).choices(Object.keys(SCHEMAS)),
    )
    .action(async (name: keyof typeof SCHEMAS) => done(await schemaCommand(name, io)));
}

/** `runnable schema NAME`: prints the schema generated from the zod schemas the loaders validate with. */
export async function schemaCommand(name: keyof typeof SCHEMAS, io: CliIo): Promise<number> {
  // Loaded for this command only: building the config schema touches every plug-in's config schema.
  const [{ EDITOR_SCHEMAS }, { jsonSchemaText }] = await Promise.all([import("../../runtime/json-schemas.js"), import("../../core/json-schema.js")]);
  io.out(jsonSchemaText(EDITOR_SCHEMAS[name]!()));
  return 0;
}
