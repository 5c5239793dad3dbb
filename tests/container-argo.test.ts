import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLimiter } from "../src/core/map-limit.js";
import { runWorkflow, type WfWorkflow } from "./helpers/argo-emulator/index.js";
import { podmanPodRunner } from "./helpers/argo-emulator/pod-runners.js";
import { comparableRunLog, entryPointsMissing, SCENARIOS } from "./helpers/argo-compare.js";
import { argoConfig, graphOf, render } from "./helpers/argo-render.js";
import { runMain, scratchDir } from "./helpers/cli.js";
import { podmanEnv, podmanMissing, testImage } from "./helpers/podman.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

/**
 * The same scenarios with every pod a real podman container of the test image, the run log store and
 * catalog on a shared volume (a host folder bound as the persistent volume claim at /mnt): several
 * containers write one run concurrently. The run logs must equal the local executor's.
 */

const skip = podmanMissing ?? entryPointsMissing;
const CONFIG = `executor:
  type: argo
  config:
    image: runnable-ts:test
    persistent_volumes:
      - name: runnable-volume
        mount_path: /mnt
run_log_store:
  type: file-system
  config:
    log_folder: /mnt/run_log_store
catalog:
  type: file-system
  config:
    catalog_location: /mnt/catalog
`;

let image: string;
let volume: string;
let config: string;
const cleanups: (() => Promise<void>)[] = [];
/** Scenarios run a few at a time: most of a scenario's time is its containers starting one after another. */
const slots = createLimiter(3);

beforeAll(async () => {
  if (skip) return;
  image = await testImage();
  volume = await mkdtemp(join(tmpdir(), "argo-pvc-"));
  config = await mkdtemp(join(tmpdir(), "argo-config-"));
  await writeFile(join(config, "argo.yaml"), CONFIG);
}, 300_000);
afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()));
  for (const folder of [volume, config]) if (folder) await rm(folder, { recursive: true, force: true });
});

describeNeeding(podmanMissing ? NEEDS.podman : NEEDS.cli, skip)("argo manifests run by the emulator with podman pods equal local runs", () => {
  it.concurrent.each(SCENARIOS.filter((scenario) => !scenario.sharedWorkingDirectory))(
    "$pipeline",
    ({ pipeline, parametersFile, status }) =>
      slots.run(async () => {
        const params = parametersFile ? ["-p", parametersFile] : [];
        const localId = `local-${randomUUID().slice(0, 8)}`;
        const { dir, cleanup } = await scratchDir();
        cleanups.push(cleanup);
        const local = await runMain(["execute", "-f", pipeline, ...params, "--run-id", localId, "-q"], { cwd: dir });
        expect(local.code, local.stderr).toBe(status === "SUCCESS" ? 0 : 1);

        // The image holds examples/ at its WORKDIR; the config is mounted at /config.
        const graph = await graphOf(pipeline);
        const { workflow } = render(graph, argoConfig({ persistent_volumes: [{ name: "runnable-volume", mount_path: "/mnt" }] }), {
          pipelineFile: pipeline,
          configFile: "/config/argo.yaml",
          ...(parametersFile ? { parametersFile } : {}),
        });
        const uid = randomUUID();
        const runPod = podmanPodRunner({
          image,
          volumes: { "runnable-volume": volume },
          mounts: [{ source: config, target: "/config" }],
          podmanEnv: podmanEnv(),
        });
        const result = await runWorkflow(workflow as unknown as WfWorkflow, { runPod, uid });
        expect(
          result.phase,
          JSON.stringify(
            result.nodes.filter((n) => n.phase !== "Succeeded"),
            null,
            1,
          ),
        ).toBe(status === "SUCCESS" ? "Succeeded" : "Failed");

        const expected = JSON.parse(await readFile(join(dir, ".run_log_store", `${localId}.json`), "utf8"));
        const actual = JSON.parse(await readFile(join(volume, "run_log_store", `${uid}.json`), "utf8"));
        expect(comparableRunLog(actual)).toEqual(comparableRunLog(expected));
      }),
    300_000,
  );
});
