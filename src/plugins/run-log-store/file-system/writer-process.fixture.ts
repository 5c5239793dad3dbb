// Run by file-system.test.ts as a separate process: writes `count` branches (each with one step) into
// an existing run, as another process of a parallel run would. Args: folder runId prefix count minBytes.
import { newBranchLog, newStepLog } from "../../../core/run-log.js";
import { createFileSystemRunLogStore } from "./file-system.js";

const [folder = "", runId = "", prefix = "", count = "0", minBytes = "0"] = process.argv.slice(2);
const store = createFileSystemRunLogStore({ folder, compactMinBytes: Number(minBytes) });

await Promise.all(
  Array.from({ length: Number(count) }, async (_, i) => {
    const key = `fan.${prefix}${i}`;
    await store.putBranch(runId, [["fan", key]], { ...newBranchLog(key), status: "PROCESSING" });
    await store.putStep(runId, [["fan", key]], { ...newStepLog("work", `${key}.work`, "task"), status: "SUCCESS" });
    await store.putBranch(runId, [["fan", key]], { ...newBranchLog(key), status: "SUCCESS" });
  }),
);
if (prefix.endsWith("flush")) await store.flush(runId);
