import { mkdir } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { basename, dirname, join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { messageOf } from "../../../core/errors.js";
import type { OutputSink, TaskServices } from "../../../ports/task-runner.js";

/** First byte of a connection carrying a task's output (the warm worker's descriptors 1 and 2). */
const STREAM_TAGS: Record<number, "stdout" | "stderr"> = { 1: "stdout", 2: "stderr" };

/** The Unix socket of a task channel: service requests, and output streams sent to the attempt's log. */
export interface ChannelServer {
  /** Resolves when `count` output connections have ended, or after `timeoutMs` (then they are cut). */
  outputEnded(count: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves a channel socket. A connection whose first byte is 1 or 2 carries stdout or stderr (raw
 * bytes, to `output`); any other carries JSON-line requests (`{id, op, args}` → `{id, ok, result |
 * error}`) answered by `services`.
 */
export async function serveChannel(path: string, services: TaskServices, output: OutputSink): Promise<ChannelServer> {
  const sockets = new Set<Socket>();
  const streams = { ended: 0, waiters: [] as (() => void)[] };
  const streamEnded = (): void => {
    streams.ended++;
    for (const wake of streams.waiters.splice(0)) wake();
  };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    handleConnection(socket, services, output, streamEnded, dirname(path));
  });
  server.unref();
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(path, () => {
      server.off("error", fail);
      done();
    });
  });
  return {
    outputEnded: (count, timeoutMs) => waitForStreams(streams, count, timeoutMs, () => sockets),
    close: () => closeServer(server, sockets),
  };
}

function waitForStreams(streams: { ended: number; waiters: (() => void)[] }, count: number, timeoutMs: number, sockets: () => Set<Socket>): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(() => {
      // Held open by a process the task left running: what it writes later is not this attempt's.
      for (const socket of sockets()) socket.destroy();
      done();
    }, timeoutMs);
    timer.unref();
    const check = (): void => {
      if (streams.ended >= count) {
        clearTimeout(timer);
        done();
      } else streams.waiters.push(check);
    };
    check();
  });
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise<void>((done) => server.close(() => done()));
}

function handleConnection(socket: Socket, services: TaskServices, output: OutputSink, streamEnded: () => void, channelDir: string): void {
  socket.on("error", () => socket.destroy());
  let role: ((chunk: Buffer) => void) | undefined;
  socket.on("data", (chunk: Buffer) => {
    if (!role) {
      const stream = STREAM_TAGS[chunk[0] ?? 0];
      role = stream ? (data) => void (data.length > 0 && output.write(stream, data)) : requestReader(socket, services, channelDir);
      if (stream) {
        socket.once("close", streamEnded);
        chunk = chunk.subarray(1);
      }
    }
    role(chunk);
  });
}

/** Reads JSON-line requests from a connection and writes the answers back. */
function requestReader(socket: Socket, services: TaskServices, channelDir: string): (chunk: Buffer) => void {
  const decoder = new StringDecoder("utf8");
  let buffered = "";
  return (chunk) => {
    buffered += decoder.write(chunk);
    for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      void answer(line, services, channelDir).then((reply) => {
        if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
      });
    }
  };
}

async function answer(line: string, services: TaskServices, channelDir: string): Promise<Record<string, unknown>> {
  let id: unknown = null;
  try {
    const request = JSON.parse(line) as { id?: unknown; op?: unknown; args?: Record<string, unknown> };
    id = request.id ?? null;
    const args = request.args ?? {};
    return { id, ok: true, result: await perform(String(request.op), args, services, channelDir) };
  } catch (error) {
    return { id, ok: false, error: messageOf(error) };
  }
}

/** Copies an object file of the catalog into the channel (`objects-in/<file>`) and answers its path. */
async function fetchObject(name: string, channelDir: string, services: TaskServices): Promise<string> {
  if (!name || basename(name) !== name) throw new Error(`not an object file name: ${JSON.stringify(name)}`);
  const folder = join(channelDir, "objects-in");
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const path = join(folder, name);
  await services.getObject(name, path);
  return path;
}

async function perform(op: string, args: Record<string, unknown>, services: TaskServices, channelDir: string): Promise<unknown> {
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
    case "get_object":
      return fetchObject(name, channelDir, services);
    default:
      throw new Error(`unknown request "${op}"`);
  }
}
