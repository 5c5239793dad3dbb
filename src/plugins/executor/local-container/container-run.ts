import path from "node:path";
import { RunnableError } from "../../../core/errors.js";
import { isTerminal, type Node } from "../../../core/graph.js";
import type { MapVariable } from "../../../core/names.js";
import type { LocalFolder, Peers } from "../../../ports/plugin.js";
import type { ContainerRuntime, LocalContainerConfig } from "./schema.js";

/** The executor type name a step's `overrides` mapping uses to select a local-container bundle. */
export const LOCAL_CONTAINER_TYPE = "local-container";

/** What one step's container is run with (§11.1: global config shallow-merged with the step's bundle). */
export interface ContainerStepSettings {
  image: string;
  autoRemove: boolean;
  runInLocal: boolean;
  environment: Record<string, string>;
  maxStepDurationSeconds: number | null;
}

/** The effective settings of a step; an override key missing from `overrides` is an error naming the known ones. */
export function containerSettingsFor(node: Node, config: LocalContainerConfig): ContainerStepSettings {
  const base: ContainerStepSettings = {
    image: config.docker_image,
    autoRemove: config.auto_remove_container,
    runInLocal: config.run_in_local,
    environment: config.environment,
    maxStepDurationSeconds: config.max_step_duration_in_seconds ?? null,
  };
  const key = isTerminal(node) ? undefined : node.overrides[LOCAL_CONTAINER_TYPE];
  if (key === undefined) return base;
  const bundle = config.overrides[key];
  if (!bundle) {
    const known = Object.keys(config.overrides);
    throw new RunnableError(
      "CONFIG_INVALID",
      `No override of key: ${key} found in the overrides section (step "${node.internalName}" selects it with overrides: {local-container: ${key}})`,
      {
        hint: known.length > 0 ? `known override keys: ${known.join(", ")}` : "add it under executor.config.overrides in the configuration file",
      },
    );
  }
  return {
    image: bundle.docker_image ?? base.image,
    autoRemove: bundle.auto_remove_container ?? base.autoRemove,
    runInLocal: bundle.run_in_local ?? base.runInLocal,
    environment: bundle.environment ?? base.environment,
    maxStepDurationSeconds: bundle.max_step_duration_in_seconds ?? base.maxStepDurationSeconds,
  };
}

/** A service as its traits describe it, for deciding what a step's container needs: the credential variables of a server. */
export interface ServerUser {
  traits: { server?: { credentialVariables: readonly string[] } | undefined };
}

/** Names of the host variables a step's container needs for the run log store and catalog on a server (their `traits.server.credentialVariables`; only those set). */
export function serviceEnvNames(services: { run_log_store: ServerUser; catalog: ServerUser }, env: Readonly<Record<string, string | undefined>>): string[] {
  const names = new Set([...(services.run_log_store.traits.server?.credentialVariables ?? []), ...(services.catalog.traits.server?.credentialVariables ?? [])]);
  return [...names].filter((name) => env[name] !== undefined);
}

/** The locations a step's container must see, as configured (relative ones resolve in the working directory): the shared folders of the store and the catalog, the secrets file. */
export interface MountedLocations {
  run_log_store: readonly string[];
  catalog: readonly string[];
  secrets: readonly string[];
}

/** What to mount for the services of a run: the folders of the store and catalog shared through folders, a secrets file. */
export function mountedLocations(peers: Peers): MountedLocations {
  const { run_log_store: store, catalog, secrets } = peers.services;
  const values = (folders: readonly LocalFolder[]) => folders.map((folder) => folder.value);
  return {
    run_log_store: store.traits.sharing === "folder" ? values(peers.folders.run_log_store) : [],
    catalog: catalog.traits.sharing === "folder" ? values(peers.folders.catalog) : [],
    secrets: secrets.traits.file ? [secrets.traits.file.value] : [],
  };
}

/** A bind mount of a host path into the container. */
export interface ContainerMount {
  service: "run_log_store" | "catalog" | "secrets";
  /** Absolute host path. */
  source: string;
  /** Absolute path in the container. */
  target: string;
  readOnly: boolean;
}

/**
 * What to mount so the step in the container sees the host's stores at the paths its config names:
 * a relative path is mounted under the image's working directory (where the in-container process
 * resolves it), an absolute one at the same path. Unlike runnable, nothing in the container needs to
 * switch paths, and `chunked-fs` is mounted too (runnable lost its writes).
 */
