import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { RunnableError, type Problem } from "../core/errors.js";
import { parametersFromEnv } from "../core/parameters.js";
import type { Parameters } from "../core/run-log.js";

/**
 * Initial parameters: the `-p` YAML file's top-level mapping (keys as written), overlaid by
 * `RUNNABLE_PRM_*` / `runnable_PRM_*` variables of the launching environment (JSON-decoded, else text).
 */
export async function initialParameters(
  file: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<Parameters> {
  const fromFile = file ? await readParametersFile(resolve(cwd, file), file) : {};
  return { ...fromFile, ...parametersFromEnv(env) };
}

async function readParametersFile(path: string, shown: string): Promise<Parameters> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new RunnableError("FILE_NOT_FOUND", `parameters file ${shown} not found`, {
      hint: "check the path given to -p/--parameters-file (relative to the working directory)",
    });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const problems: Problem[] = doc.errors.map((error) => {
    const at = lineCounter.linePos(error.pos[0]);
    return { message: error.message.split("\n")[0]!, file: shown, line: at.line, col: at.col };
  });
  if (problems.length === 0) {
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return {};
    if (typeof value === "object" && !Array.isArray(value)) return value as Parameters;
    problems.push({ message: "a parameters file must be a mapping of names to values", file: shown, line: 1, col: 1 });
  }
  throw new RunnableError("PARAMETERS_INVALID", `invalid parameters file ${shown}`, { problems });
}
