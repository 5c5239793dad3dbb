import path from "node:path";
import { formatProblem, messageOf, RunnableError } from "../../../core/errors.js";
import type { PluginContext } from "../../../ports/plugin.js";
import type { Secrets } from "../../../ports/secrets.js";
import { MAX_CONFIG_BYTES, boundedReadFailure, readBoundedFile } from "../../../source/bounded-file.js";
import { parseDotenv } from "./dotenv-parser.js";

/** Validated config of the dotenv secrets handler. */
export interface DotenvSecretsConfig {
  location: string;
}

async function readSecrets(file: string, shown: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = (await readBoundedFile(file, MAX_CONFIG_BYTES)).toString("utf8");
  } catch (error) {
    const refused = boundedReadFailure(error);
    if (refused) {
      throw new RunnableError("CONFIG_INVALID", `The secrets file ${shown} ${refused}`, {
        hint: "Point secrets.config.location at a file of KEY=value lines.",
        cause: error,
      });
    }
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new RunnableError("FILE_NOT_FOUND", `Did not find the secrets file ${shown} (${file})`, {
        hint: "Create it with KEY=value lines, or point secrets.config.location at the right file.",
        cause: error,
      });
    }
    throw new RunnableError("CONFIG_INVALID", `Could not read the secrets file ${file}: ${messageOf(error)}`, { cause: error });
  }
  const { values, problems } = parseDotenv(text, shown);
  if (problems.length > 0) {
    throw new RunnableError("CONFIG_INVALID", `The secrets file ${shown} is malformed:\n${problems.map(formatProblem).join("\n")}`, {
      problems,
      hint: 'Write one KEY=value per line; quote values with "..." (escapes \\n \\" \\\\) or \'...\' (literal).',
    });
  }
  return values;
}

/** Secrets read from a .env file (relative to the working directory), parsed once on first use. */
export function createDotenvSecrets(config: DotenvSecretsConfig, context: PluginContext): Secrets {
  const file = path.resolve(context.cwd, config.location);
  let loaded: Promise<Map<string, string>> | undefined;
  return {
    type: "dotenv",
    recordedConfig: { location: config.location },
    traits: { source: "file", file: { path: file, value: config.location, setting: "secrets.config.location" } },
    async get(name) {
      const values = await (loaded ??= readSecrets(file, config.location));
      const value = values.get(name);
      if (value === undefined) {
        throw new RunnableError("SECRET_NOT_FOUND", `No secret found by name: ${name} in ${config.location}`, {
          hint: `Add a line ${name}=<value> to ${file}.`,
        });
      }
      return value;
    },
    async knownValues() {
      return [...(await (loaded ??= readSecrets(file, config.location))).values()];
    },
  };
}
