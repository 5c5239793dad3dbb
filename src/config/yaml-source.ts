import { formatProblem, messageOf, RunnableError, type Problem } from "../core/errors.js";
import { isMapping } from "../core/values.js";
import type { DocPath } from "../source/positions.js";
import { MAX_CONFIG_BYTES, boundedReadFailure, readBoundedFile } from "../source/bounded-file.js";
import { decodeSourceText } from "../source/source-text.js";
import { parseYamlSource, type YamlSource } from "../source/yaml-source.js";

// Config files are read like pipelines (one YAML reader, src/source/: strict UTF-8, positions, duplicate
// keys, unsupported tags and nesting refused); these helpers address a document by path.

export type { YamlSource };

/** A path inside a YAML document: mapping keys and sequence indexes. */
export type YamlPath = DocPath;

/** Reads and parses a YAML file; FILE_NOT_FOUND when missing (unless `optional`, then null), YAML_SYNTAX when broken. */
export async function readYamlSource(absolute: string, shown: string, optional = false): Promise<YamlSource | null> {
  let bytes: Uint8Array;
  try {
    bytes = await readBoundedFile(absolute, MAX_CONFIG_BYTES);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const refused = boundedReadFailure(error);
    if (refused) {
      throw new RunnableError("CONFIG_INVALID", `configuration file ${shown} ${refused}`, {
        hint: "give -c/--config-file (or RUNNABLE_CONFIGURATION_FILE) a YAML file",
        cause: error,
      });
    }
    if (optional && code === "ENOENT") return null;
    if (code === "ENOENT") {
      throw new RunnableError("FILE_NOT_FOUND", `configuration file ${shown} not found (looked at ${absolute})`, {
        hint: "check the path given with -c/--config-file or RUNNABLE_CONFIGURATION_FILE",
        cause: error,
      });
    }
    throw new RunnableError("CONFIG_INVALID", `could not read ${shown}: ${messageOf(error)}`, { cause: error });
  }
  const decoded = decodeSourceText(bytes, shown);
  const source = "text" in decoded ? parseYamlSource(decoded.text, shown) : undefined;
  const problems: Problem[] = source ? [...source.syntaxProblems, ...source.duplicateProblems] : "problem" in decoded ? [decoded.problem] : [];
  if (!source || problems.length > 0) {
    throw new RunnableError("YAML_SYNTAX", `${shown} is not valid YAML:\n${problems.map(formatProblem).join("\n")}`, { problems });
  }
  return source;
}

/** The plain value at `path` (undefined when absent; aliases resolved). */
export function valueAt(source: YamlSource, path: YamlPath): unknown {
  let value = source.value;
  for (const segment of path) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** The keys of the mapping at `path`, in order; undefined when it is not a mapping. */
export function mappingKeys(source: YamlSource, path: YamlPath): string[] | undefined {
  const value = valueAt(source, path);
  return isMapping(value) ? Object.keys(value) : undefined;
}
