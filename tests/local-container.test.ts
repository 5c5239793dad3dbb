import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { executorContract } from "../src/testing/contracts/executor.contract.js";
import { readRunLog, runCli, scratchDir } from "./helpers/cli.js";
import { exec, podmanEnv, podmanMissing, testImage } from "./helpers/podman.js";
import { startCli, until } from "./helpers/processes.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

// The local-container executor with real podman: every task step runs in a container of the test
// image (built offline by scripts/build-test-image.sh: Node, busybox, Python 3 and this project).

const image = podmanMissing ? "" : await testImage();
const env = (): Record<string, string> => ({
  ...(podmanEnv() as Record<string, string>),
  RUNNABLE_VAR_default_docker_image: image,
  RUNNABLE_VAR_custom_docker_image: image,
});
const CONFIG = ["-c", "examples/configs/local-container.yaml"];

if (!podmanMissing) executorContract("local-container (podman)", { configFile: "examples/configs/local-container.yaml", env: env() });

describeNeeding(NEEDS.podman, podmanMissing)("local-container executor with podman", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
  afterAll(() => cleanup());

  it("runs a shell, a TypeScript and a Python step each in a container, recording the image as code identity", async () => {
    const result = await runCli(["execute", "-f", "examples/containers/pipeline.yaml", ...CONFIG, "--run-id", "three-kinds"], { cwd: dir, env: env() });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toContain("5 numbers, total 15, in a container: True");
    const log = await readRunLog(dir, "three-kinds");
    expect(log.status).toBe("SUCCESS");
    expect(log.parameters).toEqual({ count: 5, total: 15, summary: "15/5" });
    const { stdout: id } = await exec("podman", ["image", "inspect", "--format", "{{.Id}}", image]);
    for (const name of ["count", "total", "report"]) {
      const identities = log.steps[name].code_identities;
      expect(identities.map((identity: any) => identity.code_identifier_type)).toEqual(["git", "docker"]);
      expect(identities[1]).toMatchObject({
        code_identifier: `sha256:${id.trim()}`.replace("sha256:sha256:", "sha256:"),
        code_identifier_url: "local docker host",
        code_identifier_dependable: true,
      });
    }
    expect(log.steps.total.user_defined_metrics).toEqual({ mean: 3 });
    expect(log.steps.report.user_defined_metrics).toEqual({ ratio: 3 });
    expect(log.steps.success.code_identities).toHaveLength(1);
    expect(await readFile(join(dir, ".catalog/three-kinds/data/numbers.txt"), "utf8")).toBe("1\n2\n3\n4\n5\n");
    expect(log.run_config.executor).toMatchObject({ service_name: "local-container", docker_image: image });
  });

  it("runs the steps of a loop's iterations and a conditional's branch in containers, as a local run records them", async () => {
    const result = await runCli(["execute", "-f", "examples/concepts/control_nesting.yaml", ...CONFIG, "--run-id", "control-box"], { cwd: dir, env: env() });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toContain("a in round 1");
    const log = await readRunLog(dir, "control-box");
    const twice = log.steps.each.branches["each.a"].steps["each.a.twice"];
    expect(Object.keys(twice.branches)).toEqual(["each.a.twice.0", "each.a.twice.1"]);
    const say = twice.branches["each.a.twice.1"].steps["each.a.twice.1.which"].branches["each.a.twice.1.which.a"].steps["each.a.twice.1.which.a.say"];
    expect(say.status).toBe("SUCCESS");
    expect(say.code_identities.map((identity: any) => identity.code_identifier_type)).toEqual(["git", "docker"]);
  });

  it("applies a step's override bundle (image and environment)", async () => {
    // The pipeline and config are in the image: the container runs them from its working directory.
    const inImage = await runCli(
      [
        "execute",
        "-f",
        "examples/executors/local-container-override-pipeline.yaml",
        "-c",
        "examples/configs/local-container-override.yaml",
        "--run-id",
        "override-1",
      ],
      { cwd: dir, env: env() },
    );
    expect(inImage.code, inImage.stderr).toBe(0);
    const log = await readRunLog(dir, "override-1");
    expect(log.parameters).toEqual({ seen: "not-value", plain: "value" });
  });

  it("says what is missing before any step runs: the image, or the runtime", async () => {
    const missing = await runCli(["execute", "-f", "examples/containers/pipeline.yaml", ...CONFIG, "--run-id", "no-image"], {
      cwd: dir,
      env: { ...env(), RUNNABLE_VAR_default_docker_image: "localhost/no-such-image:1" },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("image localhost/no-such-image:1 is not available to podman");
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    await expect(readRunLog(dir, "no-image")).rejects.toThrow();
    await writeFile(join(dir, "docker.yaml"), "executor:\n  type: local-container\n  config:\n    docker_image: whatever\n    container_runtime: docker\n");
    const noDocker = await runCli(["execute", "-f", "examples/containers/pipeline.yaml", "-c", "docker.yaml", "--run-id", "no-docker"], {
      cwd: dir,
      env: { ...env(), PATH: "/usr/bin:/bin" },
    });
    expect(noDocker.code).toBe(2);
    expect(noDocker.stderr).toMatch(/docker (was not found on PATH|is not available)/);
  });

  it("reaches the container with a stop and with a time limit, and leaves no container behind", async () => {
    const cli = startCli(["execute", "-f", "examples/contract/sleepy.yaml", ...CONFIG, "--run-id", "stopped-1"], { cwd: dir, env: env() });
    await until(() => cli.output().includes("sleeping"), 60_000, "the container to start");
    cli.signal("SIGINT");
    const exit = await cli.exited;
    expect(exit.code).toBe(130);
    expect(exit.ms).toBeLessThan(8_000);
    const log = await readRunLog(dir, "stopped-1");
    expect(log.status).toBe("FAIL");
    expect(log.steps.nap.attempts.at(-1).message).toContain("interrupted by SIGINT");
    const left = async () =>
      (await exec("podman", ["ps", "-a", "--format", "{{.Names}}"])).stdout.split("\n").filter((name) => name.startsWith("runnable-stopped-1-"));
    await until(async () => (await left()).length === 0, 15_000, "no container of the stopped run left");
    const limited = await runCli(
      ["execute", "-f", "examples/contract/sleepy.yaml", "-c", "examples/configs/local-container-limit.yaml", "--run-id", "limited-1"],
      { cwd: dir, env: env() },
    );
    expect(limited.code).toBe(1);
    expect((await readRunLog(dir, "limited-1")).steps.nap.attempts[0].message).toBe(
      "stopped after exceeding its time limit of 2 seconds (max_step_duration_in_seconds)",
    );
  });
});
