// Issue 19, item 8: the smaller findings of the probe, each with a clear message and the right exit
// code (the malformed connection_url, the missing dotenv file and the bad-input corpus cases are in
// bounded-inputs.test.ts).
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, readRunLog, runCli } from "./helpers/cli.js";
import { processesWith, startCli, until } from "./helpers/processes.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnable-small19-"));
  await mkdir(join(dir, "node_modules"));
  await symlink(REPO, join(dir, "node_modules", "runnable-ts"));
  await writeFile(join(dir, "package.json"), '{"type":"module"}');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const shellPipeline = (command: string) =>
  `dag:\n  start_at: a\n  steps:\n    a: {type: task, command_type: shell, command: ${JSON.stringify(command)}, next: success}\n`;
const tsPipeline = (command: string) => `dag:\n  start_at: a\n  steps:\n    a: {type: task, command_type: typescript, command: ${command}, next: success}\n`;

describe("parameters", () => {
  it("setParameter('name', value) fails the step saying how to call it (it used to spread the string into parameters 0..n)", async () => {
    await writeFile(join(dir, "set.ts"), 'import { setParameter } from "runnable-ts";\nexport function set() { (setParameter as any)("name", "value"); }\n');
    await writeFile(join(dir, "set.yaml"), tsPipeline("set.ts#set"));
    const result = await runCli(["execute", "-f", "set.yaml", "--run-id", "set-string"], { cwd: dir });
    expect(result.code).toBe(1);
    const attempt = (await readRunLog(dir, "set-string")).steps.a.attempts[0];
    expect(attempt.message).toBe("setParameter() takes one object of names to values, got 2 arguments");
    expect((await readRunLog(dir, "set-string")).parameters).toEqual({});
  });

  it.each([
    ["a -p file", { "names.yaml": '"my param": 1\n' }, ["-p", "names.yaml"], {}, /names\.yaml:1:1: parameter name "my param" is not an identifier/],
    ["a -p file (dash)", { "names.yaml": "my-param: 1\n" }, ["-p", "names.yaml"], {}, /parameter name "my-param" is not an identifier.*"my_param"/],
    ["RUNNABLE_PRM_", {}, [], { "RUNNABLE_PRM_my-param": "1" }, /RUNNABLE_PRM_my-param names no valid parameter/],
  ])("a parameter name with spaces or dashes from %s is refused before the run (exit 2)", async (_label, files, args, env, message) => {
    for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
    await writeFile(join(dir, "stub.yaml"), "dag:\n  start_at: a\n  steps:\n    a: {type: stub, next: success}\n");
    for (const command of [
      ["execute", "-f", "stub.yaml"],
      ["validate", "stub.yaml"],
    ]) {
      const result = await runCli([...command, ...args], { cwd: dir, env });
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });

  it("a task setting a parameter named with a space fails its step with the reason", async () => {
    await writeFile(join(dir, "spaced.ts"), 'import { setParameter } from "runnable-ts";\nexport function spaced() { setParameter({ "a b": 1 }); }\n');
    await writeFile(join(dir, "spaced.yaml"), tsPipeline("spaced.ts#spaced"));
    const result = await runCli(["execute", "-f", "spaced.yaml", "--run-id", "spaced"], { cwd: dir });
    expect(result.code).toBe(1);
    expect((await readRunLog(dir, "spaced")).steps.a.attempts[0].message).toContain('parameter name "a b" is not an identifier');
  });

  it("a parameter too large for a process's environment is refused before the run, not met as `spawn E2BIG` (validate agrees)", async () => {
    await writeFile(join(dir, "large.yaml"), `blob: "${"x".repeat(200 * 1024)}"\nsmall: 1\n`);
    await writeFile(join(dir, "shell.yaml"), shellPipeline("echo hi"));
    for (const command of [
      ["execute", "-f", "shell.yaml", "--run-id", "large"],
      ["validate", "shell.yaml"],
    ]) {
      const result = await runCli([...command, "-p", "large.yaml"], { cwd: dir });
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toMatch(/parameter blob is 201 KiB as the environment variable RUNNABLE_PRM_blob, more than the 128 KiB .* step "a"/);
      expect(result.stderr).not.toContain("E2BIG");
    }
    expect(existsSync(join(dir, ".run_log_store", "large.json"))).toBe(false);
    // Tasks that do not start processes take it.
    await writeFile(join(dir, "stub.yaml"), "dag:\n  start_at: a\n  steps:\n    a: {type: stub, next: success}\n");
    expect((await runCli(["execute", "-f", "stub.yaml", "-p", "large.yaml"], { cwd: dir })).code).toBe(0);
  });
});

describe("terminal output", () => {
  it("`runs list`, `runs show` and `runs compare` print control characters of tags escaped (no terminal injection)", async () => {
    await writeFile(join(dir, "stub.yaml"), "dag:\n  start_at: a\n  steps:\n    a: {type: stub, next: success}\n");
    const tag = "x\u001b]0;pwned\u0007\u001b[2J";
    for (const id of ["inject-1", "inject-2"])
      expect((await runCli(["execute", "-f", "stub.yaml", "--tag", tag, "--run-id", id, "-q"], { cwd: dir })).code).toBe(0);
    for (const args of [
      ["runs", "list"],
      ["runs", "show", "inject-1"],
      ["runs", "compare", "inject-1", "inject-2"],
    ]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(result.stdout).toContain("x\\x1b]0;pwned\\x07\\x1b[2J");
    }
    // JSON output stays JSON (it escapes control characters itself) and keeps the tag as it is.
    const json = JSON.parse((await runCli(["runs", "show", "inject-1", "--json"], { cwd: dir })).stdout);
    expect(json.tag).toBe(tag);
  });
});

describe("a step killed with SIGKILL", () => {
  it("is recorded: a FAIL attempt saying which signal ended it", async () => {
    await writeFile(join(dir, "killed.yaml"), shellPipeline("touch started; sleep 30.731"));
    const cli = startCli(["execute", "-f", "killed.yaml", "--run-id", "killed"], { cwd: dir });
    await until(() => existsSync(join(dir, "started")) && processesWith("sleep 30.731").length > 0, 20_000, "the step to start");
    for (const pid of processesWith("sleep 30.731")) process.kill(pid, "SIGKILL");
    expect((await cli.exited).code).toBe(1);
    const log = await readRunLog(dir, "killed");
    expect(log.steps.a.attempts).toHaveLength(1);
    expect(log.steps.a.attempts[0].status).toBe("FAIL");
    expect(log.steps.a.attempts[0].message).toMatch(/^Command failed with exit code 137 \((killed by|the code of a process killed by) SIGKILL\)$/);
  }, 30_000);
});
