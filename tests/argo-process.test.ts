import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { createLimiter } from "../src/core/map-limit.js";
import { afterAll, expect, it } from "vitest";
import { runWorkflow, type WfWorkflow } from "./helpers/argo-emulator/index.js";
import { processPodRunner } from "./helpers/argo-emulator/pod-runners.js";
import { comparableRunLog, entryPointsMissing, SCENARIOS } from "./helpers/argo-compare.js";
import { workflowValidator } from "./helpers/argo-schema.js";
import { readRunLog, REPO, runMain, scratchDir } from "./helpers/cli.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

/**
 * Each scenario runs twice, each in a fresh project folder: with the local executor, and as the Argo
 * manifest `runnable execute -c argo.yaml` writes, run by the emulator with every pod a real process
 * (`runnable` = this repository's bin, cwd = the project). Both run logs must record the same run.
 * The local run and the rendering run through main() in this process: the pods are the processes.
 */

const ARGO_CONFIG = `executor:
  type: argo
  config:
    image: runnable-ts:test
    output_file: workflow.yaml
run_log_store:
  type: file-system
catalog:
  type: file-system
`;

const cleanups: (() => Promise<void>)[] = [];
/** Scenarios run a few at a time: most of a scenario's time is its pods starting one after another. */
const slots = createLimiter(3);
afterAll(() => Promise.all(cleanups.map((c) => c())));

/** A fresh project folder per run: runs write into the working directory (e.g. catalog gets). */
async function project(): Promise<string> {
  const { dir, cleanup } = await scratchDir();
  cleanups.push(cleanup);
  await writeFile(join(dir, "argo.yaml"), ARGO_CONFIG);
  return dir;
}

describeNeeding(NEEDS.cli, entryPointsMissing)("argo manifests run by the emulator with process pods equal local runs", () => {
  it.concurrent.each(SCENARIOS)(
    "$pipeline",
    ({ pipeline, parametersFile, status }) =>
      slots.run(async () => {
        const params = parametersFile ? ["-p", parametersFile] : [];
        const localId = `local-${randomUUID().slice(0, 8)}`;
        const [localDir, dir] = await Promise.all([project(), project()]);
        const local = await runMain(["execute", "-f", pipeline, ...params, "--run-id", localId, "-q"], { cwd: localDir });
        expect(local.code, local.stderr).toBe(status === "SUCCESS" ? 0 : 1);

        const rendered = await runMain(["execute", "-f", pipeline, "-c", "argo.yaml", ...params], { cwd: dir });
        expect(rendered.code, rendered.stderr).toBe(0);
        const workflow = parse(await readFile(join(dir, "workflow.yaml"), "utf8")) as WfWorkflow;
        expect(workflowValidator()(workflow)).toEqual([]);
        const uid = randomUUID();
        const result = await runWorkflow(workflow, { runPod: processPodRunner({ repo: REPO, cwd: dir }), uid });
        expect(
          result.phase,
          JSON.stringify(
            result.nodes.filter((n) => n.phase !== "Succeeded"),
            null,
            1,
          ),
        ).toBe(status === "SUCCESS" ? "Succeeded" : "Failed");

        const [expected, actual] = await Promise.all([readRunLog(localDir, localId), readRunLog(dir, uid)]);
        expect(comparableRunLog(actual)).toEqual(comparableRunLog(expected));
      }),
    300_000,
  );
});
