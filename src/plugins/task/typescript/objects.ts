import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { RunnableError, messageOf } from "../../../core/errors.js";
import { parametersProblem } from "../../../core/parameters.js";
import { objectFileName, objectNames } from "../../../core/returns.js";
import type { Parameters } from "../../../core/run-log.js";
import type { TaskInvocation } from "../../../ports/task-runner.js";

// Objects passed between TypeScript tasks (`returns: [object("model")]`) are serialised with
// `v8.serialize`: the structured clone algorithm (Map, Set, Date, RegExp, BigInt, typed arrays and
// ArrayBuffers, Error objects, cycles and shared references kept), written as bytes that can be stored
// in the catalog and read back by a later task, in another process or on another machine. JSON would
// lose all of that; structuredClone itself keeps nothing outside the process. Functions, symbols and
// class prototypes cannot be serialised (class instances come back as plain objects).

/** The extension of a serialised TypeScript value in the catalog (Python's pickles are `.dill`). */
export const V8_EXTENSION = ".v8";

/**
 * The declared returns from a function's return value: the value itself for one name, an array with
 * one element per name for several (runnable 0.50's tuple). JSON and metric values must be data;
 * objects are serialised into the catalog and stand as their names.
 */
export async function returnedValues(invocation: TaskInvocation, returned: unknown): Promise<Parameters> {
  const declared = invocation.returns;
  const values = declared.length === 1 ? [returned] : returned;
  if (!Array.isArray(values) || values.length !== declared.length) {
    const got = Array.isArray(returned) ? `an array of ${returned.length}` : typeof returned;
    throw new RunnableError(
      "TASK_FAILED",
      `the function returned ${got} but the step declares ${declared.length} returns (${declared.map((r) => r.name).join(", ")}); return an array with one value per name, in order`,
    );
  }
  const result: Parameters = {};
  for (const [index, spec] of declared.entries()) {
    const value = values[index];
    if (spec.object) {
      await storeObject(invocation, spec.object, value, spec.name);
      result[spec.name] = spec.object;
      continue;
    }
    const problem = parametersProblem({ [spec.name]: value });
    if (problem)
      throw new RunnableError(
        "TASK_FAILED",
        `the returned value "${spec.name}" cannot be kept: ${problem} (return it with object("${spec.name}") to pass it on as it is)`,
      );
    result[spec.name] = JSON.parse(JSON.stringify(value ?? null)) as unknown;
  }
  return result;
}

async function storeObject(invocation: TaskInvocation, name: string, value: unknown, returnName: string): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = serialize(value);
  } catch (error) {
    throw new RunnableError(
      "TASK_FAILED",
      `the returned object "${returnName}" cannot be serialised: ${messageOf(error)} (functions, symbols and the like cannot be)`,
    );
  }
  const file = objectFileName(name, V8_EXTENSION);
  const path = join(await invocation.scratchDir(), file);
  await writeFile(path, bytes, { mode: 0o600 });
  await invocation.services.putObject(file, path);
}

/** Loads one object (a name) or a map's collected objects (a list of names); undefined when one is not a TypeScript object. */
async function loadObject(invocation: TaskInvocation, value: unknown): Promise<{ value: unknown } | { missing: string }> {
  const names = objectNames(value);
  if (!names) return { missing: String(value) };
  const loaded: unknown[] = [];
  for (const name of names) {
    const file = objectFileName(name, V8_EXTENSION);
    const path = join(await invocation.scratchDir(), `in-${file}`);
    try {
      await invocation.services.getObject(file, path);
    } catch {
      return { missing: name };
    }
    loaded.push(deserialize(await readFile(path)));
  }
  return { value: typeof value === "string" ? loaded[0] : loaded };
}

/**
 * The object parameters `wanted` (all of them when undefined) as their values; one that is not a
 * TypeScript object (a Python pickle) becomes a getter failing with why, when the task reads it.
 */
export async function loadObjects(invocation: TaskInvocation, wanted: readonly string[] | undefined): Promise<Map<string, () => unknown>> {
  const loaded = new Map<string, () => unknown>();
  for (const [name, kind] of Object.entries(invocation.parameterKinds)) {
    if (kind !== "object" || (wanted && !wanted.includes(name)) || !Object.hasOwn(invocation.parameters, name)) continue;
    const found = await loadObject(invocation, invocation.parameters[name]);
    if ("value" in found) loaded.set(name, () => found.value);
    else
      loaded.set(name, () => {
        throw new RunnableError(
          "TASK_FAILED",
          `parameter "${name}" is the object "${found.missing}", which no TypeScript task returned (a Python task's pickle cannot be read here)`,
        );
      });
  }
  return loaded;
}
