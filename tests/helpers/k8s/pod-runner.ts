import { type ChildProcess, execFile, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { podmanEnv } from "../podman.js";

// What the kubelet would run for one container of a pod, and the runners that run it: podman (a real
// container with the same image, command, args, env, working directory and mounts) or a scripted
// runner for unit tests without podman.

/** A host folder mounted into the container (hostPath, a PVC mapped to a folder, emptyDir, secret files). */
export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

/** One container of a pod, resolved: env values and volume sources are final. */
export interface ContainerLaunch {
  pod: { name: string; namespace: string; uid: string };
  container: string;
  image: string;
  /** Overrides the image's ENTRYPOINT (Kubernetes `command`). */
  command?: string[];
  /** Overrides the image's CMD (Kubernetes `args`). */
  args?: string[];
  env: [string, string][];
  workingDir?: string;
  mounts: Mount[];
  /** `uid[:gid]` from the security context. */
  user?: string;
  /** The container's `resources`: recorded, not enforced. */
  resources: Record<string, unknown>;
}

/** How a container ended: exit code and the reason the kubelet would report. */
export interface ContainerExit {
  exitCode: number;
  /** `Completed`, `Error`, `StartError`, or the reason of a kill (e.g. `DeadlineExceeded`). */
  reason: string;
  message?: string;
  /** The container never started (image missing): the pod stays Pending with this waiting reason. */
  waiting?: { reason: string; message: string };
}

/** A container's log (stdout and stderr interleaved, as `kubectl logs` shows), streamable while it runs. */
export class ContainerLog extends EventEmitter {
  private text = "";
  ended = false;

  /** Appends output. */
  write(chunk: string): void {
    this.text += chunk;
    this.emit("data", chunk);
  }

  /** Marks the log complete (the container exited). */
  end(): void {
    this.ended = true;
    this.emit("end");
  }

  /** Everything written so far. */
  override toString(): string {
    return this.text;
  }
}

/** A started container. */
export interface RunningContainer {
  readonly log: ContainerLog;
  readonly exited: Promise<ContainerExit>;
  /** Stops it at once (SIGKILL, as after the grace period); resolves when it is gone. */
  kill(): Promise<void>;
}

/** Runs containers for the Job controller emulation. */
export interface PodRunner {
  start(launch: ContainerLaunch): RunningContainer;
}

/** Options of the podman runner. */
export interface PodmanRunnerOptions {
  /** `host` (the default: the container reaches servers on 127.0.0.1, as a pod reaches services) or `none`. */
  network?: "host" | "none";
  /** Extra `podman run` arguments placed before the image. */
  extraArgs?: string[];
}

/** The `podman run` arguments for a launch (a pure function, so unit tests can check the mapping). */
export function podmanArgs(launch: ContainerLaunch, name: string, options: PodmanRunnerOptions = {}): string[] {
  const args = ["run", "--rm", "--pull=never", "--name", name, "--hostname", launch.pod.name.slice(0, 63), `--network=${options.network ?? "host"}`];
  args.push("--label", `io.kubernetes.pod.name=${launch.pod.name}`, "--label", `io.kubernetes.pod.namespace=${launch.pod.namespace}`);
  args.push("--label", `io.kubernetes.container.name=${launch.container}`);
  for (const [variable, value] of launch.env) args.push("--env", `${variable}=${value}`);
  if (launch.workingDir) args.push("--workdir", launch.workingDir);
  for (const mount of launch.mounts) args.push("--volume", `${mount.source}:${mount.target}${mount.readOnly ? ":ro" : ""}`);
  if (launch.user) args.push("--user", launch.user);
  // Kubernetes: `command` replaces ENTRYPOINT and drops CMD; `args` alone replaces CMD.
  if (launch.command) args.push("--entrypoint", JSON.stringify(launch.command));
  args.push(...(options.extraArgs ?? []), launch.image, ...(launch.args ?? []));
  return args;
}

let sequence = 0;

/** Runs each container with `podman run` (CONTAINERS_CONF from scripts/setup-podman.sh). */
export function podmanRunner(options: PodmanRunnerOptions = {}): PodRunner {
  return {
    start(launch) {
      const name = `k8s_${launch.container}_${launch.pod.name}_${launch.pod.namespace}_${process.pid}_${++sequence}`.slice(0, 200);
      const log = new ContainerLog();
      const child = spawn("podman", podmanArgs(launch, name, options), { env: podmanEnv() as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => log.write(chunk));
      let podmanErrors = "";
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        // podman's own failures start with "Error: "; everything else is the container's stderr.
        if (/^Error: /m.test(chunk)) podmanErrors += chunk;
        else log.write(chunk);
      });
      let killed = false;
      const exited = new Promise<ContainerExit>((done) => {
        child.on("error", (error) => done({ exitCode: 128, reason: "StartError", message: error.message }));
        child.on("close", (code) => done(interpretExit(code ?? 137, podmanErrors, killed)));
      }).finally(() => log.end());
      return {
        log,
        exited,
        async kill() {
          killed = true;
          await removeContainer(name, child, exited);
        },
      };
    },
  };
}