export function serviceMounts(locations: MountedLocations, hostCwd: string, workdir: string): ContainerMount[] {
  const mount = (service: ContainerMount["service"], location: string, readOnly: boolean): ContainerMount => ({
    service,
    source: path.resolve(hostCwd, location),
    target: path.isAbsolute(location) ? location : path.posix.join(workdir || "/", location),
    readOnly,
  });
  return [
    ...locations.run_log_store.map((location) => mount("run_log_store", location, false)),
    ...locations.catalog.map((location) => mount("catalog", location, false)),
    ...locations.secrets.map((location) => mount("secrets", location, true)),
  ];
}

/** Everything that decides one step's container command line. */
export interface ContainerStepInput {
  runtime: ContainerRuntime;
  settings: ContainerStepSettings;
  runId: string;
  /** The step's internal name (placeholders unresolved). */
  internalName: string;
  mapVariable: MapVariable;
  /** The pipeline file the step's process loads; null when the stored run records its graph (a job). */
  pipelineFile: string | null;
  configFile: string | null;
  parametersFile: string | null;
  tag: string;
  mounts: readonly ContainerMount[];
  /** Context variables for the step (e.g. `RUNNABLE_VAR_*`), added after the config's `environment`. */
  contextEnv: Readonly<Record<string, string>>;
  /** Container name (unique per attempt). */
  name: string;
  /** Host variables passed by name (`-e NAME`: the value never appears on the command line), e.g. store credentials. */
  passEnv?: readonly string[];
}

/** The container runtime invocation of one step. */
export interface ContainerRun {
  /** The runtime binary (`podman` / `docker`). */
  command: ContainerRuntime;
  /** Its arguments, ending with the image and `stepCommand`. */
  args: string[];
  image: string;
  /** The `runnable execute-single-node ...` command run in the container. */
  stepCommand: string[];
  name: string;
  /** Stop the container after this long (null: no limit). */
  timeoutSeconds: number | null;
}

/** Ulimits given explicitly (some runtimes' defaults break Node; see docs/containers.md). */
export const CONTAINER_ULIMITS = ["nofile=1024:20000", "nproc=4096:4096"] as const;

/** `runnable execute-single-node` for one step, with runnable's argument shapes (`%` for spaces). */
export function stepCommand(
  input: Pick<ContainerStepInput, "runId" | "internalName" | "mapVariable" | "pipelineFile" | "configFile" | "parametersFile" | "tag">,
): string[] {
  return [
    "runnable",
    "execute-single-node",
    input.runId,
    input.internalName.replace(/ /g, "%"),
    ...(input.pipelineFile ? ["--file", input.pipelineFile] : []),
    ...(input.mapVariable.length > 0 ? ["--map-variable", JSON.stringify(Object.fromEntries(input.mapVariable))] : []),
    ...(input.configFile ? ["--config-file", input.configFile] : []),
    ...(input.parametersFile ? ["--parameters-file", input.parametersFile] : []),
    ...(input.tag ? ["--tag", input.tag] : []),
  ];
}

function volumeArgument(mount: ContainerMount): string {
  for (const part of [mount.source, mount.target]) {
    if (part.includes(":")) {
      throw new RunnableError("CONFIG_INVALID", `cannot mount ${part} into a container: the path contains ":"`, {
        hint: `move the ${mount.service} location to a path without ":"`,
      });
    }
  }
  return `${mount.source}:${mount.target}${mount.readOnly ? ":ro" : ""}`;
}

/** The full `podman|docker run ...` of one step (pure: runs nothing). */
export function containerRunCommand(input: ContainerStepInput): ContainerRun {
  const env = { ...input.settings.environment, ...input.contextEnv };
  const command = stepCommand(input);
  const args = [
    "run",
    ...(input.settings.autoRemove ? ["--rm"] : []),
    "--name",
    input.name,
    "--network=host",
    ...CONTAINER_ULIMITS.flatMap((limit) => ["--ulimit", limit]),
    ...input.mounts.flatMap((mount) => ["-v", volumeArgument(mount)]),
    ...Object.entries(env).flatMap(([key, value]) => ["-e", `${key}=${value}`]),
    ...(input.passEnv ?? []).filter((key) => !Object.hasOwn(env, key)).flatMap((key) => ["-e", key]),
    input.settings.image,
    ...command,
  ];
  return {
    command: input.runtime,
    args,
    image: input.settings.image,
    stepCommand: command,
    name: input.name,
    timeoutSeconds: input.settings.maxStepDurationSeconds,
  };
}
