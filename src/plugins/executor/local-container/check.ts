import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import path from "node:path";
import { RunnableError } from "../../../core/errors.js";
import type { CodeIdentity } from "../../../core/run-log.js";
import type { Graph } from "../../../core/graph.js";
import { containerSettingsFor } from "./container-run.js";
import { CONTAINER_RUNTIMES, type ContainerRuntime, type LocalContainerConfig } from "./schema.js";

/** What the check needs from the machine (replaceable in tests). */
export interface ContainerCheckDeps {
  /** Runs a command; resolves with its exit code and output (never rejects for a non-zero exit). */
  exec(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The absolute path of an executable on PATH, or null. */
  which(command: string): Promise<string | null>;
}

/** A local image the steps use: its id (the steps' code identity) and working directory (the project root). */
export interface ImageInfo {
  id: string;
  workdir: string;
}

/** The outcome of a successful check. */
export interface ContainerSetup {
  runtime: ContainerRuntime;
  images: Map<string, ImageInfo>;
}

/** The default dependencies: real processes and a PATH lookup in `env`. */
export function systemDeps(env: Readonly<Record<string, string | undefined>> = process.env): ContainerCheckDeps {
  return {
    exec: (command, args) =>
      new Promise((done) => {
        execFile(command, args, { env: env as NodeJS.ProcessEnv, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 127) : 0;
          done({ code, stdout: String(stdout), stderr: String(stderr) });
        });
      }),
    async which(command) {
      for (const dir of (env["PATH"] ?? "").split(path.delimiter).filter(Boolean)) {
        const candidate = path.join(dir, command);
        if (
          await access(candidate, constants.X_OK).then(
            () => true,
            () => false,
          )
        )
          return candidate;
      }
      return null;
    },
  };
}

/** Every image the graph's task steps would run in (global image plus the overrides steps select; not run_in_local ones). */
export function imagesForGraph(graph: Graph, config: LocalContainerConfig): string[] {
  const images = new Set<string>();
  const visit = (g: Graph) => {
    for (const node of g.nodes.values()) {
      if (node.kind === "task") {
        const settings = containerSettingsFor(node, config);
        if (!settings.runInLocal) images.add(settings.image);
      } else if (node.kind === "parallel") Object.values(node.branches).forEach(visit);
      else if (node.kind === "map" || node.kind === "dag") visit(node.branch);
    }
  };
  visit(graph);
  return [...images];
}

async function chooseRuntime(config: LocalContainerConfig, deps: ContainerCheckDeps): Promise<ContainerRuntime> {
  const wanted = config.container_runtime ? [config.container_runtime] : [...CONTAINER_RUNTIMES];
  for (const runtime of wanted) if (await deps.which(runtime)) return runtime;
  const what = config.container_runtime ?? "podman or docker";
  throw new RunnableError("UNSUPPORTED", `executor local-container: ${what} was not found on PATH, so steps cannot run in containers`, {
    hint: config.container_runtime
      ? `install ${config.container_runtime}, or set executor.config.container_runtime to the runtime you have`
      : "install podman (apt-get install podman) or docker, or use executor local",
  });
}

/**
 * Checks, before any step runs, that the container runtime exists and every image is present locally
 * (nothing is pulled); returns the runtime and each image's id and working directory.
 */
export async function checkContainerSetup(
  config: LocalContainerConfig,
  images: readonly string[],
  deps: ContainerCheckDeps = systemDeps(),
): Promise<ContainerSetup> {
  const runtime = await chooseRuntime(config, deps);
  const found = new Map<string, ImageInfo>();
  for (const image of images) {
    const result = await deps.exec(runtime, ["image", "inspect", "--format", "{{.Id}}\t{{.Config.WorkingDir}}", image]);
    if (result.code !== 0) {
      throw new RunnableError(
        "UNSUPPORTED",
        `executor local-container: image ${image} is not available to ${runtime} (${result.stderr.trim().split("\n")[0] || `exit ${result.code}`})`,
        {
          hint: `build it first (see the Dockerfile and README: ${runtime} build -t ${image} .), or fix docker_image in the executor config`,
        },
      );
    }
    const [id = "", workdir = ""] = result.stdout.trim().split("\t");
    found.set(image, { id: id.startsWith("sha256:") ? id : `sha256:${id}`, workdir: workdir || "/" });
  }
  return { runtime, images: found };
}

/** The code identity of a container step (runnable's shape: the local image id). */
export function containerCodeIdentity(image: ImageInfo): CodeIdentity {
  return {
    code_identifier: image.id,
    code_identifier_type: "docker",
    code_identifier_dependable: true,
    code_identifier_url: "local docker host",
    code_identifier_message: null,
  };
}
