import { mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cliLaunch, snapshotBlob } from "./cli-launch.js";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A package folder whose dist/cli holds a blob stamped with `stamp` (this Node.js's by default). */
function packageWith(stamp: Record<string, unknown> | undefined, blob = true): string {
  const root = mkdtempSync(join(tmpdir(), "cli-launch-"));
  roots.push(root);
  mkdirSync(join(root, "dist", "cli"), { recursive: true });
  if (blob) writeFileSync(join(root, "dist", "cli", "runnable.blob"), "");
  const node = realpathSync(process.execPath);
  const fits = { node: process.version, arch: process.arch, execPath: node, size: statSync(node).size };
  if (stamp) writeFileSync(join(root, "dist", "cli", "runnable.blob.json"), JSON.stringify({ ...fits, ...stamp }));
  return root;
}

describe("cliLaunch", () => {
  it("starts from the snapshot stamped for this Node.js binary", () => {
    const root = packageWith({});
    expect(cliLaunch(root, {})).toEqual([process.execPath, "--snapshot-blob", join(root, "dist", "cli", "runnable.blob"), "--"]);
  });

  it.each([
    ["another Node.js version", { node: "v0.0.1" }],
    ["another binary", { execPath: "/opt/other/node" }],
    ["a binary changed in place", { size: 1 }],
    ["another architecture", { arch: "sparc" }],
  ])("falls back to bin/runnable.js for %s", (_, stamp) => {
    const root = packageWith(stamp);
    expect(cliLaunch(root, {})).toEqual([process.execPath, join(root, "bin", "runnable.js")]);
  });

  it("falls back without a stamp, without a blob, or with RUNNABLE_NO_SNAPSHOT", () => {
    expect(snapshotBlob(packageWith(undefined), {})).toBeUndefined();
    expect(snapshotBlob(packageWith({}, false), {})).toBeUndefined();
    expect(snapshotBlob(packageWith({}), { RUNNABLE_NO_SNAPSHOT: "1" })).toBeUndefined();
    const broken = packageWith({});
    writeFileSync(join(broken, "dist", "cli", "runnable.blob.json"), "{ not json");
    expect(snapshotBlob(broken, {})).toBeUndefined();
  });
});
