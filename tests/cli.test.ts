import { execFileSync } from "node:child_process";
import { mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import type { CliIo } from "../src/cli/io.js";
import { REPO, contractErrors, readRunLog, runCli, scratchDir } from "./helpers/cli.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(() => cleanup());

/** Runs the CLI in-process with a fake terminal. */
async function inProcess(args: string[], isTTY: boolean) {
  let out = "";
  let err = "";
  const io: CliIo = {
    cwd: dir,
    env: { PATH: process.env.PATH },
    isTTY,
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stopControls: () => ({ stop: { signal: new AbortController().signal, force: new AbortController().signal }, dispose: () => undefined }),
  };
  const code = await main(args, io);
  return { code, out, err };
}

describe("runnable execute", () => {
  it("shows live progress on a terminal and plain lines otherwise", async () => {
    const tty = await inProcess(["execute", "-f", "examples/concepts/traversal.yaml", "--run-id", "tty"], true);
    expect(tty.code).toBe(0);
    expect(tty.out).toContain("\r\x1b[2K");
    expect(tty.out).toContain("✔");
    const plain = await inProcess(["execute", "-f", "examples/concepts/traversal.yaml", "--run-id", "plain"], false);
    expect(plain.out).not.toContain("\x1b[");
    expect(plain.out).toContain("  start   step 1 (stub)");
    expect(plain.out).toContain("run plain SUCCESS");
  });

  it("refuses a run id that exists (exit 2) without touching the old run", async () => {
    expect((await runCli(["execute", "-f", "examples/contrived.yaml", "--run-id", "twice"], { cwd: dir })).code).toBe(0);
    const before = await readRunLog(dir, "twice");
    const again = await runCli(["execute", "-f", "examples/default-fail.yaml", "--run-id", "twice"], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('a run with id "twice" already exists');
    expect(await readRunLog(dir, "twice")).toEqual(before);
  });

  it("generates run ids like blazing-colden-0544", async () => {
    const result = await runCli(["execute", "-f", "examples/contrived.yaml", "-q"], { cwd: dir });
    expect(result.stdout).toMatch(/^[a-z]+-[a-z]+-\d{4} SUCCESS\n$/);
  });

  it("overrides parameters from RUNNABLE_PRM_* and runnable_PRM_* (JSON, else text), keeping key case", async () => {
    const result = await runCli(
      ["execute", "-f", "examples/concepts/task_shell_parameters.yaml", "-p", "examples/concepts/parameters.yaml", "--run-id", "env-params"],
      {
        cwd: dir,
        env: { RUNNABLE_PRM_Mixed: '{"a": 1}', runnable_PRM_plain: "just text", RUNNABLE_PRM_spam: '"from env"' },
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const log = await readRunLog(dir, "env-params");
    expect(log.steps["access initial"].attempts[0].parameters).toEqual({
      spam: "from env",
      eggs: { ham: "Yes, please!!" },
      Mixed: { a: 1 },
      plain: "just text",
    });
    expect(log.parameters.Mixed).toEqual({ a: 1 });
    expect(log.parameters.mixed).toBeUndefined();
  });

  it.each([
    ["chunked-fs", "examples/configs/chunked-fs-run_log.yaml"],
    ["file-system", "examples/configs/fs-catalog-run_log.yaml"],
  ])("records runs in the %s store, readable by runs show", async (type, config) => {
    const runId = `store-${type}`;
    const result = await runCli(["execute", "-f", "examples/on-failure.yaml", "-c", config, "--run-id", runId], { cwd: dir });
    expect(result.code).toBe(0);
    const shown = await runCli(["runs", "show", runId, "-c", config, "--json"], { cwd: dir });
    const log = JSON.parse(shown.stdout);
    expect(await contractErrors(log)).toEqual([]);
    expect(Object.keys(log.steps)).toEqual(["step 1", "step 3", "success"]);
    expect(log.run_config.run_log_store.service_name).toBe(type);
  });

  it("runs with the buffered store (nothing persisted) and the do-nothing catalog", async () => {
    const sub = join(dir, "memory-only");
    await mkdir(sub);
    await symlink(join(REPO, "examples"), join(sub, "examples"));
    await writeFile(join(sub, "mem.yaml"), "run_log_store:\n  type: buffered\ncatalog:\n  type: do-nothing\n");
    const result = await runCli(["execute", "-f", "examples/concepts/task_shell_simple.yaml", "-c", "mem.yaml", "--run-id", "mem"], { cwd: sub });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("run mem SUCCESS");
    expect((await readdir(sub)).sort()).toEqual(["examples", "mem.yaml"]);
  });
});

describe("runnable runs / validate", () => {
  it("lists runs and shows a readable summary", async () => {
    await runCli(["execute", "-f", "examples/retry.yaml", "--run-id", "to-show"], { cwd: dir });
    const list = await runCli(["runs", "list"], { cwd: dir });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^to-show\s+SUCCESS/m);
    const show = await runCli(["runs", "show", "to-show"], { cwd: dir });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain("Run to-show  SUCCESS");
    expect(show.stdout).toMatch(/SUCCESS\s+flaky\s+\[task\]\s+[\d.]+ s\s+3 attempts/);
    expect(show.stdout).toContain("attempt 1: FAIL Command failed with exit code 1");
    expect(show.stdout).toContain("catalog put flaky.execution.log");
    expect(show.stdout).toContain("succeeded_on = 3");
  });

  it("reports an unknown run clearly", async () => {
    const show = await runCli(["runs", "show", "nope"], { cwd: dir });
    expect(show.code).toBe(2);
    expect(show.stderr).toContain("nope");
  });

  it("validates without running", async () => {
    const ok = await runCli(["validate", "examples/catalog.yaml"], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("valid (6 steps");
    const ts = await runCli(["validate", "examples/typescript/pipeline.ts"], { cwd: dir });
    expect(ts.code).toBe(0);
  });
});

describe("code identity", () => {
  it("records the git commit once per run, dependable only on a clean tree", async () => {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "pipe" });
    git("init", "-q");
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "init");
    const commit = git("rev-parse", "HEAD").toString().trim();
    await runCli(["execute", "-f", "examples/contrived.yaml", "--run-id", "dirty"], { cwd: dir });
    const log = await readRunLog(dir, "dirty");
    const identity = log.steps["Acquire Data"].code_identities[0];
    expect(identity).toMatchObject({ code_identifier: commit, code_identifier_type: "git", code_identifier_dependable: false });
    expect(identity.code_identifier_message).toContain("changes found in");
  });
});

describe("example configs", () => {
  it("every file in examples/configs loads", async () => {
    const { readdirSync } = await import("node:fs");
    const configs = readdirSync(join(REPO, "examples/configs")).filter((f) => f.endsWith(".yaml"));
    expect(configs.length).toBeGreaterThan(5);
    for (const config of configs) {
      // The container/argo examples name their images through variables, as runnable's do.
      const env = {
        RUNNABLE_VAR_argo_docker_image: "runnable:demo",
        RUNNABLE_VAR_default_docker_image: "runnable:demo",
        RUNNABLE_VAR_custom_docker_image: "runnable:other",
      };
      const result = await runCli(["runs", "list", "-c", `examples/configs/${config}`], { cwd: dir, env });
      expect(result.code, `${config}: ${result.stderr}`).toBe(0);
    }
  });
});
