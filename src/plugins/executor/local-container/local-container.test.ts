import { describe, expect, it } from "vitest";
import type { Graph, Node, TaskNode } from "../../../core/graph.js";
import { isRunnableError } from "../../../core/errors.js";
import { checkContainerSetup, imagesForGraph, type ContainerCheckDeps } from "./check.js";
import { type IntegrationInput, setupForConfigs } from "../../../runtime/integrations.js";
import { containerRunCommand, containerSettingsFor, mountedLocations, serviceMounts, stepCommand } from "./container-run.js";
import { buildLocalContainerConfigSchema } from "./schema.js";

const config = buildLocalContainerConfigSchema().parse({
  docker_image: "runnable:demo",
  environment: { key: "value", n: 1 },
  overrides: { custom: { docker_image: "runnable:other", environment: { key: "not-value" } }, local: { run_in_local: true } },
});

const task = (name: string, overrides: Record<string, string> = {}, internalName = name): TaskNode => ({
  kind: "task",
  name,
  internalName,
  internalBranchName: "",
  next: "success",
  onFailure: "",
  overrides,
  task: { command_type: "shell", command: "true" },
  catalog: null,
  maxAttempts: 1,
  secrets: [],
});

describe("local-container config", () => {
  it("has runnable's keys and defaults, strict", () => {
    expect(buildLocalContainerConfigSchema().parse({ docker_image: "x" })).toEqual({
      docker_image: "x",
      auto_remove_container: true,
      run_in_local: false,
      environment: {},
      enable_parallel: false,
      overrides: {},
    });
    expect(buildLocalContainerConfigSchema().safeParse({}).success).toBe(false);
    expect(buildLocalContainerConfigSchema().safeParse({ docker_image: "x", dockerImage: "y" }).error?.issues[0]).toMatchObject({
      code: "unrecognized_keys",
      keys: ["dockerImage"],
    });
    expect(buildLocalContainerConfigSchema().safeParse({ docker_image: "x", container_runtime: "lxc" }).success).toBe(false);
    expect(buildLocalContainerConfigSchema().safeParse({ docker_image: "x", overrides: { o: { image: "y" } } }).success).toBe(false);
  });

  it("resolves a step's settings: global, or shallow-merged with the bundle it selects (environment replaced whole)", () => {
    expect(containerSettingsFor(task("a"), config)).toEqual({
      image: "runnable:demo",
      autoRemove: true,
      runInLocal: false,
      environment: { key: "value", n: "1" },
      maxStepDurationSeconds: null,
    });
    expect(containerSettingsFor(task("b", { "local-container": "custom" }), config)).toMatchObject({
      image: "runnable:other",
      environment: { key: "not-value" },
    });
    expect(containerSettingsFor(task("c", { argo: "custom" }), config).image).toBe("runnable:demo");
    let error: unknown;
    try {
      containerSettingsFor(task("d", { "local-container": "gpu" }), config);
    } catch (e) {
      error = e;
    }
    expect(isRunnableError(error, "CONFIG_INVALID")).toBe(true);
    expect((error as Error).message).toMatch(/^No override of key: gpu found in the overrides section/);
    expect((error as { hint: string }).hint).toBe("known override keys: custom, local");
  });

  it("lists the images the steps need (not run_in_local ones), through composites", () => {
    const branch: Graph = {
      name: "b",
      description: null,
      startAt: "x",
      internalBranchName: "m.map_variable_placeholder",
      nodes: new Map<string, Node>([["x", task("x", { "local-container": "custom" }, "m.map_variable_placeholder.x")]]),
    };
    const map: Node = {
      kind: "map",
      name: "m",
      internalName: "m",
      internalBranchName: "",
      next: "success",
      onFailure: "",
      overrides: {},
      iterateOn: "l",
      iterateAs: "i",
      branch,
      reducer: null,
    };
    const graph: Graph = {
      name: "g",
      description: null,
      startAt: "a",
      internalBranchName: "",
      nodes: new Map<string, Node>([
        ["a", task("a")],
        ["l", task("l", { "local-container": "local" })],
        ["m", map],
      ]),
    };
    expect(imagesForGraph(graph, config)).toEqual(["runnable:demo", "runnable:other"]);
  });
});

