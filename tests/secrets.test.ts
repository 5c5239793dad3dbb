// Issue 11, items 15–17: no secret value reaches any file under the stores, the catalog or the temp
// folders, nor the captured output — whichever step prints it, whether a step declared it, in
// parameter and metric names, and after the CLI was killed with SIGKILL mid-step.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO, runCli } from "./helpers/cli.js";
import { startCli, until } from "./helpers/processes.js";
import { NEEDS, itNeeding } from "./helpers/requirements.js";

const SECRET = "Zq7SecretValue93x";
const PYTHON = (() => {
  try {
    execFileSync("python3", ["-c", "pass"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

let dir = "";
/** Each run gets its own TMPDIR inside `dir`, so the scan below covers its temp folders too. */
const env = (): Record<string, string> => ({ TMPDIR: join(dir, "tmp") });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnable-secrets-"));
  await mkdir(join(dir, "tmp"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Every file below `root` (links not followed) whose name or bytes contain `secret`, except the ones the user wrote it into. */
async function filesHolding(root: string, secret: string, sources: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      // A name holding the secret leaks it as much as content does (chunked-fs names files after parameters).
      if (entry.name.includes(secret)) found.push(`${relative(root, path)} (its name)`);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && !sources.includes(relative(root, path)) && (await readFile(path)).includes(secret)) found.push(relative(root, path));
    }
  };
  await walk(root);
  return found;
}

/** Asserts that the secret is nowhere: not in the output, not in any file written under `dir` (stores, catalog, temp). */
async function expectNoLeak(output: string, sources: readonly string[] = []): Promise<void> {
  expect(output).not.toContain(SECRET);
  expect(await filesHolding(dir, SECRET, sources)).toEqual([]);
}

const write = async (files: Record<string, string>): Promise<void> => {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(join(dir, file, ".."), { recursive: true });
    await writeFile(join(dir, file), text);
  }
};

const shellStep = (name: string, command: string, next: string, extra = ""): string =>
  `    ${name}:\n      type: task\n      command_type: shell\n      command: ${JSON.stringify(command)}\n${extra}      next: ${next}\n`;
const pipelineOf = (...steps: string[]): string => `dag:\n  start_at: ${/^\s{4}(\S+):/.exec(steps[0]!)![1]}\n  steps:\n${steps.join("")}`;

const DOTENV = "secrets:\n  type: dotenv\n  config:\n    location: .env\n";
const ENV_MANAGER = "secrets:\n  type: env-secrets-manager\n";
const CHUNKED = "run_log_store:\n  type: chunked-fs\n";

describe("secrets are masked from the start of a run (item 15)", () => {
  it("dotenv: a step printing the secrets file before any step declares a secret leaks nothing", async () => {
    await write({
      ".env": `API_KEY=${SECRET}\n`,
      "c.yaml": DOTENV,
      "p.yaml": pipelineOf(
        shellStep("dump", "cat .env; cat .env >&2", "use"),
        shellStep("use", 'echo "key is $API_KEY"', "success", "      secrets: [API_KEY]\n"),
      ),
    });
    const result = await runCli(["execute", "-f", "p.yaml", "-c", "c.yaml"], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("API_KEY=***");
    await expectNoLeak(result.stdout + result.stderr, [".env"]);
  });

  it("env-secrets-manager: a secret named by any step is masked in every step, also those that do not declare it", async () => {
    await write({
      "c.yaml": ENV_MANAGER,
      "p.yaml": pipelineOf(
        shellStep("early", 'echo "early sees $DB_PASSWORD"; env | grep DB_PASSWORD', "declares"),
        shellStep("declares", 'echo "declared $DB_PASSWORD"', "late", "      secrets: [DB_PASSWORD]\n"),
        shellStep("late", 'echo "late sees $DB_PASSWORD" >&2; exit 3', "success"),
      ),
    });
    const result = await runCli(["execute", "-f", "p.yaml", "-c", "c.yaml"], { cwd: dir, env: { ...env(), DB_PASSWORD: SECRET } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("early sees ***");
    await expectNoLeak(result.stdout + result.stderr);
  });
});

describe("secrets in parameter and metric names and values (item 16)", () => {
  it("chunked-fs: a parameter or metric named after a secret is stored masked and never reaches later steps' environments", async () => {
    await write({
      ".env": `TOKEN=${SECRET}\n`,
      "c.yaml": DOTENV + CHUNKED,
      "p.yaml": pipelineOf(
        shellStep("set", 'eval "export RUNNABLE_PRM_k_$TOKEN=1 RUNNABLE_TRACK_m_$TOKEN=2 RUNNABLE_PRM_v=$TOKEN"', "show", "      secrets: [TOKEN]\n"),
        shellStep("show", "env | grep PRM_ | sort", "success"),
      ),
    });
    const result = await runCli(["execute", "-f", "p.yaml", "-c", "c.yaml", "--run-id", "named"], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    const files = await readdir(join(dir, ".run_log_store", "named"));
    expect(files.some((file) => file.startsWith("Parameter-k_"))).toBe(true);
    await expectNoLeak(result.stdout + result.stderr, [".env"]);
  });

  it("a failure message, stderr, metric values and parameter values that hold the secret are masked", async () => {
    await write({
      ".env": `TOKEN=${SECRET}\n`,
      "c.yaml": DOTENV,
      "p.yaml": pipelineOf(
        shellStep("values", 'export RUNNABLE_PRM_p="x$TOKEN" RUNNABLE_TRACK_score="\\"$TOKEN\\""; echo "$TOKEN" >&2', "boom", "      secrets: [TOKEN]\n"),
        shellStep("boom", 'echo "failing with $TOKEN"; exit 7', "success", "      secrets: [TOKEN]\n"),
      ),
    });
    const result = await runCli(["execute", "-f", "p.yaml", "-c", "c.yaml"], { cwd: dir, env: env() });
    expect(result.code).toBe(1);
    await expectNoLeak(result.stdout + result.stderr, [".env"]);
  });

  it("an in-process TypeScript task printing, returning and tracking a secret leaks nothing", async () => {
    await write({
      ".env": `TOKEN=${SECRET}\n`,
      "c.yaml": DOTENV,
      "task.ts": [
        'import { getSecret, setParameter, track } from "runnable-ts";',
        "export async function leak() {",
        '  const value = await getSecret("TOKEN");',
        "  console.log(`token ${value}`); console.error(value);",
        '  setParameter({ copy: value, ["name_" + value]: 1 }); track({ ["m_" + value]: 1, text: value });',
        "  throw new Error(`bad ${value}`);",
        "}",
      ].join("\n"),
      "p.yaml": "dag:\n  start_at: t\n  steps:\n    t:\n      type: task\n      command_type: typescript\n      command: task.ts#leak\n      next: success\n",
    });
    await mkdir(join(dir, "node_modules"));
    await writeFile(join(dir, "package.json"), '{"type":"module"}');
    await symlink(REPO, join(dir, "node_modules", "runnable-ts"));
    const result = await runCli(["execute", "-f", "p.yaml", "-c", "c.yaml"], { cwd: dir, env: env() });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("token ***");
    await expectNoLeak(result.stdout + result.stderr, [".env"]);
  });

  itNeeding(NEEDS.python, !PYTHON && "python3 is not on PATH")("a Python task printing and setting a secret leaks nothing", async () => {
    await write({
      ".env": `TOKEN=${SECRET}\n`,
      "c.yaml": DOTENV,
      "pkg/__init__.py": "",
      "pkg/tasks.py":
        "from runnable import get_secret\n\ndef leak():\n    value = get_secret('TOKEN')\n    print('token', value)\n    return {'copy': value}\n",
      "p.yaml": "dag:\n  start_at: t\n  steps:\n    t:\n      type: task\n      command: pkg.tasks.leak\n      next: success\n",
    });
    const result = await runCli(["execute", "-f", "p.yaml", "-c", "c.yaml"], { cwd: dir, env: env() });
    expect(result.stdout).toContain("token ***");
    await expectNoLeak(result.stdout + result.stderr, [".env"]);
  });
});

describe("files that can hold secrets are private and removed, even after a crash (item 17)", () => {
  /** Files and folders of the private scratch areas (`<tmp>/runnable-<uid>/p<pid>-*`), with their modes. */
  const scratchEntries = async (): Promise<{ path: string; mode: number; kind: "file" | "folder" | "other" }[]> => {
    const found: { path: string; mode: number; kind: "file" | "folder" | "other" }[] = [];
    const walk = async (folder: string): Promise<void> => {
      for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
        const path = join(folder, entry.name);
        const kind = entry.isDirectory() ? "folder" : entry.isFile() ? "file" : "other";
        // Gone between the listing and now: the watchdog or the CLI is removing the scratch area.
        const stats = await stat(path).catch(() => undefined);
        if (!stats) continue;
        found.push({ path, mode: stats.mode & 0o777, kind });
        if (entry.isDirectory()) await walk(path);
      }
    };
    for (const uid of await readdir(join(dir, "tmp")).catch(() => [] as string[])) {
      for (const name of await readdir(join(dir, "tmp", uid)).catch(() => [] as string[])) if (name.startsWith("p")) await walk(join(dir, "tmp", uid, name));
    }
    return found;
  };
  const scratchFiles = async (): Promise<string[]> => (await scratchEntries()).filter((e) => e.kind !== "folder").map((e) => e.path);
  /** Folders owner-only, files owner-only (sockets are reached only through their folder). */
  const expectPrivate = async (): Promise<void> => {
    for (const entry of await scratchEntries()) if (entry.kind !== "other") expect(entry.mode & 0o077, entry.path).toBe(0);
  };

  it("SIGKILL of the CLI while a shell task holds the secret: the scratch folder goes, nothing leaks", async () => {
    await write({
      ".env": `TOKEN=${SECRET}\n`,
      "c.yaml": DOTENV,
      "p.yaml": pipelineOf(shellStep("hold", 'echo "have $TOKEN"; touch started; sleep 30', "success", "      secrets: [TOKEN]\n")),
    });
    const cli = startCli(["execute", "-f", "p.yaml", "-c", "c.yaml", "--run-id", "killed"], { cwd: dir, env: env() });
    await until(() => existsSync(join(dir, "started")), 20_000, "the task to start");
    // While the run goes, the private folders are owner-only.
    await expectPrivate();
    cli.signal("SIGKILL");
    const exited = await cli.exited;
    // The watchdog kills the task's group (TERM, then KILL after 2 s) and then removes the scratch area.
    await until(async () => (await scratchFiles()).length === 0, 15_000, "the scratch folder to be removed");
    await expectNoLeak(exited.stdout + exited.stderr, [".env"]);
    // The killed attempt's partial execution log (masked) waits in the catalog's temp folder until the next run.
    await writeFile(join(dir, "next.yaml"), pipelineOf(shellStep("a", "true", "success")));
    expect((await runCli(["execute", "-f", "next.yaml"], { cwd: dir, env: env() })).code).toBe(0);
    expect(await readdir(join(dir, ".catalog"))).not.toContain(".tmp");
  }, 60_000);

  itNeeding(NEEDS.python, !PYTHON && "python3 is not on PATH")(
    "SIGKILL while a Python task has written a secret parameter to its channel: the channel goes",
    async () => {
      await write({
        ".env": `TOKEN=${SECRET}\n`,
        "c.yaml": DOTENV,
        "pkg/__init__.py": "",
        "pkg/tasks.py": [
          "import pathlib, time",
          "from runnable import get_secret, set_parameter",
          "",
          "def hold():",
          "    set_parameter(copy=get_secret('TOKEN'))",
          "    pathlib.Path('started').touch()",
          "    time.sleep(30)",
        ].join("\n"),
        "p.yaml": "dag:\n  start_at: t\n  steps:\n    t:\n      type: task\n      command: pkg.tasks.hold\n      next: success\n",
      });
      const cli = startCli(["execute", "-f", "p.yaml", "-c", "c.yaml"], { cwd: dir, env: env() });
      await until(() => existsSync(join(dir, "started")), 30_000, "the task to start");
      expect((await scratchFiles()).length).toBeGreaterThan(0);
      try {
        await expectPrivate();
      } finally {
        cli.signal("SIGKILL");
      }
      const exited = await cli.exited;
      await until(async () => (await scratchFiles()).length === 0, 15_000, "the channel to be removed");
      await expectNoLeak(exited.stdout + exited.stderr, [".env"]);
    },
    60_000,
  );

  it("execution logs are owner-only", async () => {
    await write({ "p.yaml": pipelineOf(shellStep("a", "echo hello", "success")) });
    const result = await runCli(["execute", "-f", "p.yaml", "--run-id", "modes"], { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect((await stat(join(dir, ".catalog", "modes", "a.execution.log"))).mode & 0o777).toBe(0o600);
  });
});
