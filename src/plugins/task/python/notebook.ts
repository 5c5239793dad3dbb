import { stat } from "node:fs/promises";
import { isAbsolute, normalize, relative, resolve, sep } from "node:path";
import { escapePath } from "tinyglobby";
import { messageOf } from "../../../core/errors.js";
import { itemText, safeSegment, type MapVariable } from "../../../core/names.js";
import type { TaskInvocation, TaskOutcome } from "../../../ports/task-runner.js";
import { bootCode, openChannel } from "./channel.js";
import { storeReturnedObjects } from "./objects.js";
import { outcomeOf } from "./outcome.js";
import { spawnPython } from "./spawn.js";

/** Exit code of the notebook harness when nbclient/nbformat cannot be imported. */
const MISSING_PACKAGES = 3;

/** Packages a notebook task needs, for error messages. */
export const NOTEBOOK_PACKAGES_HINT =
  "notebook tasks need nbclient, nbformat and ipykernel in the Python that runs them: on Debian/Ubuntu " +
  "`apt-get install python3-ipykernel python3-nbclient` (then, if another python3 comes first on PATH, name it in the config: " +
  "`task_runners: {python: {notebook_python: /usr/bin/python3}}`, or RUNNABLE_NOTEBOOK_PYTHON=/usr/bin/python3), or " +
  "`python3 -m pip install nbclient nbformat ipykernel` for the python3 that runs them";

/**
 * Where the executed notebook goes: `notebook_output_path`, else the notebook's path with `_out`
 * before `.ipynb` (runnable's naming without its dropped-dots defect); inside maps `_<item>` per map
 * item is added before the extension so the file still opens as a notebook.
 */
export function notebookOutputPath(command: string, explicit: string | undefined, mapVariable: MapVariable): string {
  const trimmed = command.trim();
  const base = normalize(explicit?.trim() || `${trimmed.replace(/\.ipynb$/i, "")}_out.ipynb`);
  const suffix = mapVariable.map(([, value]) => `_${safeSegment(itemText(value))}`).join("");
  if (!suffix) return base;
  return /\.ipynb$/i.test(base) ? base.replace(/\.ipynb$/i, `${suffix}.ipynb`) : `${base}${suffix}`;
}

/** Settings of the notebook runner. */
export interface NotebookSettings {
  /** Interpreters to try for the harness, in order (the first with nbclient wins and is remembered). */
  interpreters: () => string[];
  remember: (interpreter: string) => void;
  kernel: string;
}

/** Runs one attempt of a notebook task. */
export async function runNotebook(invocation: TaskInvocation, settings: NotebookSettings): Promise<TaskOutcome> {
  const { task } = invocation.node;
  const outputPath = notebookOutputPath(task.command, stringOr(task["notebook_output_path"]), invocation.mapVariable);
  const notebook = {
    input: task.command.trim(),
    output: outputPath,
    output_cell_tag: stringOr(task["output_cell_tag"]) ?? "runnable_output",
    kernel: settings.kernel,
  };
  const channel = await openChannel(invocation, { notebook });
  try {
    const tried: string[] = [];
    for (const interpreter of settings.interpreters()) {
      tried.push(interpreter);
      const exit = await spawnPython(interpreter, ["-c", bootCode("_notebook")], invocation, channel.env);
      if ("missing" in exit || exit.code === MISSING_PACKAGES) continue;
      settings.remember(interpreter);
      const outputs = await channel.read();
      const outcome = outcomeOf(outputs, channel.env, { code: exit.code, what: "the notebook" });
      await catalogNotebook(invocation, outputPath);
      return storeReturnedObjects(invocation, channel.dir, outputs.result, outcome);
    }
    return { failure: `no usable Python for notebooks (tried ${tried.join(", ")}): ${NOTEBOOK_PACKAGES_HINT}`, parameters: {}, metrics: [] };
  } finally {
    await channel.close();
  }
}

/** Puts the executed notebook into the catalog (it then shows in the step's `data_catalog`). */
async function catalogNotebook(invocation: TaskInvocation, outputPath: string): Promise<void> {
  const absolute = resolve(invocation.cwd, outputPath);
  if (
    !(await stat(absolute).then(
      (s) => s.isFile(),
      () => false,
    ))
  )
    return;
  const inside = relative(invocation.cwd, absolute);
  if (!inside || inside.startsWith("..") || isAbsolute(inside)) {
    invocation.output.write("stderr", `the executed notebook ${outputPath} is outside the working directory; not cataloged\n`);
    return;
  }
  try {
    await invocation.services.putInCatalog(escapePath(inside.split(sep).join("/")));
  } catch (error) {
    invocation.output.write("stderr", `could not put the executed notebook ${inside} in the catalog: ${messageOf(error)}\n`);
  }
}

function stringOr(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value : undefined;
}