/** What the step's containers mount for these services (as the real plug-ins declare their folders and files). */
async function locationsFor(services: Pick<IntegrationInput, "run_log_store" | "catalog" | "secrets">) {
  const executor = { type: "local-container", config: { docker_image: "img" } };
  return mountedLocations((await setupForConfigs({ executor, experiment_tracker: { type: "do-nothing" }, ...services })).peers);
}

const mounts = serviceMounts(
  await locationsFor({
    run_log_store: { type: "chunked-fs", config: { log_folder: ".run_log_store" } },
    catalog: { type: "file-system", config: { catalog_location: "/data/catalog" } },
    secrets: { type: "dotenv", config: { location: "secrets/.env" } },
  }),
  "/home/me/project",
  "/project",
);

describe("a step's container command", () => {
  it("mounts every file-based store (chunked-fs too) where the in-container config resolves it", async () => {
    expect(mounts).toEqual([
      { service: "run_log_store", source: "/home/me/project/.run_log_store", target: "/project/.run_log_store", readOnly: false },
      { service: "catalog", source: "/data/catalog", target: "/data/catalog", readOnly: false },
      { service: "secrets", source: "/home/me/project/secrets/.env", target: "/project/secrets/.env", readOnly: true },
    ]);
    expect(
      serviceMounts(
        await locationsFor({ run_log_store: { type: "buffered" }, catalog: { type: "do-nothing" }, secrets: { type: "env-secrets-manager" } }),
        "/p",
        "/w",
      ),
    ).toEqual([]);
  });

  it("builds podman/docker run with --rm, host network, ulimits, mounts, env and the execute-single-node command", () => {
    const settings = containerSettingsFor(task("step 2", { "local-container": "custom" }), config);
    const run = containerRunCommand({
      runtime: "podman",
      settings,
      runId: "bold-euler-1234",
      internalName: "each.map_variable_placeholder.step 2",
      mapVariable: [["item", { a: 1 }]],
      pipelineFile: "examples/p.yaml",
      configFile: "examples/configs/local-container.yaml",
      parametersFile: "params.yaml",
      tag: "nightly",
      mounts,
      contextEnv: { RUNNABLE_VAR_default_docker_image: "runnable:demo" },
      name: "runnable-bold-euler-1234-step-2-1",
    });
    expect(run).toEqual({
      command: "podman",
      image: "runnable:other",
      name: "runnable-bold-euler-1234-step-2-1",
      timeoutSeconds: null,
      stepCommand: [
        "runnable",
        "execute-single-node",
        "bold-euler-1234",
        "each.map_variable_placeholder.step%2",
        "--file",
        "examples/p.yaml",
        "--map-variable",
        '{"item":{"a":1}}',
        "--config-file",
        "examples/configs/local-container.yaml",
        "--parameters-file",
        "params.yaml",
        "--tag",
        "nightly",
      ],
      args: [
        "run",
        "--rm",
        "--name",
        "runnable-bold-euler-1234-step-2-1",
        "--network=host",
        "--ulimit",
        "nofile=1024:20000",
        "--ulimit",
        "nproc=4096:4096",
        "-v",
        "/home/me/project/.run_log_store:/project/.run_log_store",
        "-v",
        "/data/catalog:/data/catalog",
        "-v",
        "/home/me/project/secrets/.env:/project/secrets/.env:ro",
        "-e",
        "key=not-value",
        "-e",
        "RUNNABLE_VAR_default_docker_image=runnable:demo",
        "runnable:other",
        "runnable",
        "execute-single-node",
        "bold-euler-1234",
        "each.map_variable_placeholder.step%2",
        "--file",
        "examples/p.yaml",
        "--map-variable",
        '{"item":{"a":1}}',
        "--config-file",
        "examples/configs/local-container.yaml",
        "--parameters-file",
        "params.yaml",
        "--tag",
        "nightly",
      ],
    });
    const kept = containerRunCommand({
      ...run,
      runtime: "docker",
      settings: { ...settings, autoRemove: false, maxStepDurationSeconds: 30 },
      runId: "r",
      internalName: "a",
      mapVariable: [],
      pipelineFile: "p.yaml",
      configFile: null,
      parametersFile: null,
      tag: "",
      mounts: [],
      contextEnv: {},
    });
    expect(kept.args.slice(0, 3)).toEqual(["run", "--name", "runnable-bold-euler-1234-step-2-1"]);
    expect(kept).toMatchObject({ command: "docker", timeoutSeconds: 30 });
    expect(stepCommand({ runId: "r", internalName: "a b", mapVariable: [], pipelineFile: "p", configFile: null, parametersFile: null, tag: "" })).toEqual([
      "runnable",
      "execute-single-node",
      "r",
      "a%b",
      "--file",
      "p",
    ]);
  });

  it("refuses mount paths with ':' (the -v separator)", async () => {
    const bad = serviceMounts(
      await locationsFor({
        run_log_store: { type: "file-system", config: { log_folder: "/odd:path" } },
        catalog: { type: "do-nothing" },
        secrets: { type: "do-nothing" },
      }),
      "/p",
      "/w",
    );
    expect(() =>
      containerRunCommand({
        runtime: "podman",
        settings: containerSettingsFor(task("a"), config),
        runId: "r",
        internalName: "a",
        mapVariable: [],
        pipelineFile: "p",
        configFile: null,
        parametersFile: null,
        tag: "",
        mounts: bad,
        contextEnv: {},
        name: "n",
      }),
    ).toThrow(/the path contains ":"/);
  });
});

