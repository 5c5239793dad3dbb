// `node bench/k8s-job-manifests.mjs [N]` (after `npm run build`): renders N (default 1,000) Kubernetes Job
// manifests of the k8s-job executor — the config read from examples/configs/k8s-job.yaml as the runtime
// reads it, each manifest built and written as YAML (the executors' manifest writer) to one multi-document file — and prints the time.
// Issue 22's figure is the whole process (time it with /usr/bin/time); target <= 1 s for 1,000.
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";

const started = performance.now();
const REPO = resolve(import.meta.dirname, "..");
const N = Number(process.argv[2] ?? 1000);
const { loadServicesConfig } = await import(join(REPO, "dist/config/load-config.js"));
const { builtinRegistry } = await import(join(REPO, "dist/runtime/builtins.js"));
const { knownServiceSchemas } = await import(join(REPO, "dist/runtime/compose-services.js"));
const { jobManifest } = await import(join(REPO, "dist/plugins/executor/k8s-job/manifest.js"));
const { manifestYaml } = await import(join(REPO, "dist/plugins/executor/shared/manifest-yaml.js"));
const env = { RUNNABLE_VAR_default_docker_image: "registry.example.com/team/project:1.0", RUNNABLE_VAR_kubeconfig: "/dev/null" };
const loaded = await loadServicesConfig({ file: "examples/configs/k8s-job.yaml", cwd: REPO, env, known: knownServiceSchemas(builtinRegistry()) });
const config = loaded.jobExecutor.config;
const documents = [];
for (let i = 0; i < N; i++) {
  const name = `bench-job-${i}`;
  const manifest = jobManifest(config, {
    name,
    command: ["runnable", "execute-single-node", name, "job", "--config-file", "examples/configs/k8s-job.yaml"],
    env: { RUNNABLE_K8S_POD: "step", ...env },
    folders: [
      { service: "run_log_store", location: ".run_log_store" },
      { service: "catalog", location: ".catalog" },
    ],
  });
  documents.push(manifestYaml(manifest));
}
const file = join(tmpdir(), `k8s-job-manifests-${process.pid}.yaml`);
writeFileSync(file, documents.join("---\n"));
console.log(`${N} Job manifests rendered and written as YAML in ${(performance.now() - started).toFixed(0)} ms after Node started`);
rmSync(file);
