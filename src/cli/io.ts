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

/** A standard stream that stops being written once its reader is gone (`runnable runs list | head`): EPIPE is not an error. */
export function closable(stream: NodeJS.WritableStream): (text: string) => void {
  let closed = false;
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}
