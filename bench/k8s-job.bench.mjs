// `npm run bench -- k8s` (or `node bench/k8s-job.bench.mjs [RUNS] [CLI]`): issue 22's figure — a `k8s-job`
// job (submitted to the Kubernetes API stand-in on 127.0.0.1, tests/helpers/k8s/, whose pod runs as a
// podman container of the test image) against the same job run by the `local-container` job executor
// (one `podman run` of the same command with the same mounts). Whole `runnable execute-job` processes of
// examples/jobs/shell_job.py, alternating, medians; CPU time of the submitting process (user+sys) too,
// which is what the k8s path adds here (its pod's container is the same work as local-container's).
// CLI (default this checkout's bin/runnable.js) lets the same bench time another build (A/B).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";

const REPO = resolve(import.meta.dirname, "..");
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs `node CLI args` in `cwd`; resolves with wall and CPU (user+sys of the child, ms) once it succeeded. */
function timedCli(cli, args, cwd, env) {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "%U %S", process.execPath, cli, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stdout.resume();
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => {
      const wall = performance.now() - started;
      if (code !== 0) return fail(new Error(`${args.join(" ")} failed (${code}): ${stderr}`));
      const [user, sys] = stderr.trim().split("\n").at(-1).split(" ").map(Number);
      done({ wall, cpu: (user + sys) * 1000 });
    });
  });
}

/** The emulated k8s-job against local-container: medians of `runs` alternating pairs. */
export async function k8sJobOverhead(runs = 5, cli = join(REPO, "bin/runnable.js")) {
  const { podmanEnv, podmanMissing, testImage } = await tsImport(pathToFileURL(join(REPO, "tests/helpers/podman.ts")).href, import.meta.url);
  if (podmanMissing) return { skipped: podmanMissing };
  const { startK8sStandin } = await tsImport(pathToFileURL(join(REPO, "tests/helpers/k8s/standin.ts")).href, import.meta.url);
  const image = await testImage();
  const dir = await mkdtemp(join(tmpdir(), "runnable-bench-k8s-"));
  await symlink(join(REPO, "examples"), join(dir, "examples"));
  const standin = await startK8sStandin({ pvcs: { runnable: dir } });
  try {
    const kubeconfig = await standin.writeKubeconfig(join(dir, "kubeconfig"));
    const env = {
      ...podmanEnv(),
      PYTHONPATH: `${join(REPO, "python")}:.`,
      RUNNABLE_VAR_default_docker_image: image,
      RUNNABLE_VAR_kubeconfig: kubeconfig,
    };
    const job = (config, runId) => timedCli(cli, ["execute-job", "examples.jobs.shell_job.main", runId, "--config", config], dir, env);
    const k8s = [];
    const container = [];
    // The first pair warms the page cache and podman's storage; it is not counted.
    for (let i = 0; i <= runs; i++) {
      const a = await job("examples/configs/k8s-job.yaml", `bench-k8s-${i}`);
      const b = await job("examples/configs/local-container-job.yaml", `bench-lc-${i}`);
      if (i === 0) continue;
      k8s.push(a);
      container.push(b);
    }
    const pick = (list, key) => median(list.map((t) => t[key]));
    return {
      runs,
      k8sWall: pick(k8s, "wall"),
      containerWall: pick(container, "wall"),
      k8sCpu: pick(k8s, "cpu"),
      containerCpu: pick(container, "cpu"),
    };
  } finally {
    await standin.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The `k8s` bench group. */
export async function k8sJobBenchmarks(runs = Number(process.env["K8S_JOB_RUNS"] ?? 5), cli = undefined) {
  const figures = await k8sJobOverhead(runs, cli);
  if (figures.skipped) {
    console.log(`k8s-job overhead: skipped (${figures.skipped})`);
    return;
  }
  const overhead = figures.k8sWall - figures.containerWall;
  console.log(
    `k8s-job job (API stand-in, pod as a podman container) ${figures.k8sWall.toFixed(0)} ms vs the same job with local-container ${figures.containerWall.toFixed(0)} ms ` +
      `(medians of ${figures.runs}): overhead ${overhead.toFixed(0)} ms [target <= 150 ms: ${overhead <= 150 ? "ok" : "MISSED"}]; ` +
      `submitting process CPU ${figures.k8sCpu.toFixed(0)} vs ${figures.containerCpu.toFixed(0)} ms`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const cli = process.argv[3] ? resolve(process.argv[3]) : undefined;
  if (cli && !existsSync(cli)) throw new Error(`no CLI at ${cli}`);
  await k8sJobBenchmarks(Number(process.argv[2] ?? 5), cli);
}
