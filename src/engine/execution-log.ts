import type { ContentWriter } from "../ports/catalog.js";
import type { OutputSink } from "../ports/task-runner.js";
import { maskSecrets } from "./masking.js";

/** Lines of a step's output shown live before the rest is only counted (the log keeps everything). */
export const LIVE_LINES = 200;
/** Lines of the end of a step's output shown when its live output was cut. */
export const TAIL_LINES = 10;
/** Longest line shown live (longer ones are cut for the terminal only). */
const LIVE_LINE_CHARS = 1_000;
/** Text kept for the tail (memory stays bounded whatever the output). */
const TAIL_CHARS = 16 * 1024;

type Stream = "stdout" | "stderr";

/** Where a step's output is shown while it runs. */
export interface LiveOutput {
  line(stream: Stream, text: string): void;
  /** Called once when the live budget is spent. */
  truncated(shownLines: number): void;
}

/**
 * A step's output on its way to the execution log: both streams in arrival order, streamed to the
 * catalog as they come (memory does not grow with the output), secrets masked before anything is
 * written or shown — also when a secret is split across chunks: per stream, the last
 * (longest secret − 1) characters wait for the next chunk. The first {@link LIVE_LINES} lines are shown
 * live; after that only a bounded tail is kept, for the end of the step.
 */
export class ExecutionLog implements OutputSink {
  private readonly decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  private readonly held = { stdout: "", stderr: "" };
  private readonly partial = { stdout: "", stderr: "" };
  private shown = 0;
  private omitted = 0;
  private tail = "";

  constructor(
    private readonly writer: ContentWriter,
    private readonly secrets: () => ReadonlySet<string>,
    private readonly live: LiveOutput,
  ) {}

  /** Bytes written to the log so far. */
  get bytes(): number {
    return this.writer.bytes;
  }

  /** Accepts a chunk of a task's output. */
  write(stream: Stream, chunk: string | Uint8Array): void {
    const secrets = this.secrets();
    if (secrets.size === 0 && this.held[stream] === "" && typeof chunk !== "string") {
      // Nothing to mask: the bytes go through as they are.
      this.writer.write(chunk);
      this.watch(stream, this.decoders[stream].decode(chunk, { stream: true }));
      return;
    }
    const text = typeof chunk === "string" ? chunk : this.decoders[stream].decode(chunk, { stream: true });
    this.emit(stream, this.releasable(stream, this.held[stream] + text, secrets));
  }

  /** Adds a line written by the engine itself (an attempt header). */
  note(line: string): void {
    this.flush();
    this.writer.write(`${line}\n`);
  }

  /** Writes what is still held back (ends of lines, possible starts of secrets). */
  flush(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = this.held[stream] + this.decoders[stream].decode();
      this.held[stream] = "";
      if (rest) this.emit(stream, maskSecrets(rest, this.secrets()));
      const last = this.partial[stream];
      this.partial[stream] = "";
      if (!last) continue;
      if (this.shown < LIVE_LINES) this.showLine(stream, last);
      else this.omitted++;
    }
  }

  /** The last lines of the output when the live view was cut (else none), and how many lines it left out. */
  ending(): { lines: string[]; omittedLines: number } {
    if (this.omitted === 0) return { lines: [], omittedLines: 0 };
    const lines = this.tail.split("\n");
    if (lines.at(-1) === "") lines.pop();
    return { lines: lines.slice(-TAIL_LINES).map(cut), omittedLines: this.omitted };
  }

  /** The masked part of `buffer` that no secret can still continue into; the rest is held back. */
  private releasable(stream: Stream, buffer: string, secrets: ReadonlySet<string>): string {
    let longest = 0;
    for (const secret of secrets) longest = Math.max(longest, secret.length);
    let end = Math.max(0, buffer.length - Math.max(0, longest - 1));
    for (let moved = true; moved; ) {
      moved = false;
      for (const secret of secrets) {
        if (!secret) continue;
        const from = Math.max(0, end - secret.length + 1);
        const at = buffer.indexOf(secret, from);
        if (at >= 0 && at < end && at + secret.length > end) {
          end = at + secret.length;
          moved = true;
        }
      }
    }
    this.held[stream] = buffer.slice(end);
    return maskSecrets(buffer.slice(0, end), secrets);
  }

  private emit(stream: Stream, text: string): void {
    if (!text) return;
    this.writer.write(text);
    this.watch(stream, text);
  }

  /** Splits text into lines for the live view while its budget lasts; afterwards counts lines and keeps a tail. */
  private watch(stream: Stream, text: string): void {
    if (this.shown >= LIVE_LINES) {
      for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) this.omitted++;
      this.tail = (this.tail + text).slice(-TAIL_CHARS);
      return;
    }
    const lines = (this.partial[stream] + text).split("\n");
    this.partial[stream] = (lines.pop() ?? "").slice(-TAIL_CHARS);
    for (const [index, line] of lines.entries()) {
      if (this.shown < LIVE_LINES) this.showLine(stream, line);
      else {
        this.omitted += lines.length - index;
        this.tail = (lines.slice(index).join("\n") + "\n" + this.partial[stream]).slice(-TAIL_CHARS);
        this.partial[stream] = "";
        return;
      }
    }
  }

  private showLine(stream: Stream, line: string): void {
    this.live.line(stream, cut(line));
    if (++this.shown === LIVE_LINES) this.live.truncated(LIVE_LINES);
  }
}

const cut = (line: string): string => (line.length > LIVE_LINE_CHARS ? `${line.slice(0, LIVE_LINE_CHARS)}…` : line);
