import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { newBranchLog } from "../src/core/run-log.js";
import { createChunkedFsRunLogStore } from "../src/plugins/run-log-store/chunked-fs/chunked-fs.js";
import { createFileSystemRunLogStore } from "../src/plugins/run-log-store/file-system/file-system.js";
import type { RunLogStore } from "../src/ports/run-log-store.js";
import { sampleRunHeader, sampleStepLog } from "../src/testing/contracts/run-log-store.samples.js";
import { exec, podmanMissing, testImage } from "./helpers/podman.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

/**
 * Many writers, many hosts (issue 9): containers stand in for pods on different nodes (own pid
 * namespace, own hostname, no network), all writing branches of one run into a store on a shared
 * folder, while this process writes too. Nothing may be lost.
 */

// Runs in each container: writes `count` branches (each with one step) into the run.
const WRITER = `
import { newBranchLog, newStepLog } from "/project/dist/core/run-log.js";
const [type, folder, runId, prefix, count] = process.argv.slice(2);
const module = type === "chunked-fs"
  ? await import("/project/dist/plugins/run-log-store/chunked-fs/chunked-fs.js")
  : await import("/project/dist/plugins/run-log-store/file-system/file-system.js");
const store = type === "chunked-fs" ? module.createChunkedFsRunLogStore({ folder }) : module.createFileSystemRunLogStore({ folder, compactMinBytes: 2000 });
await Promise.all(Array.from({ length: Number(count) }, async (_, i) => {
  const key = "fan." + prefix + i;
  await store.putBranch(runId, [["fan", key]], { ...newBranchLog(key), status: "PROCESSING" });
  await store.putStep(runId, [["fan", key]], { ...newStepLog("work", key + ".work", "task"), status: "SUCCESS" });
  await store.putBranch(runId, [["fan", key]], { ...newBranchLog(key), status: "SUCCESS" });
}));
await store.flush?.(runId);
`;

const STORES: Record<string, (folder: string) => RunLogStore> = {
  "file-system": (folder) => createFileSystemRunLogStore({ folder, compactMinBytes: 2000 }),
  "chunked-fs": (folder) => createChunkedFsRunLogStore({ folder }),
};

let image: string;
let dir: string;
beforeAll(async () => {
  if (podmanMissing) return;
  image = await testImage();
  dir = await mkdtemp(join(tmpdir(), "container-stores-"));
  await writeFile(join(dir, "writer.mjs"), WRITER);
}, 300_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describeNeeding(NEEDS.podman, podmanMissing)("one run written from several containers at once", () => {
  it.each(Object.keys(STORES))(
    "%s store loses nothing",
    async (type) => {
      const folder = join(dir, type);
      const store = STORES[type]!(folder);
      await store.create(sampleRunHeader("shared"));
      await store.putStep("shared", [], sampleStepLog("fan", "parallel"));
      const container = (n: number) =>
        exec("podman", [
          "run",
          "--rm",
          "--network=none",
          "--hostname",
          `node-${n}`,
          "-v",
          `${folder}:/mnt/runs`,
          "-v",
          `${join(dir, "writer.mjs")}:/writer.mjs:ro`,
          image,
          "node",
          "/writer.mjs",
          type,
          "/mnt/runs",
          "shared",
          `c${n}-`,
          "40",
        ]);
      const host = Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const key = `fan.host-${i}`;
          await store.putBranch("shared", [["fan", key]], { ...newBranchLog(key), status: "SUCCESS" });
        }),
      );
      const results = await Promise.all([container(1), container(2), container(3), host]);
      for (const result of results.slice(0, 3) as { code: number; stderr: string }[]) expect(result.code, result.stderr).toBe(0);
      await store.flush?.("shared");
      const log = await STORES[type]!(folder).get("shared");
      const branches = log.steps["fan"]!.branches;
      expect(Object.keys(branches)).toHaveLength(3 * 40 + 20);
      for (const [key, branch] of Object.entries(branches)) {
        expect(branch.status, key).toBe("SUCCESS");
        if (!key.startsWith("fan.host-")) expect(branch.steps[`${key}.work`]?.status, key).toBe("SUCCESS");
      }
    },
    120_000,
  );
});