function interpretExit(code: number, podmanErrors: string, killed: boolean): ContainerExit {
  if (killed) return { exitCode: 137, reason: "Error", message: "killed" };
  if (code === 125 && /image not known|no such image|unable to find|failed to resolve image/i.test(podmanErrors)) {
    return { exitCode: 0, reason: "", waiting: { reason: "ErrImageNeverPull", message: podmanErrors.trim() } };
  }
  if ((code === 126 || code === 127 || code === 125) && podmanErrors) return { exitCode: 128, reason: "StartError", message: podmanErrors.trim() };
  return { exitCode: code, reason: code === 0 ? "Completed" : "Error" };
}

// `podman rm -f` may come before the container exists (it is still being created): retry until
// the `podman run` process has gone.
async function removeContainer(name: string, child: ChildProcess, exited: Promise<ContainerExit>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let attempt = 0; !gone && attempt < 100; attempt++) {
    await new Promise<void>((done) => execFile("podman", ["rm", "--force", "--time", "0", name], { env: podmanEnv() as NodeJS.ProcessEnv }, () => done()));
    if (!gone) await Promise.race([exited, new Promise((done) => setTimeout(done, 100))]);
  }
  if (!gone) child.kill("SIGKILL");
  await exited;
}

/** What a scripted container does: exit code, output, a delay, or run until killed. */
export interface ScriptedOutcome {
  exitCode?: number;
  output?: string;
  delayMs?: number;
  /** Runs until killed (deadline and deletion tests). */
  hang?: boolean;
  /** Never starts: the pod stays Pending with this waiting reason. */
  waiting?: { reason: string; message: string };
}

/** A runner that starts no process: `script(launch, n)` decides each run (n counts runs from 1); launches are recorded. */
export function scriptedRunner(script: (launch: ContainerLaunch, run: number) => ScriptedOutcome): PodRunner & { launches: ContainerLaunch[] } {
  const launches: ContainerLaunch[] = [];
  return {
    launches,
    start(launch) {
      launches.push(launch);
      const outcome = script(launch, launches.length);
      const log = new ContainerLog();
      let kill: () => void = () => {};
      const exited = new Promise<ContainerExit>((done) => {
        kill = () => done({ exitCode: 137, reason: "Error", message: "killed" });
        if (outcome.waiting) return done({ exitCode: 0, reason: "", waiting: outcome.waiting });
        if (outcome.hang) return;
        setTimeout(() => {
          if (outcome.output) log.write(outcome.output);
          const exitCode = outcome.exitCode ?? 0;
          done({ exitCode, reason: exitCode === 0 ? "Completed" : "Error" });
        }, outcome.delayMs ?? 0);
      }).finally(() => log.end());
      return {
        log,
        exited,
        async kill() {
          kill();
          await exited;
        },
      };
    },
  };
}
