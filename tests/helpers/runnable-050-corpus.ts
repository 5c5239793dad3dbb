import type { AllowedDifference } from "./runnable-050-compare.js";
import type { ExampleRun } from "./runnable-050.js";

/**
 * One in-scope case of the corpus: how to run it, which runnable 0.50 features it uses (what this
 * project needs to run it) and the differences this project makes deliberately, each with its reason.
 */
export interface CorpusCase extends ExampleRun {
  /** The case id (the example file, or the config for a config paired with an example; `#variant`). */
  id: string;
  /** What of runnable 0.50 the example exercises (beyond February-2024 runnable). */
  features: string[];
  allowed?: AllowedDifference[];
}

/** A file of 0.50.0's examples that the corpus does not run, and why. */
export interface Excluded {
  file: string;
  reason: string;
}

// Feature names, shared by the cases and the docs' table.
const SDK = "SDK: PythonTask/ShellTask/NotebookTask/Stub, Pipeline(steps=[…])";
const RETURNS = "returns=[…] (json)";
const PICKLED = "returns: pickled/object";
const METRIC = "returns: metric";
const YAML_RETURNS = "YAML returns:";
const SHELL_PARAMS = "parameters as plain env vars in shell ($integer)";
const TERMINATE = "terminate_with_success/failure, on_failure=<pipeline>";
const PARAMS_FILE = "execute(parameters_file=…)";
const CATALOG = "Catalog(get/put)";
const NO_COPY = "Catalog(store_copy=False)";
const REDUCER = "map reducer lambda string";
const CONFIG_KEYS = "config keys pipeline-executor/run-log-store";
const RETRY = "retry: RUNNABLE_RETRY_RUN_ID";
const CONDITIONAL = "Conditional (runnable 0.35)";
const LOOP = "Loop (runnable 0.49)";
const JOBS = "jobs: PythonJob/ShellJob/NotebookJob (issue 22)";
const EMULATOR = "emulator executor";

/** 0.48+ writes `<notebook>-<step>_out.ipynb` into the catalog folder without an entry; ours keeps February-2024's. */
export const NOTEBOOK_OUTPUT: AllowedDifference[] = [
  {
    path: /^catalog\["[^"]* put examples\/common\/[^"]*_out(_[^"/]*)?\.ipynb"\]$/,
    reason: "ours records the executed notebook as a catalog put, as February-2024 runnable did; 0.50 (since 0.48) writes it without a catalog entry",
  },
  {
    path: /^files\["examples\/common\/[^"]*_out(_[^"/]*)?\.ipynb"\]$/,
    reason:
      "ours names the executed notebook <notebook>_out.ipynb (February-2024 runnable; in a map <notebook>_out_<item>.ipynb); " +
      "0.50 names it <notebook>-<map items><step>_out.ipynb",
  },
];

/** A notebook's `metric` returns: 0.50 keeps them among the attempt's outputs only; ours also as the step's metrics. */
export const NOTEBOOK_METRIC: AllowedDifference[] = [
  {
    path: /^steps\["[^"]+"\]\.metrics\["score"\]$/,
    reason:
      "ours records a notebook's metric returns in the step's user_defined_metrics (and the experiment tracker) like those of every task kind; " +
      "0.50's notebook task sets them as parameters only (its python and shell tasks record them as metrics)",
  },
];

/** A retry whose walk no longer reaches the first run's `fail` step. */
const RETRY_KEEPS_FAIL: AllowedDifference[] = [
  {
    path: /^steps(\[.*\]\.branches\[.*\]\.steps)?\["([^"]*\.)?fail"\]$/,
    reason:
      "ours removes the first run's `fail` step log when the retry succeeds, so the log tells how the graph ended (docs/durable-runs.md); " +
      "0.50 retries into the run log as it was, so its `fail` step stays",
  },
];

/** The SDK script and YAML twins of an example (`yaml`: what only the YAML one takes, e.g. its `-p` file). */
const yamlAndSdk = (
  base: string,
  features: string[],
  extra: Partial<CorpusCase> = {},
  yamlFeatures: string[] = [],
  yaml: Partial<CorpusCase> = {},
): CorpusCase[] => [
  { id: `${base}.py`, example: `${base}.py`, features: [SDK, ...features], ...extra },
  { id: `${base}.yaml`, example: `${base}.yaml`, features: yamlFeatures, ...extra, ...yaml },
];

