import { maskSecrets } from "./masking.js";
import type { OutputSink } from "../ports/task-runner.js";

/**
 * Collects a task's stdout and stderr in arrival order, line by line, masking secrets before anything
 * is kept or shown (whole lines, so a secret split across chunks is still masked).
 */
export class OutputCollector implements OutputSink {
  private readonly parts: string[] = [];
  private readonly pending = { stdout: "", stderr: "" };
  private readonly decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };

  constructor(
    private readonly secrets: () => Iterable<string>,
    private readonly onLine: (stream: "stdout" | "stderr", line: string) => void,
  ) {}

  /** Accepts a chunk of output. */
  write(stream: "stdout" | "stderr", chunk: string | Uint8Array): void {
    const text = typeof chunk === "string" ? chunk : this.decoders[stream].decode(chunk, { stream: true });
    const buffered = this.pending[stream] + text;
    const end = buffered.lastIndexOf("\n");
    if (end < 0) {
      this.pending[stream] = buffered;
      return;
    }
    this.pending[stream] = buffered.slice(end + 1);
    this.keep(stream, buffered.slice(0, end + 1));
  }

  /** Adds a line written by the engine itself (e.g. an attempt header). */
  note(line: string): void {
    this.parts.push(`${line}\n`);
  }

  /** Everything collected so far (partial last lines included), masked. */
  text(): string {
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = this.pending[stream] + this.decoders[stream].decode();
      this.pending[stream] = "";
      if (rest) this.keep(stream, `${rest}\n`);
    }
    return this.parts.join("");
  }

  private keep(stream: "stdout" | "stderr", lines: string): void {
    const masked = maskSecrets(lines, this.secrets());
    this.parts.push(masked);
    for (const line of masked.slice(0, -1).split("\n")) this.onLine(stream, line);
  }
}
