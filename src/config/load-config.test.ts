import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Problem } from "../core/errors.js";
import { configFileFrom, loadServicesConfig, type LoadServicesConfigOptions } from "./load-config.js";

const overrides = z.record(z.string(), z.record(z.string(), z.unknown())).default({});
const known: LoadServicesConfigOptions["known"] = {
  executor: {
    local: z.strictObject({ enable_parallel: z.boolean().default(false), overrides }),
    "local-container": z.strictObject({
      docker_image: z.string(),
      environment: z.record(z.string(), z.string()).default({}),
      overrides,
    }),
  },
  run_log_store: {
    "file-system": z.strictObject({ log_folder: z.string().default(".run_log_store") }),
    buffered: z.strictObject({}),
    "chunked-fs": z.strictObject({ log_folder: z.string().default(".run_log_store") }),
  },
  catalog: {
    "file-system": z.strictObject({ catalog_location: z.string().default(".catalog") }),
    "do-nothing": z.strictObject({}),
  },
  secrets: {
    "do-nothing": z.strictObject({}),
    dotenv: z.strictObject({ location: z.string().default(".env") }),
    "env-secrets-manager": z.strictObject({ prefix: z.string().default(""), suffix: z.string().default("") }),
  },
  experiment_tracker: {
    "do-nothing": z.strictObject({}),
    mlflow: z.strictObject({ server_url: z.string(), autolog: z.boolean().default(false) }),
  },
};

