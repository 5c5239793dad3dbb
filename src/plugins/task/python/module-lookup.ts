import { execFile } from "node:child_process";
import { pythonPath } from "./interpreter.js";

// Whether the interpreter that runs tasks can import a top-level module that is not under the working
// directory (an installed package), asked before a run so that `validate` reports a missing module
// with the other problems. importlib's find_spec of a top-level name locates it without running it.

const FIND = "import importlib.util, sys\nsys.stdout.write(''.join('1' if importlib.util.find_spec(n) else '0' for n in sys.argv[1:]))";

/** A lookup of top-level module names with the task's interpreter, each name asked once per runner. */
export type ModuleLookup = (interpreter: string, name: string, cwd: string) => Promise<boolean | undefined>;

/** A {@link ModuleLookup} with the tasks' environment (their PYTHONPATH); undefined when Python could not answer. */
export function createModuleLookup(env: Readonly<Record<string, string | undefined>>): ModuleLookup {
  const answers = new Map<string, Promise<boolean | undefined>>();
  return (interpreter, name, cwd) => {
    const key = `${interpreter}\0${cwd}\0${name}`;
    let answer = answers.get(key);
    if (!answer) {
      answer = new Promise((resolve) => {
        const childEnv = { ...env, PYTHONPATH: pythonPath(env["PYTHONPATH"]) };
        // `-c` puts the working directory first on sys.path, as tasks have it.
        execFile(interpreter, ["-c", FIND, name], { cwd, env: childEnv, timeout: 20_000 }, (error, stdout) => {
          resolve(error ? undefined : stdout.trim() === "1");
        });
      });
      answers.set(key, answer);
    }
    return answer;
  };
}
