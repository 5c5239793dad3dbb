// Jobs with runnable 0.50's `job-executor: local-container` (issue 22, item 2): the job's task runs in a
// container of the image through the same launch path as a pipeline's task steps (its process reads the
// job's graph from the stored run), and the record is the one a local job leaves, plus the image's identity.
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readRunLog, REPO, scratchDir } from "./helpers/cli.js";
import { podmanEnv, podmanMissing, testImage } from "./helpers/podman.js";
import { runPythonScript } from "./helpers/python-sdk.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

const image = podmanMissing ? "" : await testImage();
const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  ...(podmanEnv() as Record<string, string>),
  PYTHONPATH: `${join(REPO, "python")}:.`,
  RUNNABLE_TS_CLI: join(REPO, "bin", "runnable.js"),
  RUNNABLE_VAR_default_docker_image: image,
  ...extra,
});

/** A job log without what differs between two runs (times, hashes of logs, the code identities' kinds kept). */
function shape(runLog: Record<string, any>): unknown {
  const job = runLog.job;
  return {
    status: runLog.status,
    steps: runLog.steps,
    job: {
      status: job.status,
      attempts: job.attempts.map((a: Record<string, unknown>) => Object.keys(a).sort()),
      catalog: job.data_catalog.map(
        (d: { name: string; stage: string; data_hash: string }) => `${d.stage} ${d.name}${d.name.endsWith(".log") ? "" : ` ${d.data_hash}`}`,
      ),
    },
    run_config: Object.keys(runLog.run_config).sort(),
  };
}

describeNeeding(NEEDS.podman, podmanMissing)("jobs with the local-container job executor (podman)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
  afterAll(() => cleanup());

  it("runs a ShellJob in a container and leaves a local job's record, with the image as a code identity", async () => {
    const inContainer = await runPythonScript("python3", "examples/jobs/shell_job.py", {
      cwd: dir,
      env: env({ RUNNABLE_CONFIGURATION_FILE: "examples/configs/local-container-job.yaml", RUNNABLE_RUN_ID: "lc-job" }),
    });
    expect(inContainer.code, inContainer.stderr + inContainer.stdout).toBe(0);
    const local = await runPythonScript("python3", "examples/jobs/shell_job.py", { cwd: dir, env: env({ RUNNABLE_RUN_ID: "local-job" }) });
    expect(local.code, local.stderr + local.stdout).toBe(0);
    const container = await readRunLog(dir, "lc-job");
    const here = await readRunLog(dir, "local-job");
    expect(shape(container)).toEqual(shape(here));
    expect(container.job.code_identities.map((c: { code_identifier_type: string }) => c.code_identifier_type)).toEqual(["git", "docker"]);
    expect(container.run_config.job_executor).toMatchObject({ service_name: "local-container", service_type: "job_executor", docker_image: image });
  }, 120_000);
});