describe("setup check (before any step runs)", () => {
  const deps = (found: string[], images: Record<string, string>): ContainerCheckDeps => ({
    which: async (command) => (found.includes(command) ? `/usr/bin/${command}` : null),
    exec: async (_command, args) => {
      const image = args.at(-1)!;
      return images[image]
        ? { code: 0, stdout: `${images[image]}\t/project\n`, stderr: "" }
        : { code: 125, stdout: "", stderr: `Error: ${image}: image not known\n` };
    },
  });

  it("uses podman first, then docker, unless container_runtime says which", async () => {
    expect((await checkContainerSetup(config, [], deps(["podman", "docker"], {}))).runtime).toBe("podman");
    expect((await checkContainerSetup(config, [], deps(["docker"], {}))).runtime).toBe("docker");
    const dockerOnly = buildLocalContainerConfigSchema().parse({ docker_image: "x", container_runtime: "docker" });
    const error = await checkContainerSetup(dockerOnly, [], deps(["podman"], {})).catch((e: unknown) => e);
    expect((error as Error).message).toBe("executor local-container: docker was not found on PATH, so steps cannot run in containers");
    expect((error as { hint: string }).hint).toBe("install docker, or set executor.config.container_runtime to the runtime you have");
    const none = await checkContainerSetup(config, [], deps([], {})).catch((e: unknown) => e);
    expect((none as { hint: string }).hint).toBe("install podman (apt-get install podman) or docker, or use executor local");
  });

  it("reports each image's id and working directory, and a missing image with how to build it", async () => {
    const setup = await checkContainerSetup(config, ["runnable:demo"], deps(["podman"], { "runnable:demo": "abc123" }));
    expect(setup.images.get("runnable:demo")).toEqual({ id: "sha256:abc123", workdir: "/project" });
    const error = await checkContainerSetup(config, ["runnable:demo", "runnable:other"], deps(["podman"], { "runnable:demo": "abc" })).catch((e: unknown) => e);
    expect(isRunnableError(error, "UNSUPPORTED")).toBe(true);
    expect((error as Error).message).toBe("executor local-container: image runnable:other is not available to podman (Error: runnable:other: image not known)");
    expect((error as { hint: string }).hint).toMatch(/podman build -t runnable:other \./);
  });
});