const INITIAL = "common/initial_parameters.yaml";
const RETRY_PARAMETERS = "09-retry/original_parameters.yaml";

/** Every in-scope case: runnable 0.50.0's examples 01-tasks … 11-jobs, and configs paired with an example. */
export const CORPUS: CorpusCase[] = [
  ...yamlAndSdk("01-tasks/notebook", [], { allowed: NOTEBOOK_OUTPUT }),
  { id: "01-tasks/python_task_as_pipeline.py", example: "01-tasks/python_task_as_pipeline.py", features: [SDK, "Task.as_pipeline()"] },
  ...yamlAndSdk("01-tasks/python_tasks", []),
  ...yamlAndSdk("01-tasks/scripts", []),
  ...yamlAndSdk("01-tasks/stub", []),
  {
    id: "02-sequential/conditional.py",
    example: "02-sequential/conditional.py",
    features: [SDK, RETURNS, CONDITIONAL, "main() called twice with one run id"],
    allowed: [
      {
        path: /^exitCodes$/,
        reason:
          "main() runs the pipeline a second time under the same run id: 0.50 runs it again into the run log it already wrote and exits 0; " +
          "runnable-ts refuses to reuse a run id (exit 2), so a run's record is never overwritten — the first run's log is the one compared",
      },
    ],
  },
  { id: "02-sequential/conditional_rollback.py", example: "02-sequential/conditional_rollback.py", features: [SDK, RETURNS, CONDITIONAL, TERMINATE] },
  ...yamlAndSdk("02-sequential/default_fail", []),
  ...yamlAndSdk("02-sequential/on_failure_fail", [TERMINATE]),
  ...yamlAndSdk("02-sequential/on_failure_succeed", [TERMINATE]),
  ...yamlAndSdk("02-sequential/traversal", [], { allowed: NOTEBOOK_OUTPUT }),
  ...yamlAndSdk("03-parameters/passing_parameters_notebook", [PICKLED, METRIC, TERMINATE], { allowed: [...NOTEBOOK_OUTPUT, ...NOTEBOOK_METRIC] }, [
    YAML_RETURNS,
    PICKLED,
    METRIC,
  ]),
  ...yamlAndSdk("03-parameters/passing_parameters_python", [PICKLED, METRIC, TERMINATE], {}, [YAML_RETURNS, PICKLED, METRIC]),
  ...yamlAndSdk("03-parameters/passing_parameters_shell", [RETURNS, METRIC, SHELL_PARAMS, TERMINATE], {}, [YAML_RETURNS, SHELL_PARAMS]),
  {
    id: "03-parameters/static_parameters_fail.py",
    example: "03-parameters/static_parameters_fail.py",
    features: [SDK, PARAMS_FILE, TERMINATE],
    allowed: NOTEBOOK_OUTPUT,
  },
  {
    id: "03-parameters/static_parameters_fail.yaml",
    example: "03-parameters/static_parameters_fail.yaml",
    parameters: INITIAL,
    features: [],
    allowed: NOTEBOOK_OUTPUT,
  },
  {
    id: "03-parameters/static_parameters_non_python.py",
    example: "03-parameters/static_parameters_non_python.py",
    features: [SDK, PARAMS_FILE, SHELL_PARAMS, TERMINATE],
    allowed: NOTEBOOK_OUTPUT,
  },
  {
    id: "03-parameters/static_parameters_non_python.yaml",
    example: "03-parameters/static_parameters_non_python.yaml",
    parameters: INITIAL,
    features: [SHELL_PARAMS],
    allowed: NOTEBOOK_OUTPUT,
  },
  {
    id: "03-parameters/static_parameters_python.py",
    example: "03-parameters/static_parameters_python.py",
    features: [SDK, PARAMS_FILE, "argparse.Namespace and **kwargs arguments"],
  },
  { id: "03-parameters/static_parameters_python.yaml", example: "03-parameters/static_parameters_python.yaml", parameters: INITIAL, features: [] },
  { id: "04-catalog/catalog.py", example: "04-catalog/catalog.py", features: [SDK, CATALOG, TERMINATE], allowed: NOTEBOOK_OUTPUT },
  { id: "04-catalog/catalog_no_copy.py", example: "04-catalog/catalog_no_copy.py", features: [SDK, CATALOG, NO_COPY, TERMINATE] },
  ...yamlAndSdk("04-catalog/catalog_on_fail", [CATALOG, TERMINATE]),
  ...yamlAndSdk("04-catalog/catalog_python", [CATALOG, TERMINATE]),
  ...yamlAndSdk("06-parallel/nesting", ["Parallel", TERMINATE], { allowed: NOTEBOOK_OUTPUT }),
  ...yamlAndSdk("06-parallel/parallel", ["Parallel", TERMINATE], { allowed: NOTEBOOK_OUTPUT }),
  ...yamlAndSdk("06-parallel/parallel_branch_fail", ["Parallel", TERMINATE], { allowed: NOTEBOOK_OUTPUT }),
  { id: "06-parallel/parallel_conflict.py", example: "06-parallel/parallel_conflict.py", features: [SDK, RETURNS, "Parallel: last branch wins a conflict"] },
  { id: "06-parallel/parallel_rollback.py", example: "06-parallel/parallel_rollback.py", features: [SDK, RETURNS, "Parallel", TERMINATE] },
  ...yamlAndSdk("07-map/custom_reducer", [RETURNS, REDUCER, PARAMS_FILE, TERMINATE], { allowed: NOTEBOOK_OUTPUT }, [YAML_RETURNS, REDUCER], {
    parameters: INITIAL,
  }),
  { id: "07-map/dynamic_map.py", example: "07-map/dynamic_map.py", features: [SDK, RETURNS, "Map over a returned list", TERMINATE] },
  ...yamlAndSdk("07-map/map", [RETURNS, PARAMS_FILE, TERMINATE], { allowed: NOTEBOOK_OUTPUT }, [YAML_RETURNS, SHELL_PARAMS], { parameters: INITIAL }),
  ...yamlAndSdk("07-map/map_fail", [RETURNS, PARAMS_FILE, TERMINATE], { allowed: NOTEBOOK_OUTPUT }, [YAML_RETURNS, SHELL_PARAMS], { parameters: INITIAL }),
  {
    id: "08-mocking/default.yaml",
    example: "02-sequential/traversal.yaml",
    config: "08-mocking/default.yaml",
    features: ["February-2024 `executor:` key (0.50 ignores it and runs every step)"],
    allowed: [
      {
        path: "*",
        reason:
          "ours reads February-2024's `executor:` key and checks it strictly: the mocked executor has no setting `what`, so the run is refused " +
          "(exit 2, nothing runs); 0.50 ignores the `executor:` key altogether and runs the pipeline with its default services",
      },
    ],
  },
  {
    id: "08-mocking/mocked-config-simple.yaml",
    example: "02-sequential/traversal.yaml",
    config: "08-mocking/mocked-config-simple.yaml",
    features: [CONFIG_KEYS, "mocked executor"],
    allowed: [
      { path: "steps[*].mock", reason: "0.50's mocked executor skips the tasks but records `mock: false` on their step logs; ours records `mock: true`" },
    ],
  },
  {
    id: "08-mocking/mocked-config-unittest.yaml",
    example: "02-sequential/default_fail.py",
    config: "08-mocking/mocked-config-unittest.yaml",
    features: [SDK, CONFIG_KEYS, "mocked executor patches"],
  },
  {
    id: "08-mocking/patching.yaml",
    example: "02-sequential/traversal.yaml",
    config: "08-mocking/patching.yaml",
    features: ["February-2024 `executor:` key with patches (0.50 ignores it)"],
    allowed: [
      {
        path: "steps[*].mock",
        reason:
          "ours reads February-2024's `executor:` key: the mocked executor runs the patched commands and mocks the rest (the stub); " +
          "0.50 ignores the key and runs the pipeline's own commands",
      },
      ...NOTEBOOK_OUTPUT,
    ],
  },
  {
    id: "09-retry/conditional.py",
    example: "09-retry/conditional.py",
    retry: {},
    features: [SDK, RETURNS, CONDITIONAL, RETRY, "main() called twice with one run id"],
    allowed: [
      ...RETRY_KEEPS_FAIL,
      {
        path: /^steps\["success"\]\.attempts$/,
        reason:
          "the retry's script calls main() twice, so the succeeded run is retried once more: runnable-ts walks it again and its terminal " +
          "success step (terminal steps always run) records a second attempt; 0.50 leaves the succeeded run's success step as it was",
      },
    ],
  },
  { id: "09-retry/linear.py", example: "09-retry/linear.py", retry: {}, features: [SDK, RETRY], allowed: RETRY_KEEPS_FAIL },
  {
    id: "09-retry/map.py",
    example: "09-retry/map.py",
    parameters: RETRY_PARAMETERS,
    retry: {},
    features: [SDK, RETURNS, PARAMS_FILE, RETRY, TERMINATE],
    allowed: [...RETRY_KEEPS_FAIL, ...NOTEBOOK_OUTPUT],
  },
  {
    id: "09-retry/parallel.py",
    example: "09-retry/parallel.py",
    retry: {},
    features: [SDK, "Parallel", RETRY, TERMINATE],
    allowed: [...RETRY_KEEPS_FAIL, ...NOTEBOOK_OUTPUT],
  },
  {
    id: "09-retry/parameter_handling.py",
    example: "09-retry/parameter_handling.py",
    parameters: RETRY_PARAMETERS,
    retry: {},
    features: [SDK, RETURNS, "RUNNABLE_PARAMETERS_FILE", RETRY],
    allowed: RETRY_KEEPS_FAIL,
  },
  {
    id: "09-retry/parameter_handling.py#param1-on-retry",
    example: "09-retry/parameter_handling.py",
    parameters: RETRY_PARAMETERS,
    retry: { env: { RUNNABLE_PRM_param1: "43" } },
    features: [SDK, RETURNS, "RUNNABLE_PARAMETERS_FILE", RETRY, "a retry keeps the first run's parameters"],
    allowed: RETRY_KEEPS_FAIL,
  },
  { id: "09-retry/simple_task.py", example: "09-retry/simple_task.py", retry: {}, features: [SDK, "Task.as_pipeline()", RETRY], allowed: RETRY_KEEPS_FAIL },
  { id: "10-loop/max_iterations_loop.py", example: "10-loop/max_iterations_loop.py", features: [SDK, RETURNS, LOOP, "runnable.sdk module"] },
  { id: "10-loop/simple_loop.py", example: "10-loop/simple_loop.py", features: [SDK, RETURNS, LOOP, "runnable.sdk module"] },
  ...["catalog", "catalog_no_copy", "notebooks", "passing_parameters_python", "python_tasks", "scripts"].map(
    (name): CorpusCase => ({
      id: `11-jobs/${name}.py`,
      example: `11-jobs/${name}.py`,
      features: [JOBS],
      ...(name === "notebooks" ? { allowed: NOTEBOOK_OUTPUT } : {}),
    }),
  ),
  { id: "11-jobs/emulate.yaml", example: "11-jobs/python_tasks.py", config: "11-jobs/emulate.yaml", features: [JOBS, "job-executor: emulator"] },
  {
    id: "configs/chunked-fs-run_log.yaml",
    example: "06-parallel/parallel.yaml",
    config: "configs/chunked-fs-run_log.yaml",
    features: [CONFIG_KEYS, "chunked-fs"],
    allowed: NOTEBOOK_OUTPUT,
  },
  { id: "configs/default.yaml", example: "01-tasks/python_tasks.yaml", config: "configs/default.yaml", features: [CONFIG_KEYS] },
  {
    id: "configs/emulate.yaml",
    example: "02-sequential/traversal.yaml",
    config: "configs/emulate.yaml",
    features: [CONFIG_KEYS, EMULATOR],
    allowed: NOTEBOOK_OUTPUT,
  },
  {
    id: "configs/in-memory.yaml",
    example: "03-parameters/passing_parameters_python.yaml",
    config: "configs/in-memory.yaml",
    features: [CONFIG_KEYS, "buffered store, do-nothing catalog, object_serialisation: false", YAML_RETURNS, PICKLED],
  },
  {
    id: "configs/parallel_enabled.yaml",
    example: "06-parallel/parallel.yaml",
    config: "configs/parallel_enabled.yaml",
    features: [CONFIG_KEYS, "enable_parallel", "chunked-fs"],
    allowed: NOTEBOOK_OUTPUT,
  },
  {
    id: "configs/parallel_with_warning.yaml",
    example: "06-parallel/parallel.yaml",
    config: "configs/parallel_with_warning.yaml",
    features: [CONFIG_KEYS, "enable_parallel with the file-system store"],
    allowed: NOTEBOOK_OUTPUT,
  },
];

