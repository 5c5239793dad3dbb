import { describe, expect, it } from "vitest";
import type { RunLog } from "../core/run-log.js";
import { createStoredReads, readStoredRun } from "./stored-reads.js";

describe("reads of the stored run shared by steps that end together", () => {
  it("gives every caller a read that started after it asked, sharing the one queued behind a running read", async () => {
    const reads = createStoredReads();
    const started: Array<(log: RunLog) => void> = [];
    const read = () => new Promise<RunLog>((resolve) => started.push(resolve));
    const first = readStoredRun(reads, read);
    const second = readStoredRun(reads, read);
    const third = readStoredRun(reads, read);
    expect(started).toHaveLength(1);
    expect(second).toBe(third);
    started[0]!({ run_id: "1" } as RunLog);
    expect((await first).run_id).toBe("1");
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toHaveLength(2);
    started[1]!({ run_id: "2" } as RunLog);
    expect([(await second).run_id, (await third).run_id]).toEqual(["2", "2"]);
    // Nothing in flight: the next caller starts a read of its own.
    const fourth = readStoredRun(reads, read);
    expect(started).toHaveLength(3);
    started[2]!({ run_id: "3" } as RunLog);
    expect((await fourth).run_id).toBe("3");
  });
});
