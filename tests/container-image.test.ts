import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isRunnableError } from "../src/core/errors.js";
import { checkContainerSetup, containerCodeIdentity, systemDeps } from "../src/plugins/executor/local-container/check.js";
import { containerRunCommand, mountedLocations, serviceMounts } from "../src/plugins/executor/local-container/container-run.js";
import { setupForConfigs } from "../src/runtime/integrations.js";
import { buildLocalContainerConfigSchema } from "../src/plugins/executor/local-container/schema.js";
import { runWorkflow, type WfWorkflow } from "./helpers/argo-emulator/index.js";
import { podmanPodRunner } from "./helpers/argo-emulator/pod-runners.js";
import { exec, podmanEnv, podmanMissing, testImage } from "./helpers/podman.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

let image: string;
let dir: string;

beforeAll(async () => {
  if (podmanMissing) return;
  image = await testImage();
  dir = await mkdtemp(join(tmpdir(), "container-test-"));
}, 300_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describeNeeding(NEEDS.podman, podmanMissing)("the test image (real podman)", () => {
  it("holds node, sh, python3 and the project at its WORKDIR with runnable on PATH", async () => {
    const result = await exec("podman", [
      "run",
      "--rm",
      "--network=none",
      image,
      "sh",
      "-c",
      "pwd; runnable --version; node -e 'console.log(process.version)'; python3 -c 'import json, sqlite3, ssl; print(3)'",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual(["/project", "0.1.0", process.version, "3"]);
  });

  it("runs a bare container in a fraction of a second (the per-step baseline)", async () => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const result = await exec("podman", ["run", "--rm", "--network=none", image, "true"]);
      times.push(performance.now() - started);
      expect(result.code).toBe(0);
    }
    times.sort((a, b) => a - b);
    console.log(`podman run --rm IMAGE true: median ${times[2]!.toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times[4]!.toFixed(0)})`);
    expect(times[2]).toBeLessThan(5000);
  });

  it("propagates exit codes", async () => {
    expect((await exec("podman", ["run", "--rm", "--network=none", image, "sh", "-c", "exit 7"])).code).toBe(7);
  });
});

describeNeeding(NEEDS.podman, podmanMissing)("local-container: setup check and the step's container command, with real podman", () => {
  it("finds the runtime and the image (id for the code identity, WORKDIR for the mounts); refuses missing ones", async () => {
    const config = buildLocalContainerConfigSchema().parse({ docker_image: image, container_runtime: "podman" });
    const setup = await checkContainerSetup(config, [image], systemDeps(podmanEnv()));
    expect(setup.runtime).toBe("podman");
    const info = setup.images.get(image)!;
    expect(info.workdir).toBe("/project");
    expect(containerCodeIdentity(info)).toMatchObject({
      code_identifier: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      code_identifier_type: "docker",
      code_identifier_dependable: true,
    });
    const missing = await checkContainerSetup(config, ["localhost/no-such-image:1"], systemDeps(podmanEnv())).catch((e: unknown) => e);
    expect(isRunnableError(missing, "UNSUPPORTED")).toBe(true);
    expect((missing as Error).message).toMatch(/^executor local-container: image localhost\/no-such-image:1 is not available to podman/);
    const noRuntime = await checkContainerSetup(config, [image], { ...systemDeps(podmanEnv()), which: async () => null }).catch((e: unknown) => e);
    expect((noRuntime as Error).message).toBe("executor local-container: podman was not found on PATH, so steps cannot run in containers");
  });

  it("mounts the run log store, catalog and dotenv file where the in-container config finds them, with the env", async () => {
    const host = join(dir, "host");
    await mkdir(join(host, ".run_log_store"), { recursive: true });
    await mkdir(join(host, "abs-catalog"), { recursive: true });
    await writeFile(join(host, ".env"), "TOKEN=abc\n");
    const { peers } = await setupForConfigs({
      executor: { type: "local-container", config: { docker_image: image } },
      run_log_store: { type: "chunked-fs", config: { log_folder: ".run_log_store" } },
      catalog: { type: "file-system", config: { catalog_location: join(host, "abs-catalog") } },
      secrets: { type: "dotenv", config: {} },
      experiment_tracker: { type: "do-nothing" },
    });
    const mounts = serviceMounts(mountedLocations(peers), host, "/project");
    const settings = { image, autoRemove: true, runInLocal: false, environment: { key: "value" }, maxStepDurationSeconds: null };
    const run = containerRunCommand({
      runtime: "podman",
      settings,
      runId: "r1",
      internalName: "step 1",
      mapVariable: [],
      pipelineFile: "p.yaml",
      configFile: null,
      parametersFile: null,
      tag: "",
      mounts,
      contextEnv: { RUNNABLE_VAR_x: "1" },
      name: `lc-test-${Date.now()}`,
    });
    expect(run.stepCommand).toEqual(["runnable", "execute-single-node", "r1", "step%1", "--file", "p.yaml"]);
    // Same run arguments, a probe instead of the step command.
    const probe = `echo "$key $RUNNABLE_VAR_x" > .run_log_store/probe; echo put > ${join(host, "abs-catalog")}/c; cat .env; ! touch .env 2>/dev/null`;
    const args = [...run.args.slice(0, run.args.indexOf(image) + 1), "sh", "-c", probe];
    const result = await exec(run.command, args);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe("TOKEN=abc");
    expect((await readFile(join(host, ".run_log_store/probe"), "utf8")).trim()).toBe("value 1");
    expect((await readFile(join(host, "abs-catalog/c"), "utf8")).trim()).toBe("put");
  });
});

describeNeeding(NEEDS.podman, podmanMissing)("Argo emulator with real podman pods (shell commands)", () => {
  it("runs a fan-out whose output parameter drives withParam, with a persistent volume shared by the pods", async () => {
    const volume = join(dir, "pvc");
    await mkdir(volume, { recursive: true });
    const pod = (name: string, script: string, extra: Record<string, unknown> = {}) => ({
      name,
      ...extra,
      container: {
        image,
        command: ["sh", "-c", script],
        volumeMounts: [{ name: "executor-0", mountPath: "/mnt" }],
        env: [{ name: "WHO", value: "{{workflow.parameters.who}}" }],
      },
    });
    const workflow = {
      metadata: { generateName: "podman-" },
      spec: {
        entrypoint: "main",
        arguments: { parameters: [{ name: "who", value: "pods" }] },
        volumes: [{ name: "executor-0", persistentVolumeClaim: { claimName: "runnable-volume" } }],
        templates: [
          {
            name: "main",
            dag: {
              tasks: [
                { name: "fan-out", template: "out" },
                {
                  name: "each",
                  template: "item",
                  depends: "fan-out.Succeeded",
                  withParam: "{{tasks.fan-out.outputs.parameters.items}}",
                  arguments: { parameters: [{ name: "x", value: "{{item}}" }] },
                },
                { name: "fan-in", template: "in", depends: "each.Succeeded" },
              ],
            },
          },
          pod("out", `echo '["a", "b", "c"]' > /tmp/output.txt`, { outputs: { parameters: [{ name: "items", valueFrom: { path: "/tmp/output.txt" } }] } }),
          pod("item", 'echo "$WHO {{inputs.parameters.x}}" > /mnt/{{inputs.parameters.x}}', { inputs: { parameters: [{ name: "x" }] } }),
          pod("in", "cat /mnt/a /mnt/b /mnt/c > /mnt/all"),
        ],
      },
    } as WfWorkflow;
    const result = await runWorkflow(workflow, { runPod: podmanPodRunner({ volumes: { "runnable-volume": volume }, podmanEnv: podmanEnv() }) });
    expect(result.phase, JSON.stringify(result.nodes)).toBe("Succeeded");
    expect((await readFile(join(volume, "all"), "utf8")).trim().split("\n")).toEqual(["pods a", "pods b", "pods c"]);
  });

  it("kills a container at its deadline", async () => {
    const workflow = {
      metadata: {},
      spec: {
        entrypoint: "main",
        templates: [
          { name: "main", dag: { tasks: [{ name: "slow", template: "slow" }] } },
          { name: "slow", activeDeadlineSeconds: "2", container: { image, command: ["sleep", "60"] } },
        ],
      },
    } as WfWorkflow;
    const started = Date.now();
    const namePrefix = `deadline-${process.pid}-`;
    const result = await runWorkflow(workflow, { runPod: podmanPodRunner({ podmanEnv: podmanEnv(), namePrefix }) });
    expect(result.phase).toBe("Failed");
    expect(Date.now() - started).toBeLessThan(30_000);
    expect((await exec("podman", ["ps", "-a", "--filter", `name=${namePrefix}`, "--format", "{{.Names}}"])).stdout.trim()).toBe("");
  });
});
