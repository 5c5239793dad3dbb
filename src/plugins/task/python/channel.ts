import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { messageOf } from "../../../core/errors.js";
import type { TaskInvocation, TaskServices } from "../../../ports/task-runner.js";
import { pythonPath } from "./interpreter.js";

/** Name of the environment variable pointing Python code at its task channel folder. */
export const CHANNEL_ENV = "RUNNABLE_TASK_CHANNEL";

/** `python -c` code starting one of runnable-ts' harnesses with its package ahead of the working directory. */
export function bootCode(harness: "_harness" | "_notebook"): string {
  return `import os,sys;sys.path.insert(0,os.environ['PYTHONPATH'].split(os.pathsep)[0]);from runnable.${harness} import main;sys.exit(main())`;
}

/** What the Python side left in the channel when the task ended. */
export interface ChannelOutputs {
  /** Lines of `events.jsonl` (parameters set, metrics tracked), parsed. */
  events: Record<string, unknown>[];
  /** `result.json`, or undefined when the process ended before writing it. */
  result: { ok: boolean; error?: string; parameters?: Record<string, unknown> } | undefined;
  /** `env.json`: the parameter and tracking variables of the Python process at the end. */
  env: Record<string, string>;
}

/** A task's private channel: a folder with `context.json`, events and results, and a service socket. */
export interface TaskChannel {
  dir: string;
  /** Environment of the Python process: the invocation's plus the channel, PYTHONPATH and unbuffered output. */
  env: Record<string, string>;
  read(): Promise<ChannelOutputs>;
  close(): Promise<void>;
}

/** Opens a channel for one attempt; `extra` is merged into `context.json`. */
export async function openChannel(invocation: TaskInvocation, extra: Record<string, unknown>): Promise<TaskChannel> {
  // Inside the attempt's private folder: the channel holds parameters and secrets.
  const dir = await mkdtemp(join(await invocation.scratchDir(), "py-"));
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
      map_variable: Object.fromEntries(invocation.mapVariable),
      tracker_context: invocation.services.trackerContext(),
      socket: socketPath,
      ...extra,
    };
    // Owner-only, like everything the task writes here (events.jsonl, result.json): it holds parameters.
    await writeFile(join(dir, "context.json"), JSON.stringify(context), { mode: 0o600 });
    const server = await serveRequests(socketPath, invocation.services);
    const env = {
      ...invocation.env,
      [CHANNEL_ENV]: dir,
      PYTHONPATH: pythonPath(invocation.env["PYTHONPATH"]),
      PYTHONUNBUFFERED: "1",
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
    };
    return { dir, env, read: () => readOutputs(dir), close: () => closeChannel(dir, server) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function closeChannel(dir: string, server: Server): Promise<void> {
  await new Promise<void>((done) => server.close(() => done()));
  await rm(dir, { recursive: true, force: true });
}

async function readOutputs(dir: string): Promise<ChannelOutputs> {
  const text = (name: string) => readFile(join(dir, name), "utf8").catch(() => undefined);
  const [events, result, env] = await Promise.all([text("events.jsonl"), text("result.json"), text("env.json")]);
  return {
    events: (events ?? "").split("\n").filter((line) => line.trim()).flatMap(parseLine),
    result: parseJson(result) as ChannelOutputs["result"],
    env: (parseJson(env) ?? {}) as Record<string, string>,
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

/** Serves JSON-line requests (`{id, op, args}` → `{id, ok, result | error}`) on a Unix socket. */
function serveRequests(path: string, services: TaskServices): Promise<Server> {
  const server = createServer((socket) => handleConnection(socket, services));
  server.unref();
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(path, () => {
      server.off("error", fail);
      done(server);
    });
  });
}

function handleConnection(socket: Socket, services: TaskServices): void {
  let buffered = "";
  socket.setEncoding("utf8");
  socket.on("error", () => socket.destroy());
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      void answer(line, services).then((reply) => {
        if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
      });
    }
  });
}

async function answer(line: string, services: TaskServices): Promise<Record<string, unknown>> {
  let id: unknown = null;
  try {
    const request = JSON.parse(line) as { id?: unknown; op?: unknown; args?: Record<string, unknown> };
    id = request.id ?? null;
    const args = request.args ?? {};
    return { id, ok: true, result: await perform(String(request.op), args, services) };
  } catch (error) {
    return { id, ok: false, error: messageOf(error) };
  }
}

async function perform(op: string, args: Record<string, unknown>, services: TaskServices): Promise<unknown> {
  const name = typeof args["name"] === "string" ? args["name"] : "";
  switch (op) {
    case "get_secret":
      return services.getSecret(name);
    case "get_from_catalog":
      return services.getFromCatalog(name);
    case "put_in_catalog":
      return services.putInCatalog(name);
    case "get_run_log":
      return services.getRunLog();
    default:
      throw new Error(`unknown request "${op}"`);
  }
}
