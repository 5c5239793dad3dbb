import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PodRequest, PodResult, PodRunner } from "./types.js";

const LOG_LIMIT = 64 * 1024;

/** An output parameter's file on the host: pods get a private `/tmp`, which is `podTmp` here. */
async function readOutputs(pod: PodRequest, podTmp: string): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {};
  for (const output of pod.outputs) {
    if (!output.path.startsWith("/tmp/")) throw new Error(`output ${output.name}: only paths under /tmp are emulated, not ${output.path}`);
    const text = await readFile(join(podTmp, output.path.slice("/tmp/".length)), "utf8").catch(() => undefined);
    // Argo's executor drops one trailing newline (workflow/executor/executor.go).
    if (text !== undefined) outputs[output.name] = text.endsWith("\n") ? text.slice(0, -1) : text;
  }
  return outputs;
}

interface Spawned {
  exitCode: number;
  log: string;
}

/** Kills a process group (a pod's process and its children). */
const killGroup = (pid: number | undefined) => {
  try {
    if (pid) process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
};

/**
 * Runs argv to completion. When `signal` aborts, `stop` is asked to end it (default: kill the whole
 * process group); the result comes when the process exits.
 */
function run(
  argv: string[],
  options: { cwd: string; env: Record<string, string>; signal: AbortSignal; stop?: (exited: () => boolean, pid?: number) => void },
): Promise<Spawned> {
  return new Promise((done, fail) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let log = "";
    let exited = false;
    const collect = (chunk: Buffer) => {
      log = (log + chunk.toString("utf8")).slice(-LOG_LIMIT);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const abort = () => (options.stop ? options.stop(() => exited, child.pid) : killGroup(child.pid));
    if (options.signal.aborted) abort();
    options.signal.addEventListener("abort", abort, { once: true });
    child.on("error", (error) => {
      options.signal.removeEventListener("abort", abort);
      fail(error);
    });
    // "exit", not "close": a container runtime's helpers may hold the pipes open after the client ended.
    child.on("exit", (code, signal) => {
      exited = true;
      options.signal.removeEventListener("abort", abort);
      setImmediate(() => done({ exitCode: code ?? (signal ? 128 + 9 : 1), log }));
    });
  });
}

/** Options of the process pod runner. */
export interface ProcessRunnerOptions {
  /** The repository whose `bin/runnable.js` stands in for the `runnable` on the image's PATH. */
  repo: string;
  /** The pods' working directory (the image's WORKDIR: the project root). */
  cwd: string;
  /** Base environment of every pod (default: this process's). */
  env?: Record<string, string | undefined>;
}

/**
 * Runs each pod as a real local process: `runnable` becomes `node <repo>/bin/runnable.js`, cwd is the
 * project, env is the base env plus the template's, and the pod's private `/tmp` is a fresh temp dir
 * (TMPDIR points at it; output paths under /tmp are read from it). Volume mounts are not emulated: use
 * store paths the processes share (relative to `cwd`).
 */
export function processPodRunner(options: ProcessRunnerOptions): PodRunner {
  return async (pod) => {
    const podTmp = await mkdtemp(join(tmpdir(), "argo-pod-"));
    try {
      const argv = pod.argv[0] === "runnable" ? [process.execPath, join(options.repo, "bin/runnable.js"), ...pod.argv.slice(1)] : pod.argv;
      const base = Object.fromEntries(Object.entries(options.env ?? process.env).filter((e): e is [string, string] => e[1] !== undefined));
      const env = { ...base, ...pod.env, TMPDIR: podTmp, NO_COLOR: "1" };
      const result = await run(argv, { cwd: pod.workingDir ?? options.cwd, env, signal: pod.signal });
      return { exitCode: result.exitCode, outputs: await readOutputs(pod, podTmp), log: result.log } satisfies PodResult;
    } finally {
      await rm(podTmp, { recursive: true, force: true });
    }
  };
}

/** Options of the podman pod runner. */
export interface PodmanRunnerOptions {
  /** Host directory of each persistent volume claim (mounted at the template's mountPath). */
  volumes?: Record<string, string>;
  /** Extra bind mounts (host path → container path), e.g. a test's scratch folder. */
  mounts?: { source: string; target: string }[];
  /** Run this image instead of the template's (the test image stands in for the user's). */
  image?: string;
  /** Environment of the podman command itself (CONTAINERS_CONF, PATH). */
  podmanEnv?: Record<string, string | undefined>;
  /** Prefix of the containers' names (default `argo-emu-`). */
  namePrefix?: string;
}

/**
 * Runs each pod as a real podman container: `podman run --rm --network=host`, the template's env,
 * its volume claims bound to host folders, and a private host folder mounted as the pod's `/tmp` (for
 * output parameters). A stopped pod's container is killed by its name.
 */
export function podmanPodRunner(options: PodmanRunnerOptions = {}): PodRunner {
  const podmanEnv = Object.fromEntries(Object.entries(options.podmanEnv ?? process.env).filter((e): e is [string, string] => e[1] !== undefined));
  return async (pod) => {
    const podTmp = await mkdtemp(join(tmpdir(), "argo-pod-"));
    const name = `${options.namePrefix ?? "argo-emu-"}${randomBytes(6).toString("hex")}`;
    try {
      const volumes = pod.volumes.map((v) => {
        const host = options.volumes?.[v.claimName];
        if (!host) throw new Error(`no host folder for the persistent volume claim ${v.claimName} (PodmanRunnerOptions.volumes)`);
        return ["-v", `${host}:${v.mountPath}`];
      });
      const argv = [
        "podman",
        "run",
        "--rm",
        "--name",
        name,
        "--network=host",
        "-v",
        `${podTmp}:/tmp`,
        ...volumes.flat(),
        ...(options.mounts ?? []).flatMap((m) => ["-v", `${m.source}:${m.target}`]),
        ...Object.entries(pod.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
        ...(pod.workingDir ? ["-w", pod.workingDir] : []),
        options.image ?? pod.image,
        ...pod.argv,
      ];
      // Stop the container by name (again until the client exits: it may not exist yet), and end
      // the client itself only if that takes too long.
      const stop = async (exited: () => boolean, pid?: number) => {
        const never = new AbortController().signal;
        for (let tries = 0; !exited() && tries < 40; tries++) {
          await run(["podman", "kill", name], { cwd: podTmp, env: podmanEnv, signal: never }).catch(() => undefined);
          await new Promise((r) => setTimeout(r, 250));
        }
        if (!exited()) killGroup(pid);
      };
      const result = await run(argv, { cwd: podTmp, env: podmanEnv, signal: pod.signal, stop: (exited, pid) => void stop(exited, pid) });
      return { exitCode: result.exitCode, outputs: await readOutputs(pod, podTmp), log: result.log };
    } finally {
      await rm(podTmp, { recursive: true, force: true });
    }
  };
}
