import { readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TaskInvocation } from "../../../ports/task-runner.js";
import { objectContext } from "./objects.js";
import { type ChannelServer, serveChannel } from "./channel-server.js";
import { pythonPath } from "./interpreter.js";

/** Name of the environment variable pointing Python code at its task channel folder. */
export const CHANNEL_ENV = "RUNNABLE_TASK_CHANNEL";

/** `python -c` code starting one of runnable-ts' harnesses with its package ahead of the working directory. */
export function bootCode(harness: "_harness" | "_notebook" | "_worker" | "_reduce"): string {
  return `import os,sys;sys.path.insert(0,os.environ['PYTHONPATH'].split(os.pathsep)[0]);from runnable.${harness} import main;sys.exit(main())`;
}

/** What a Python task reports (`result.json`, a warm worker's answer): its failure, or what it set and returned. */
export interface ChannelResult {
  ok: boolean;
  error?: string;
  /** Parameters set the February-2024 way (a returned mapping). */
  parameters?: Record<string, unknown>;
  /** Values of the declared returns by name (objects: their names, pickled into `<channel>/objects/<file>`). */
  returns?: Record<string, unknown>;
}

/** What the Python side left in the channel when the task ended. */
export interface ChannelOutputs {
  /** Lines of `events.jsonl` (parameters set, metrics tracked), parsed. */
  events: Record<string, unknown>[];
  /** `result.json`, or undefined when the process ended before writing it. */
  result: ChannelResult | undefined;
  /** `env.json`: the parameter and tracking variables of the Python process at the end. */
  env: Record<string, string>;
}

/** A task's private channel: a folder with `context.json`, events and results, and a service socket. */
export interface TaskChannel {
  dir: string;
  /** Environment of the Python process: the invocation's plus the channel, PYTHONPATH and unbuffered output. */
  env: Record<string, string>;
  /** Resolves when `count` output connections (a warm worker's stdout and stderr) have ended, or after `timeoutMs`. */
  outputEnded(count: number, timeoutMs: number): Promise<void>;
  /** What the task left; `reported` (a warm worker's answer) stands for `result.json` and `env.json`. */
  read(reported?: Pick<ChannelOutputs, "result" | "env">): Promise<ChannelOutputs>;
  close(): Promise<void>;
}

/** Opens a channel for one attempt; `extra` is merged into `context.json`. */
export async function openChannel(invocation: TaskInvocation, extra: Record<string, unknown>): Promise<TaskChannel> {
  // The attempt's private folder (the channel holds parameters and secrets), emptied when it ends.
  const dir = await invocation.scratchDir();
  const socketPath = join(dir, "api.sock");
  try {
    const context = {
      run_id: invocation.runId,
      tag: invocation.tag,
      step_name: invocation.node.name,
      internal_name: invocation.internalName,
      attempt: invocation.attempt,
      command: invocation.node.task.command,
      parameters: invocation.parameters,
      ...objectContext(invocation),
      map_variable: Object.fromEntries(invocation.mapVariable),
      tracker_context: invocation.services.trackerContext(),
      socket: socketPath,
      ...extra,
    };
    // Both at once (each waits for the thread pool); a failed write closes the server again.
    // Owner-only, like everything the task writes here (events.jsonl, result.json): it holds parameters.
    const listening = serveChannel(socketPath, invocation.services, invocation.output);
    await writeFile(join(dir, "context.json"), JSON.stringify(context), { mode: 0o600 }).catch(async (error: unknown) => {
      await listening.then((server) => server.close()).catch(() => undefined);
      throw error;
    });
    const server = await listening;
    const env = {
      ...invocation.env,
      [CHANNEL_ENV]: dir,
      PYTHONPATH: pythonPath(invocation.env["PYTHONPATH"]),
      PYTHONUNBUFFERED: "1",
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
    };
    return {
      dir,
      env,
      outputEnded: (count, timeoutMs) => server.outputEnded(count, timeoutMs),
      read: async (reported) => readOutputs(dir, reported),
      close: () => closeChannel(server),
    };
  } catch (error) {
    await rm(join(dir, "context.json"), { force: true });
    throw error;
  }
}

/** Closes the socket (its file goes with it); the files go when the engine empties the attempt's folder. */
async function closeChannel(server: ChannelServer): Promise<void> {
  await server.close();
}

/**
 * Reads the channel's files synchronously on purpose: they were just written (page cache), and a
 * small read takes ~10 µs of the main thread where `fs.promises.readFile` takes ~160 µs of it; parsing
 * the events costs more than reading them anyway.
 */
function readOutputs(dir: string, reported: Pick<ChannelOutputs, "result" | "env"> | undefined): ChannelOutputs {
  const text = (name: string): string | undefined => {
    try {
      return readFileSync(join(dir, name), "utf8");
    } catch {
      return undefined;
    }
  };
  const events = (text("events.jsonl") ?? "")
    .split("\n")
    .filter((line) => line.trim())
    .flatMap(parseLine);
  if (reported) return { events, ...reported };
  return {
    events,
    result: parseJson(text("result.json")) as ChannelOutputs["result"],
    env: (parseJson(text("env.json")) ?? {}) as Record<string, string>,
  };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseLine(line: string): Record<string, unknown>[] {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === "object" && value !== null ? [value as Record<string, unknown>] : [];
  } catch {
    return []; // a line cut short by a killed process
  }
}
