import { format } from "node:util";
import { currentTaskContext } from "../../../ports/task-context.js";

const INSTALLED = Symbol.for("runnable-ts.console-routing");
const METHODS = [
  ["log", "stdout"],
  ["info", "stdout"],
  ["debug", "stdout"],
  ["warn", "stderr"],
  ["error", "stderr"],
] as const;

/**
 * Routes `console.*` calls made inside a task to that task's execution log (found through
 * AsyncLocalStorage, so concurrent tasks keep their own output); outside tasks nothing changes.
 * Installed once per process.
 */
export function installConsoleRouting(): void {
  const target = console as unknown as Record<string | symbol, unknown>;
  if (target[INSTALLED]) return;
  target[INSTALLED] = true;
  for (const [method, stream] of METHODS) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      const context = currentTaskContext();
      if (context) context.log(stream, `${format(...args)}\n`);
      else original(...args);
    };
  }
}