describe("loadServicesConfig", () => {
  let cwd = "";
  beforeEach(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "config-"));
  });
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  const write = (name: string, text: string) => writeFile(path.join(cwd, name), text);
  const load = (file?: string, env: Record<string, string | undefined> = {}) =>
    loadServicesConfig({ ...(file === undefined ? {} : { file }), env, cwd, known });
  const problemsOf = async (text: string, env: Record<string, string> = {}): Promise<Problem[]> => {
    await write("config.yaml", text);
    const error = await load("config.yaml", env).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "CONFIG_INVALID" });
    return (error as { problems: Problem[] }).problems;
  };

  describe("sources", () => {
    it("uses the built-in defaults without any file", async () => {
      const loaded = await load();
      expect(loaded).toEqual({
        file: null,
        variables: {},
        taskRunners: {},
        services: {
          executor: { type: "local", config: { enable_parallel: false, overrides: {} }, source: "default" },
          run_log_store: { type: "file-system", config: { log_folder: ".run_log_store" }, source: "default" },
          catalog: { type: "file-system", config: { catalog_location: ".catalog" }, source: "default" },
          secrets: { type: "do-nothing", config: {}, source: "default" },
          experiment_tracker: { type: "do-nothing", config: {}, source: "default" },
        },
      });
    });

    it("reads the file's services, parses config with the schema and marks sources", async () => {
      await write("config.yaml", "catalog:\n  type: do-nothing\nsecrets:\n  type: dotenv\n  config:\n    location: s.env\n");
      const loaded = await load("config.yaml");
      expect(loaded.file).toBe("config.yaml");
      expect(loaded.services.catalog).toEqual({ type: "do-nothing", config: {}, source: "file" });
      expect(loaded.services.secrets).toEqual({ type: "dotenv", config: { location: "s.env" }, source: "file" });
      expect(loaded.services.executor.source).toBe("default");
    });

    it("fills missing services from runnable-config.yaml defaults before the built-ins", async () => {
      await write("runnable-config.yaml", "defaults:\n  catalog:\n    type: do-nothing\n  run_log_store:\n    type: buffered\n");
      await write("config.yaml", "run_log_store:\n  type: chunked-fs\n");
      const loaded = await load("config.yaml");
      expect(loaded.services.run_log_store).toMatchObject({ type: "chunked-fs", source: "file" });
      expect(loaded.services.catalog).toMatchObject({ type: "do-nothing", source: "runnable-config.yaml" });
      expect(loaded.services.secrets).toMatchObject({ type: "do-nothing", source: "default" });
      expect((await load()).services.catalog.source).toBe("runnable-config.yaml");
    });

    it("reads task_runners from the config file, else from runnable-config.yaml defaults, parsed by each runner's schema", async () => {
      const withRunners = {
        ...known,
        task_runners: { python: z.strictObject({ interpreter: z.string().optional(), kernel: z.string().default("python3") }), shell: z.strictObject({}) },
      };
      await write("runnable-config.yaml", "defaults:\n  task_runners:\n    python:\n      interpreter: /d/python\n");
      const fromDefaults = await loadServicesConfig({ env: {}, cwd, known: withRunners });
      expect(fromDefaults.taskRunners).toEqual({ python: { interpreter: "/d/python", kernel: "python3" } });
      await write("config.yaml", "task_runners:\n  python:\n    interpreter: /c/python\n  shell:\n");
      const fromFile = await loadServicesConfig({ file: "config.yaml", env: {}, cwd, known: withRunners });
      expect(fromFile.taskRunners).toEqual({ python: { interpreter: "/c/python", kernel: "python3" }, shell: {} });
      await write("config.yaml", "task_runners:\n  python:\n    kernel: 3\n");
      const error = await loadServicesConfig({ file: "config.yaml", env: {}, cwd, known: withRunners }).catch((e: unknown) => e);
      expect((error as { problems: Problem[] }).problems).toEqual([
        expect.objectContaining({
          file: "config.yaml",
          line: 3,
          col: 13,
          message: expect.stringContaining("task_runners.python.kernel: Invalid input: expected string"),
        }),
      ]);
    });

    it("accepts runnable-config.yaml as the config file itself", async () => {
      await write("runnable-config.yaml", "catalog:\n  type: do-nothing\ndefaults:\n  secrets:\n    type: dotenv\n");
      const loaded = await load("runnable-config.yaml");
      expect(loaded.services.catalog.source).toBe("file");
      expect(loaded.services.secrets.source).toBe("runnable-config.yaml");
    });

    it("picks the file: explicit > RUNNABLE_CONFIGURATION_FILE > runnable_CONFIGURATION_FILE", () => {
      const env = { RUNNABLE_CONFIGURATION_FILE: "upper.yaml", runnable_CONFIGURATION_FILE: "lower.yaml" };
      expect(configFileFrom("cli.yaml", env)).toBe("cli.yaml");
      expect(configFileFrom(undefined, env)).toBe("upper.yaml");
      expect(configFileFrom(undefined, { runnable_CONFIGURATION_FILE: "lower.yaml" })).toBe("lower.yaml");
      expect(configFileFrom(undefined, { RUNNABLE_CONFIGURATION_FILE: "" })).toBeNull();
      expect(configFileFrom(undefined, {})).toBeNull();
    });

    it("reads the file named by the environment, relative to cwd", async () => {
      await mkdir(path.join(cwd, "configs"));
      await write("configs/c.yaml", "secrets:\n  type: env-secrets-manager\n");
      const loaded = await load(undefined, { runnable_CONFIGURATION_FILE: "configs/c.yaml" });
      expect(loaded.file).toBe("configs/c.yaml");
      expect(loaded.services.secrets).toMatchObject({ type: "env-secrets-manager", config: { prefix: "", suffix: "" } });
    });

    it("fails with FILE_NOT_FOUND for a missing config file", async () => {
      await expect(load("nope.yaml")).rejects.toMatchObject({ code: "FILE_NOT_FOUND", message: expect.stringContaining("nope.yaml") });
    });

    it.each(["", "# only a comment\n", "~\n", "---\n"])("treats %j as an empty config", async (text) => {
      await write("config.yaml", text);
      expect((await load("config.yaml")).services.catalog.source).toBe("default");
    });

    it("resolves YAML aliases", async () => {
      await write("runnable-config.yaml", "defaults:\n  catalog: &c\n    type: do-nothing\n  secrets: *c\n");
      expect((await load()).services.secrets.type).toBe("do-nothing");
    });

    it("accepts a null config as {}", async () => {
      await write("config.yaml", "catalog:\n  type: file-system\n  config:\n");
      expect((await load("config.yaml")).services.catalog.config).toEqual({ catalog_location: ".catalog" });
    });
  });

  describe("runnable 0.50's keys", () => {
    it("reads pipeline-executor and run-log-store (and pipeline_executor) as the executor and run log store", async () => {
      await write(
        "config.yaml",
        "pipeline-executor:\n  type: local\n  config:\n    enable_parallel: true\nrun-log-store:\n  type: chunked-fs\ncatalog:\n  type: do-nothing\n",
      );
      const loaded = await load("config.yaml");
      expect(loaded.services.executor).toEqual({ type: "local", config: { enable_parallel: true, overrides: {} }, source: "file" });
      expect(loaded.services.run_log_store).toMatchObject({ type: "chunked-fs", source: "file" });
      expect(loaded.services.catalog).toMatchObject({ type: "do-nothing", source: "file" });
      await write("config.yaml", "pipeline_executor:\n  type: local\nexperiment-tracker:\n  type: do-nothing\n");
      expect((await load("config.yaml")).services.executor.source).toBe("file");
    });

    it("refuses two spellings of one key, naming both lines", async () => {
      const problems = await problemsOf(
        "executor:\n  type: local\nrun_log_store:\n  type: buffered\npipeline-executor:\n  type: local\nrun-log-store:\n  type: buffered\n",
      );
      expect(problems).toEqual([
        expect.objectContaining({
          line: 5,
          col: 1,
          message:
            '"executor" (config.yaml:1) and "pipeline-executor" (config.yaml:5) are two spellings of the executor key (February-2024 runnable\'s and runnable 0.50\'s); keep one of them',
        }),
        expect.objectContaining({ line: 7, col: 1, message: expect.stringContaining('"run_log_store" (config.yaml:3) and "run-log-store" (config.yaml:7)') }),
      ]);
    });

    it("refuses two spellings inside runnable-config.yaml's defaults too", async () => {
      await write("runnable-config.yaml", "defaults:\n  run_log_store:\n    type: buffered\n  run-log-store:\n    type: buffered\n");
      await expect(load()).rejects.toMatchObject({ problems: [expect.objectContaining({ file: "runnable-config.yaml", line: 4, col: 3 })] });
    });

    it("suggests the 0.50 spelling for a misspelt key", async () => {
      const [problem] = await problemsOf("run-log-stor:\n  type: buffered\n");
      expect(problem?.message).toContain('Did you mean "run-log-store"?');
    });

    it("keeps job-executor (type and config) for jobs, checking its shape", async () => {
      await write("config.yaml", "job-executor:\n  type: local-container\n  config:\n    docker_image: ${image}\n");
      const loaded = await load("config.yaml", { RUNNABLE_VAR_image: "img:1" });
      expect(loaded.jobExecutor).toEqual({ type: "local-container", config: { docker_image: "img:1" }, source: "file" });
      expect((await load()).jobExecutor).toBeUndefined();
      const problems = await problemsOf("job-executor:\n  config: [1]\n  image: x\n");
      expect(problems.map((p) => p.message)).toEqual([
        expect.stringContaining('unknown key "image" in job-executor'),
        expect.stringContaining('job-executor needs a "type"'),
      ]);
      const notMapping = await problemsOf("job-executor:\n  type: local\n  config: [1]\n");
      expect(notMapping).toEqual([expect.objectContaining({ line: 3, col: 3, path: "job-executor.config" })]);
    });

    it("checks job-executor against the registered job executors when there are some", async () => {
      await write("config.yaml", "job-executor:\n  type: k8s-jb\n");
      const withJobs = { ...known, job_executor: { "k8s-job": z.strictObject({}) } };
      const error = await loadServicesConfig({ file: "config.yaml", env: {}, cwd, known: withJobs }).catch((e: unknown) => e);
      expect(error).toMatchObject({ problems: [expect.objectContaining({ message: expect.stringContaining('unknown job_executor type "k8s-jb"') })] });
    });

    it("uses runnable-config.yaml with services at its top as the config when no file is given (runnable 0.50)", async () => {
      await write("runnable-config.yaml", "pipeline-executor:\n  type: local\nrun-log-store:\n  type: buffered\n");
      const loaded = await load();
      expect(loaded.file).toBe("runnable-config.yaml");
      expect(loaded.services.run_log_store).toMatchObject({ type: "buffered", source: "file" });
      await write("config.yaml", "catalog:\n  type: do-nothing\n");
      const given = await load("config.yaml");
      expect(given.services.run_log_store).toMatchObject({ type: "file-system", source: "default" });
      expect((await load(undefined, { RUNNABLE_CONFIGURATION_FILE: "config.yaml" })).file).toBe("config.yaml");
    });
  });

  describe("YAML syntax", () => {
    it("fails with YAML_SYNTAX located at the error", async () => {
      await write("config.yaml", "catalog:\n  type: [unclosed\n");
      await expect(load("config.yaml")).rejects.toMatchObject({
        code: "YAML_SYNTAX",
        problems: expect.arrayContaining([expect.objectContaining({ file: "config.yaml", line: 3, col: 1 })]),
      });
      await write("config.yaml", "executor:\n  type: local\ncatalog: type: x\n");
      await expect(load("config.yaml")).rejects.toMatchObject({
        code: "YAML_SYNTAX",
        message: expect.stringMatching(/^config\.yaml is not valid YAML:\nconfig\.yaml:3:10: /),
      });
    });

    it("rejects duplicate keys", async () => {
      await write("config.yaml", "catalog:\n  type: do-nothing\ncatalog:\n  type: file-system\n");
      await expect(load("config.yaml")).rejects.toMatchObject({ code: "YAML_SYNTAX" });
    });
  });

  describe("problems, located", () => {
    it("names unknown top-level keys, the known ones and the nearest", async () => {
      expect(await problemsOf("catalgo:\n  type: do-nothing\n")).toEqual([
        {
          message:
            'unknown key "catalgo"; known keys: executor (or pipeline-executor), run_log_store (or run-log-store), catalog, secrets, experiment_tracker, task_runners, job-executor. Did you mean "catalog"?',
          file: "config.yaml",
          line: 1,
          col: 1,
          path: "catalgo",
        },
      ]);
    });

    it("refuses defaults outside runnable-config.yaml", async () => {
      const [problem] = await problemsOf("executor:\n  type: local\ndefaults:\n  catalog:\n    type: do-nothing\n");
      expect(problem).toMatchObject({ line: 3, col: 1, message: expect.stringContaining('"defaults" is only read from runnable-config.yaml') });
    });

    it("requires a mapping at the top", async () => {
      const [problem] = await problemsOf("- executor\n");
      expect(problem).toMatchObject({ line: 1, col: 1, message: expect.stringContaining("must be a mapping of services") });
    });

    it("requires each service to be a mapping with a type", async () => {
      const problems = await problemsOf("catalog: file-system\nsecrets:\n  config: {}\n");
      expect(problems).toEqual([
        expect.objectContaining({ line: 1, col: 1, message: expect.stringContaining('catalog must be a mapping with "type"') }),
        expect.objectContaining({ line: 2, col: 1, message: expect.stringContaining('secrets needs a "type"; known secrets types: do-nothing, dotenv') }),
      ]);
    });

    it("refuses unknown keys inside a service entry", async () => {
      const [problem] = await problemsOf("catalog:\n  type: file-system\n  confg:\n    catalog_location: x\n");
      expect(problem).toMatchObject({ line: 3, col: 3, path: "catalog.confg", message: expect.stringContaining('Did you mean "config"?') });
    });

    it("lists known types and suggests the nearest for an unknown type", async () => {
      const [problem] = await problemsOf("catalog:\n  type: file-sytem\n");
      expect(problem).toMatchObject({
        line: 2,
        col: 9,
        message: 'unknown catalog type "file-sytem"; known types: file-system, do-nothing. Did you mean "file-system"?',
      });
    });

    it("requires the type to be a string", async () => {
      const [problem] = await problemsOf("catalog:\n  type: 3\n");
      expect(problem).toMatchObject({ line: 2, col: 9, message: expect.stringContaining("catalog.type must be a string") });
    });

    it("points at an unknown config key, naming the allowed ones", async () => {
      const [problem] = await problemsOf("catalog:\n  type: file-system\n  config:\n    compute_data_folder: data\n");
      expect(problem).toEqual({
        message: 'unknown key "compute_data_folder" in catalog.config of catalog type file-system (allowed keys: catalog_location).',
        file: "config.yaml",
        line: 4,
        col: 5,
        path: "catalog.config.compute_data_folder",
      });
    });

    it("suggests the nearest config key", async () => {
      const [problem] = await problemsOf("catalog:\n  type: file-system\n  config:\n    catalog_locaton: x\n");
      expect(problem?.message).toContain('Did you mean "catalog_location"?');
    });

    it("lists the keys allowed where an unknown key is, inside lists and behind defaults too (every problem at once)", async () => {
      const withList = {
        ...known,
        executor: {
          ...known.executor,
          pods: z.strictObject({ volumes: z.array(z.strictObject({ name: z.string(), mount_path: z.string() })).default([]) }),
        },
      };
      await write("config.yaml", "executor:\n  type: pods\n  config:\n    volumes:\n      - name: data\n        mount_pth: /data\n");
      const error = await loadServicesConfig({ file: "config.yaml", env: {}, cwd, known: withList }).catch((e: unknown) => e);
      expect((error as { problems: Problem[] }).problems).toEqual([
        {
          message: "executor.config.volumes.0.mount_path: Invalid input: expected string, received undefined",
          file: "config.yaml",
          line: 5,
          col: 9,
          path: "executor.config.volumes.0.mount_path",
        },
        {
          message: 'unknown key "mount_pth" in executor.config.volumes.0 of executor type pods (allowed keys: name, mount_path). Did you mean "mount_path"?',
          file: "config.yaml",
          line: 6,
          col: 9,
          path: "executor.config.volumes.0.mount_pth",
        },
      ]);
    });

    it("says when a type takes no config keys", async () => {
      const [problem] = await problemsOf("secrets:\n  type: do-nothing\n  config:\n    location: x\n");
      expect(problem).toMatchObject({ line: 4, col: 5, message: expect.stringContaining("no keys are allowed") });
    });

    it("points at an ill-typed config key", async () => {
      const [problem] = await problemsOf("run_log_store:\n  type: file-system\n  config:\n    log_folder: 12\n");
      expect(problem).toMatchObject({
        line: 4,
        col: 5,
        path: "run_log_store.config.log_folder",
        message: expect.stringContaining("run_log_store.config.log_folder: Invalid input: expected string"),
      });
    });

    it("points at nested config problems", async () => {
      const text = "executor:\n  type: local-container\n  config:\n    docker_image: img\n    environment:\n      A: 1\n";
      const [problem] = await problemsOf(text);
      expect(problem).toMatchObject({ line: 6, col: 7, path: "executor.config.environment.A" });
    });

    it("points at the service when a required config key is missing", async () => {
      const [problem] = await problemsOf("experiment_tracker:\n  type: mlflow\n  config:\n    autolog: true\n");
      expect(problem).toMatchObject({ line: 3, col: 3, message: expect.stringContaining("experiment_tracker.config.server_url") });
    });

    it("rejects a config that is not a mapping", async () => {
      const [problem] = await problemsOf("catalog:\n  type: file-system\n  config: [a]\n");
      expect(problem).toMatchObject({ line: 3, col: 3, message: expect.stringContaining("expected object") });
    });

    it("reports every problem of both files at once", async () => {
      await write("runnable-config.yaml", "defaults:\n  secrets:\n    type: vault\n  catalogue: {}\nextra: 1\n");
      const problems = await problemsOf(
        "executor:\n  type: local\n  config:\n    enable_paralel: true\nrun_log_store:\n  type: chunked_fs\ncatalog:\n  type: file-system\n  extra: 1\n",
      );
      expect(problems.map((p) => `${p.file}:${p.line}:${p.col}`)).toEqual([
        "runnable-config.yaml:5:1",
        "runnable-config.yaml:4:3",
        "config.yaml:4:5",
        "config.yaml:6:9",
        "config.yaml:9:3",
        "runnable-config.yaml:3:11",
      ]);
    });

    it("puts every problem in the error message", async () => {
      await write("config.yaml", "catalog:\n  type: nope\nsecrets:\n  type: nope\n");
      await expect(load("config.yaml")).rejects.toThrow(
        /the services configuration is invalid:\nconfig\.yaml:2:9: unknown catalog type "nope".*\nconfig\.yaml:4:9: unknown secrets type "nope"/,
      );
    });

    it("checks runnable-config.yaml's keys", async () => {
      await write("runnable-config.yaml", "default:\n  catalog:\n    type: do-nothing\n");
      await expect(load()).rejects.toMatchObject({
        code: "CONFIG_INVALID",
        problems: [expect.objectContaining({ file: "runnable-config.yaml", line: 1, col: 1, message: expect.stringContaining('Did you mean "defaults"?') })],
      });
    });

    it("reports a missing built-in default type", async () => {
      const error = await loadServicesConfig({ env: {}, cwd, known: { ...known, catalog: { s3: z.strictObject({}) } } }).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: "CONFIG_INVALID",
        problems: [expect.objectContaining({ message: expect.stringContaining('"file-system" is not available; choose one of: s3') })],
      });
    });
  });

  describe("variables", () => {
    const containerConfig = (image: string) =>
      `executor:\n  type: local-container\n  config:\n    docker_image: "${image}"\n    overrides:\n      gpu:\n        docker_image: $gpu_image\n`;

    it("collects variables and substitutes them into the executor config, overrides included", async () => {
      await write("config.yaml", containerConfig("${default_docker_image}"));
      const loaded = await load("config.yaml", {
        RUNNABLE_VAR_default_docker_image: "runnable:3.8",
        runnable_VAR_gpu_image: "runnable:gpu",
      });
      expect(loaded.variables).toEqual({ default_docker_image: "runnable:3.8", gpu_image: "runnable:gpu" });
      expect(loaded.services.executor.config).toEqual({
        docker_image: "runnable:3.8",
        environment: {},
        overrides: { gpu: { docker_image: "runnable:gpu" } },
      });
    });

    it("keeps $$ and lone $ literal", async () => {
      await write("config.yaml", containerConfig("price$$ and 5$"));
      const loaded = await load("config.yaml", { RUNNABLE_VAR_gpu_image: "g" });
      expect(loaded.services.executor.config).toMatchObject({ docker_image: "price$ and 5$" });
    });

    it("keeps an unknown variable as written (runnable 0.50), with a warning naming its place and how to set it", async () => {
      await write("config.yaml", containerConfig("img"));
      const loaded = await load("config.yaml");
      expect(loaded.services.executor.config).toMatchObject({ docker_image: "img", overrides: { gpu: { docker_image: "$gpu_image" } } });
      expect(loaded.warnings).toEqual([
        expect.objectContaining({
          line: 7,
          col: 23,
          path: "executor.config.overrides.gpu.docker_image",
          message: expect.stringContaining('unknown variable "gpu_image"; set it with: export RUNNABLE_VAR_gpu_image=...'),
        }),
      ]);
    });

    it("keeps malformed placeholders as written, with a warning", async () => {
      await write("config.yaml", containerConfig("${a-b} and ${open"));
      const loaded = await load("config.yaml", { RUNNABLE_VAR_gpu_image: "g" });
      expect(loaded.services.executor.config).toMatchObject({ docker_image: "${a-b} and ${open" });
      expect(loaded.warnings?.map((w) => w.message)).toEqual([
        expect.stringContaining('malformed placeholder "${a-b}" kept as written'),
        expect.stringContaining('malformed placeholder "${open" kept as written'),
      ]);
    });

    it("has no warnings when every placeholder is known", async () => {
      await write("config.yaml", containerConfig("${gpu_image}"));
      expect(await load("config.yaml", { RUNNABLE_VAR_gpu_image: "g" })).not.toHaveProperty("warnings");
    });

    it("substitutes executor defaults from runnable-config.yaml too", async () => {
      await write("runnable-config.yaml", "defaults:\n  executor:\n    type: local-container\n    config:\n      docker_image: $img\n");
      const loaded = await load(undefined, { RUNNABLE_VAR_img: "x:1" });
      expect(loaded.services.executor).toMatchObject({ config: { docker_image: "x:1" }, source: "runnable-config.yaml" });
    });

    it("templates every service as runnable 0.50 does, keeping unknown variables as written", async () => {
      await write("config.yaml", "catalog:\n  type: file-system\n  config:\n    catalog_location: $HOME/cat/${where}\n");
      const loaded = await load("config.yaml", { RUNNABLE_VAR_where: "here" });
      expect(loaded.services.catalog.config).toEqual({ catalog_location: "$HOME/cat/here" });
      expect(loaded.warnings?.map((w) => w.path)).toEqual(["catalog.config.catalog_location"]);
    });
  });
});
