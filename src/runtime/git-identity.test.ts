import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { changesMessage, gitCodeIdentity, parsePorcelain } from "./git-identity.js";

const run = (cwd: string, ...args: string[]): string =>
  execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" },
  }).trim();

describe("parsePorcelain", () => {
  it("reads modified, staged, untracked, renamed and spaced paths", () => {
    const output = [" M a.txt", "M  staged.txt", "?? new dir/", "R  new name.txt", "old name.txt", "A  b c.txt", ""].join("\0");
    expect(parsePorcelain(output)).toEqual(["a.txt", "staged.txt", "new dir/", "new name.txt", "b c.txt"]);
    expect(parsePorcelain("")).toEqual([]);
  });
});

describe("changesMessage", () => {
  it("lists up to 20 names, then counts the rest", () => {
    expect(changesMessage(["a", "b"])).toBe("changes found in a, b");
    const many = Array.from({ length: 25 }, (_, i) => `f${i}`);
    expect(changesMessage(many)).toBe(`changes found in ${many.slice(0, 20).join(", ")} and 5 more`);
  });
});

describe("gitCodeIdentity", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "git-identity-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const initRepo = async (withCommit = true): Promise<string> => {
    run(dir, "init", "-q", ".");
    await writeFile(path.join(dir, "main.py"), "print('hi')\n");
    if (!withCommit) return "";
    run(dir, "add", "main.py");
    run(dir, "commit", "-q", "-m", "first");
    return run(dir, "rev-parse", "HEAD");
  };

  it("says when the folder is not a git repository", async () => {
    expect(await gitCodeIdentity(dir)).toEqual({
      code_identifier: null,
      code_identifier_type: "git",
      code_identifier_dependable: false,
      code_identifier_url: null,
      code_identifier_message: `${dir} is not inside a git repository: the code identity is unknown`,
    });
  });

  it("gives the commit, the origin URL and dependable for a clean tree", async () => {
    const sha = await initRepo();
    run(dir, "remote", "add", "origin", "https://example.com/repo.git");
    expect(await gitCodeIdentity(dir)).toEqual({
      code_identifier: sha,
      code_identifier_type: "git",
      code_identifier_dependable: true,
      code_identifier_url: "https://example.com/repo.git",
      code_identifier_message: "",
    });
  });

  it("has a null URL without a remote", async () => {
    await initRepo();
    expect(await gitCodeIdentity(dir)).toMatchObject({ code_identifier_url: null, code_identifier_dependable: true });
  });

  it.each([
    ["an unstaged change", async (d: string) => writeFile(path.join(d, "main.py"), "changed\n"), "main.py"],
    [
      "a staged change",
      async (d: string) => {
        await writeFile(path.join(d, "staged.py"), "x\n");
        run(d, "add", "staged.py");
      },
      "staged.py",
    ],
    ["an untracked file", async (d: string) => writeFile(path.join(d, "new file.txt"), "x\n"), "new file.txt"],
  ])("is not dependable with %s and names it", async (_what, change, name) => {
    const sha = await initRepo();
    await change(dir);
    expect(await gitCodeIdentity(dir)).toMatchObject({
      code_identifier: sha,
      code_identifier_dependable: false,
      code_identifier_message: `changes found in ${name}`,
    });
  });

  it("ignores the framework's own output folders, and the folders it is told to", async () => {
    await initRepo();
    await mkdir(path.join(dir, ".catalog/run"), { recursive: true });
    await writeFile(path.join(dir, ".catalog/run/x.execution.log"), "log");
    await mkdir(path.join(dir, ".run_log_store"));
    await writeFile(path.join(dir, ".run_log_store/run.json"), "{}");
    expect(await gitCodeIdentity(dir)).toMatchObject({ code_identifier_dependable: true });
    await mkdir(path.join(dir, "out"));
    await writeFile(path.join(dir, "out/data.csv"), "1");
    expect(await gitCodeIdentity(dir, { exclude: ["out", ".catalog", ".run_log_store", "/elsewhere", "../x"] })).toMatchObject({
      code_identifier_dependable: true,
    });
    expect(await gitCodeIdentity(dir, { exclude: [] })).toMatchObject({
      code_identifier_dependable: false,
      code_identifier_message: "changes found in .catalog/, .run_log_store/, out/",
    });
  });

  it("works from a subdirectory, resolving excludes against it", async () => {
    const sha = await initRepo();
    const sub = path.join(dir, "project");
    await mkdir(path.join(sub, ".catalog"), { recursive: true });
    await writeFile(path.join(sub, ".catalog/f"), "x");
    await writeFile(path.join(sub, "tracked.txt"), "x");
    run(dir, "add", "project/tracked.txt");
    run(dir, "commit", "-q", "-m", "second");
    const second = run(dir, "rev-parse", "HEAD");
    expect(second).not.toBe(sha);
    expect(await gitCodeIdentity(sub)).toMatchObject({ code_identifier: second, code_identifier_dependable: true });
  });

  it("caps the list of changed files", async () => {
    await initRepo();
    await Promise.all(Array.from({ length: 23 }, (_, i) => writeFile(path.join(dir, `f${String(i).padStart(2, "0")}.txt`), "x")));
    const identity = await gitCodeIdentity(dir);
    expect(identity.code_identifier_message).toMatch(/^changes found in f00\.txt, .*f19\.txt and 3 more$/);
  });

  it("has no identifier before the first commit", async () => {
    await initRepo(false);
    expect(await gitCodeIdentity(dir)).toMatchObject({
      code_identifier: null,
      code_identifier_dependable: false,
      code_identifier_message: "the repository has no commits yet; changes found in main.py",
    });
  });

  it("explains when git is not installed, without throwing", async () => {
    const saved = process.env.PATH;
    process.env.PATH = dir;
    try {
      expect(await gitCodeIdentity(dir)).toMatchObject({
        code_identifier: null,
        code_identifier_dependable: false,
        code_identifier_message: expect.stringContaining("git is not installed"),
      });
    } finally {
      process.env.PATH = saved;
    }
  });

  it("never throws for a missing folder", async () => {
    const identity = await gitCodeIdentity(path.join(dir, "missing"));
    expect(identity).toMatchObject({ code_identifier: null, code_identifier_dependable: false, code_identifier_type: "git" });
    expect(identity.code_identifier_message).toContain("does not exist");
  });
});
