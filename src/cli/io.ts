import type { RunStop } from "../engine/services.js";

/** What a CLI command may touch of the outside world (so tests can run commands in-process). */
export interface CliIo {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  isTTY: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Stop controls for a run (the real CLI feeds them from signals); `dispose` removes what it installed. */
  stopControls: () => { stop: RunStop; dispose: () => void };
  /** Reads all of standard input (the Python SDK sends its pipeline this way). */
  stdin?: () => Promise<string>;
}
