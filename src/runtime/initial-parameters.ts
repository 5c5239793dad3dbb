import { resolve } from "node:path";
import { RunnableError, formatProblem, type Problem } from "../core/errors.js";
import { MAX_VALUE_DEPTH, parameterNameProblem, parametersFromEnv } from "../core/parameters.js";
import type { Parameters } from "../core/run-log.js";
import { PY_FLOAT } from "../source/python-json.js";
import { MAX_PARAMETERS_BYTES, boundedReadFailure } from "../source/bounded-file.js";
import { readSourceText } from "../source/source-text.js";
import { parseYamlSource, type YamlSource } from "../source/yaml-source.js";

/**
 * Initial parameters: the `-p` YAML file's top-level mapping (keys as written), overlaid by
 * `RUNNABLE_PRM_*` / `runnable_PRM_*` variables of the launching environment (JSON-decoded, else text).
 * Values a run could not keep exactly (NaN, Infinity, integers beyond 2^53, nesting deeper than
 * {@link MAX_VALUE_DEPTH}) are refused with where they are.
 */
export async function initialParameters(file: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<Parameters> {
  const fromFile = file ? await readParametersFile(resolve(cwd, file), file) : {};
  const fromEnv = parametersFromEnv(env);
  for (const name of Object.keys(fromEnv)) {
    const problem = parameterNameProblem(name);
    if (problem) throw new RunnableError("PARAMETERS_INVALID", `the environment variable RUNNABLE_PRM_${name} names no valid parameter: ${problem}`);
  }
  return { ...fromFile, ...fromEnv };
}

function invalid(shown: string, problems: Problem[]): RunnableError {
  return new RunnableError("PARAMETERS_INVALID", `invalid parameters file ${shown}:\n${problems.map(formatProblem).join("\n")}`, {
    problems,
    hint: "a parameters file is a YAML mapping of names to plain values; quote a value to keep it as text",
  });
}

async function readParametersFile(path: string, shown: string): Promise<Parameters> {
  const text = await readSourceText(
    path,
    shown,
    {
      failed: (error) => {
        const refused = boundedReadFailure(error);
        if (refused) return new RunnableError("PARAMETERS_INVALID", `parameters file ${shown} ${refused}`, { hint: "give -p/--parameters-file a YAML file" });
        return new RunnableError("FILE_NOT_FOUND", `parameters file ${shown} not found`, {
          hint: "check the path given to -p/--parameters-file (relative to the working directory)",
        });
      },
      invalid: (problem) => invalid(shown, [problem]),
    },
    MAX_PARAMETERS_BYTES,
  );
  const source = parseYamlSource(text, shown);
  const problems = [...source.syntaxProblems, ...source.duplicateProblems];
  if (problems.length > 0) throw invalid(shown, problems);
  const value = source.value;
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalid(shown, [{ message: "a parameters file must be a mapping of names to values", file: shown, line: 1, col: 1 }]);
  }
  const names = Object.keys(value).flatMap((name) => {
    const problem = parameterNameProblem(name);
    return problem ? [{ message: problem, file: shown, ...source.positionOf([name], "key"), path: name }] : [];
  });
  const lossy = [...names, ...inexactValues(source)];
  if (lossy.length > 0) throw invalid(shown, lossy);
  return value as Parameters;
}

/** Numbers a 64-bit float cannot keep (non-finite floats, integers beyond 2^53) and too-deep values, located. */
function inexactValues(source: YamlSource): Problem[] {
  const problems: Problem[] = [];
  const stack: Array<[unknown, (string | number)[]]> = [[source.hashable([]), []]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    const at = (message: string): Problem => ({
      message: `parameter ${path.join(".")} ${message}`,
      file: source.file,
      ...source.positionOf(path),
      path: path.join("."),
    });
    if (typeof node === "number") {
      if (!Number.isSafeInteger(node)) problems.push(at("is an integer with more digits than a 64-bit float keeps exactly; quote it to keep it as text"));
    } else if (typeof node === "object" && node !== null && PY_FLOAT in node) {
      const float = (node as { [PY_FLOAT]: number })[PY_FLOAT];
      if (!Number.isFinite(float)) problems.push(at(`is ${float}, which a run cannot keep (parameters are JSON values); quote it to keep it as text`));
    } else if (typeof node === "object" && node !== null) {
      if (path.length > MAX_VALUE_DEPTH) {
        problems.push(at(`nests lists and mappings more than ${MAX_VALUE_DEPTH} levels deep`));
        continue;
      }
      for (const [key, item] of Object.entries(node)) stack.push([item, [...path, Array.isArray(node) ? Number(key) : key]]);
    }
  }
  return problems.reverse();
}
