import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { isStopReason } from "../../../core/stop.js";
import type { TaskInvocation } from "../../../ports/task-runner.js";
import { bootCode, type ChannelOutputs } from "./channel.js";
import { type PythonExit, spawnPython } from "./spawn.js";

/** Starts `python/runnable/_worker.py` with runnable-ts' package ahead of the working directory. */
/** Names the Unix socket a worker connects to when it starts. */
const WORKER_ENV = "RUNNABLE_WORKER_SOCKET";
/** A stopped worker gets this long between the stop signal and SIGKILL. */
const STOP_GRACE_MS = 3_000;
/** A closed worker gets this long to exit on its own before SIGKILL. */
const CLOSE_GRACE_MS = 2_000;

/** What one task needs from a worker: its channel, working directory and environment. */
export interface WorkerRequest {
  channel: string;
  cwd: string;
  env: Record<string, string>;
}

/** How a task on a worker ended: `done` (with its result; its events are in the channel), or the worker exited. */
export type WorkerEnd =
  | { kind: "done"; streams: number; reported: Pick<ChannelOutputs, "result" | "env">; error?: string }
  | { kind: "exited"; code: number; started: boolean };

/** A started worker, or why it could not be started. */
export type WorkerStart = { worker: PythonWorker } | PythonExit;

interface Message {
  hello?: number;
  executable?: string;
  started?: boolean;
  done?: boolean;
  streams?: number;
  result?: ChannelOutputs["result"];
  env?: Record<string, string>;
  error?: string;
}

/**
 * A warm Python worker process running one task at a time (see `python/runnable/_worker.py`). It is
 * started through the first attempt's `spawn` (own process group, registered with the watchdog); a
 * later attempt that is stopped kills it (the stop signal, then SIGKILL), and it is never reused after.
 */
export class PythonWorker {
  private exitCode: number | undefined;
  private stopped = false;
  private closing = false;
  private onMessage: ((message: Message) => void) | undefined;
  private onExit: (() => void) | undefined;

  private constructor(
    readonly pid: number,
    /** The interpreter binary that runs it (`sys.executable`: a pyenv shim resolved). */
    readonly executable: string,
    private readonly socket: Socket,
    private readonly exited: Promise<PythonExit>,
  ) {
    void exited.then((exit) => {
      this.exitCode = "code" in exit ? exit.code : 127;
      this.onExit?.();
    });
    // Its control connection lost (not closed by us): it can take no task, so it goes.
    socket.on("close", () => void (this.closing || this.kill("SIGKILL")));
  }

  /** True once it exited or was stopped: it takes no further task. */
  get dead(): boolean {
    return this.exitCode !== undefined || this.stopped;
  }

  /** Starts a worker for `invocation` (which must not be stopped meanwhile) with `interpreter`. */
  static async start(invocation: TaskInvocation, interpreter: string, env: Record<string, string>): Promise<WorkerStart> {
    const path = join(await invocation.scratchDir(), "worker.sock");
    const server = await listen(path);
    try {
      const connected = new Promise<{ socket: Socket }>((done) => server.once("connection", (socket: Socket) => done({ socket })));
      const exited = spawnPython(interpreter, ["-c", bootCode("_worker")], invocation, { ...env, [WORKER_ENV]: path });
      const first = await Promise.race([connected, exited]);
      if (!("socket" in first)) return first;
      const { socket } = first;
      const reader = lineReader(socket);
      const hello = await Promise.race([reader.next(), exited]);
      if (!("hello" in hello) || typeof hello.hello !== "number") {
        socket.destroy();
        return "code" in hello || "missing" in hello ? hello : { code: 1 };
      }
      const worker = new PythonWorker(hello.hello, typeof hello.executable === "string" ? hello.executable : "", socket, exited);
      reader.listen((message) => worker.onMessage?.(message));
      return { worker };
    } finally {
      server.close();
    }
  }

  /** Runs one task; a stop of `signal` kills the worker (its result is then whatever the channel holds). */
  async run(request: WorkerRequest, signal: AbortSignal): Promise<WorkerEnd> {
    let started = false;
    const onStop = (): void => this.stop(stopSignalOf(signal.reason));
    try {
      return await new Promise<WorkerEnd>((resolve) => {
        this.onMessage = (message) => {
          if (message.started) started = true;
          if (message.done) resolve(doneOf(message));
        };
        this.onExit = () => resolve({ kind: "exited", code: this.exitCode ?? 1, started });
        if (this.exitCode !== undefined) this.onExit();
        if (signal.aborted) onStop();
        else signal.addEventListener("abort", onStop, { once: true });
        this.socket.write(`${JSON.stringify({ op: "run", ...request })}\n`);
      });
    } finally {
      this.onMessage = undefined;
      this.onExit = undefined;
      signal.removeEventListener("abort", onStop);
    }
  }

  /** Ends the worker: end of input, then SIGKILL if it has not exited in time. */
  async close(): Promise<void> {
    this.stopped = true;
    this.closing = true;
    this.socket.end();
    const timer = setTimeout(() => this.kill("SIGKILL"), CLOSE_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** Stops a running task: `signal` to the worker's process group, SIGKILL after the grace period. */
  private stop(signal: NodeJS.Signals): void {
    this.stopped = true;
    this.kill(signal);
    const timer = setTimeout(() => this.kill("SIGKILL"), STOP_GRACE_MS);
    timer.unref();
    void this.exited.then(() => clearTimeout(timer));
  }

  private kill(signal: NodeJS.Signals): void {
    if (this.exitCode !== undefined) return; // gone: its pid may belong to another process now
    this.stopped = true;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // the group is gone already
    }
  }
}

function doneOf(message: Message): WorkerEnd {
  const reported = { result: message.result, env: message.env ?? {} };
  return { kind: "done", streams: message.streams ?? 0, reported, ...(message.error ? { error: message.error } : {}) };
}

/** The signal a stopped task gets first: the one that stopped the run, SIGTERM for a time limit. */
function stopSignalOf(reason: unknown): NodeJS.Signals {
  return isStopReason(reason) && reason.kind === "signal" ? reason.signal : "SIGTERM";
}

function listen(path: string): Promise<Server> {
  const server = createServer();
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(path, () => {
      server.off("error", fail);
      done(server);
    });
  });
}

/** JSON lines from a socket: the first through `next`, then every one to the `listen` callback. */
function lineReader(socket: Socket): { next(): Promise<Message>; listen(callback: (message: Message) => void): void } {
  let buffered = "";
  const queue: Message[] = [];
  let deliver: ((message: Message) => void) | undefined;
  socket.setEncoding("utf8");
  socket.on("error", () => socket.destroy());
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
      const message = parseMessage(buffered.slice(0, end));
      buffered = buffered.slice(end + 1);
      if (deliver) deliver(message);
      else queue.push(message);
    }
  });
  return {
    next: () =>
      new Promise((done) => {
        const queued = queue.shift();
        if (queued) return done(queued);
        deliver = (message) => {
          deliver = undefined;
          done(message);
        };
      }),
    listen: (callback) => {
      deliver = callback;
      for (const message of queue.splice(0)) callback(message);
    },
  };
}

function parseMessage(line: string): Message {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === "object" && value !== null ? (value as Message) : {};
  } catch {
    return {};
  }
}