/** Files of 0.50.0's examples 01-tasks … 11-jobs and configs that no case runs, and why. */
export const EXCLUDED: Excluded[] = [
  { file: "08-mocking/mocked-config-debug.yaml", reason: "patches step `Retrieve Content` of February-2024's catalog example, which 0.50.0 no longer ships" },
  {
    file: "08-mocking/mocked-config.yaml",
    reason: "patches `chunk files` with examples.concepts.map.chunk_files, a February-2024 example 0.50.0 no longer ships",
  },
  { file: "08-mocking/mocked_map_parameters.yaml", reason: "parameters of the February-2024 examples/concepts/map.py, which 0.50.0 no longer ships" },
  { file: "09-retry/fail_handling.py", reason: "an empty file in 0.50.0: nothing to run" },
  { file: "11-jobs/k8s-job.yaml", reason: "needs a Kubernetes cluster (k8s-job executor); issue 22 tests it against a stand-in API" },
  { file: "11-jobs/k8s-scheduled-job.yaml", reason: "needs a Kubernetes cluster (a CronJob); issue 22 tests it against a stand-in API" },
  { file: "11-jobs/mini-k8s-job.yaml", reason: "needs a Kubernetes cluster (mini-k8s-job executor)" },
  { file: "11-jobs/local-container.yaml", reason: "needs the image runnable-m1:latest with runnable 0.50 inside (no registry here to pull or build it from)" },
  {
    file: "configs/argo-config.yaml",
    reason: "renders an Argo Workflow for a Kubernetes cluster instead of running (Argo rendering is tested in tests/argo-*.test.ts)",
  },
  { file: "configs/argo-cron-config.yaml", reason: "renders an Argo CronWorkflow for a Kubernetes cluster instead of running" },
  { file: "configs/chunked-minio.yaml", reason: "needs a MinIO server at 0.50's built-in endpoint http://localhost:9002 with buckets catalog and run-logs" },
  { file: "configs/minio.yaml", reason: "needs a MinIO server at 0.50's built-in endpoint http://localhost:9002 with buckets catalog and run-logs" },
  { file: "configs/dotenv.yaml", reason: "reads examples/secrets.env, which 0.50.0 does not ship; no 0.50 example reads a secret" },
  { file: "configs/local-container.yaml", reason: "needs the image runnable-m1:latest with runnable 0.50 inside (no registry here to pull or build it from)" },
  {
    file: "configs/retry-config.yaml",
    reason: "names a `retry` pipeline executor that 0.50.0 does not have (it fails: no service of kind retry); retries are RUNNABLE_RETRY_RUN_ID since 0.45",
  },
];

/** The folders of 0.50.0's examples the inventory covers. */
export const INVENTORY_FOLDERS = [
  "01-tasks",
  "02-sequential",
  "03-parameters",
  "04-catalog",
  "06-parallel",
  "07-map",
  "08-mocking",
  "09-retry",
  "10-loop",
  "11-jobs",
  "configs",
];

/** The fixture file of a case's recorded 0.50.0 result (relative to tests/fixtures/runnable-050). */
export const resultFile = (id: string): string => `${id}.json`;
