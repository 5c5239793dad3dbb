// Run by chunked-fs.test.ts as a separate process: writes `count` branches (each with one step) into
// an existing run, as another process of a parallel run would. Args: folder runId prefix count.
import { newBranchLog, newStepLog } from "../../../core/run-log.js";
import { createChunkedFsRunLogStore } from "./chunked-fs.js";

const [folder = "", runId = "", prefix = "", count = "0"] = process.argv.slice(2);
const store = createChunkedFsRunLogStore({ folder });

await Promise.all(
  Array.from({ length: Number(count) }, async (_, i) => {
    const key = `fan.${prefix}${i}`;
    await store.putBranch(runId, [["fan", key]], { ...newBranchLog(key), status: "PROCESSING" });
    await store.putStep(runId, [["fan", key]], { ...newStepLog("work", `${key}.work`, "task"), status: "SUCCESS" });
    await store.putBranch(runId, [["fan", key]], { ...newBranchLog(key), status: "SUCCESS" });
  }),
);
await store.setStatus(runId, prefix === "p" ? "SUCCESS" : "PROCESSING");
