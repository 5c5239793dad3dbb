import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { RunnableError } from "../../core/errors.js";
import type { ScriptLaunch } from "../../ports/plugin.js";
import { type SdkPayload, parseSdkPayload } from "../../runtime/sdk-payload.js";
import type { CliIo } from "../io.js";
import { EXIT, reportError } from "../report-error.js";

/** Name of the variable telling `Pipeline.execute()` where the waiting command line listens. */
export const HANDOFF_ENV = "RUNNABLE_SDK_HANDOFF";

/** What the command line answers the script: its run log, or the exit code to stop with. */
export type HandoffReply = { run_log: unknown } | { exit: number };

/** Handles the pipeline a script hands over; resolves with the reply and the command's exit code. */
export type PayloadHandler = (payload: SdkPayload) => Promise<{ reply: HandoffReply; code: number }>;

/** Options of {@link runPythonScript}. */
export interface ScriptOptions {
  file: string;
  /** How to run the script (its task plug-in's `pipelineScripts`). */
  launch: ScriptLaunch;
  verbose: boolean;
  /** What to do with the pipeline the script's first `Pipeline.execute()` hands over. */
  handle: PayloadHandler;
}

/**
 * Runs `interpreter file` with {@link HANDOFF_ENV} set, so that the script's `Pipeline.execute()` hands
 * its pipeline back here instead of starting another engine; the script goes on with the reply (its
 * run log). Resolves with the exit code: the run's, else the script's own when it failed.
 */
export async function runPythonScript(options: ScriptOptions, io: CliIo): Promise<number> {
  const folder = await mkdtemp(join(tmpdir(), "runnable-sdk-"));
  const address = join(folder, "handoff.sock");
  let outcome: number | undefined;
  const server = createServer((socket) => {
    server.close(); // one pipeline per script: a second execute() cannot connect
    outcome ??= EXIT.internal;
    void receive(socket, options, io).then((code) => (outcome = code));
  });
  try {
    await new Promise<void>((done, fail) => server.once("error", fail).listen(address, () => done()));
    const scriptCode = await spawnScript(options, address, io);
    await new Promise<void>((done) => server.close(() => done()));
    if (outcome === undefined) return noPipeline(options.file, scriptCode, io);
    return outcome !== EXIT.success ? outcome : scriptCode === 0 ? EXIT.success : scriptFailedAfter(options.file, scriptCode, io);
  } finally {
    server.close();
    await rm(folder, { recursive: true, force: true });
  }
}

async function receive(socket: Socket, options: ScriptOptions, io: CliIo): Promise<number> {
  const text = await readLine(socket);
  let result: { reply: HandoffReply; code: number };
  try {
    result = await options.handle(parseSdkPayload(text));
  } catch (error) {
    const code = reportError(error, options.verbose, io.err);
    result = { reply: { exit: code }, code };
  }
  await new Promise<void>((done) => socket.end(`${JSON.stringify(result.reply)}\n`, () => done()));
  return result.code;
}

function readLine(socket: Socket): Promise<string> {
  return new Promise((done, fail) => {
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (text.endsWith("\n")) done(text);
    });
    socket.on("error", fail);
    socket.on("end", () => done(text));
  });
}

function spawnScript(options: ScriptOptions, address: string, io: CliIo): Promise<number> {
  const { launch } = options;
  const env = { ...io.env, ...launch.env, [HANDOFF_ENV]: address };
  return new Promise((done, fail) => {
    const child = spawn(launch.command, launch.args, { cwd: io.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out = new StringDecoder("utf8");
    const err = new StringDecoder("utf8");
    child.stdout.on("data", (chunk: Buffer) => io.out(out.write(chunk)));
    child.stderr.on("data", (chunk: Buffer) => io.err(err.write(chunk)));
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") {
        fail(new RunnableError("FILE_NOT_FOUND", `${launch.what} not found (it runs ${options.file})`, { hint: launch.missingHint }));
      } else fail(error);
    });
    child.on("close", (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

function noPipeline(file: string, scriptCode: number, io: CliIo): number {
  const why = scriptCode === 0 ? "it ended without calling Pipeline.execute()" : `it failed (exit ${scriptCode}) before calling Pipeline.execute()`;
  io.err(
    `error: ${file} did not hand a pipeline to runnable: ${why}\nhint: a Python SDK script builds a Pipeline and calls its execute() (e.g. under if __name__ == "__main__": main())\n`,
  );
  return EXIT.badInput;
}

function scriptFailedAfter(file: string, scriptCode: number, io: CliIo): number {
  io.err(`error: the pipeline succeeded, but ${file} failed afterwards (exit ${scriptCode})\n`);
  return scriptCode;
}
