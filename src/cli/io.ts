/** What a CLI command may touch of the outside world (so tests can run commands in-process). */
export interface CliIo {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  isTTY: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
  signal: AbortSignal;
  /** Reads all of standard input (the Python SDK sends its pipeline this way). */
  stdin?: () => Promise<string>;
}
