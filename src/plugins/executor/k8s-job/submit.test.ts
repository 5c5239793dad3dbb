import { describe, expect, it } from "vitest";
import { type K8sApi, nextJobName } from "./submit.js";

/** A fake API answering the label-selected Job list with these Jobs (name, ended or not). */
function apiListing(jobs: Array<{ name: string; ended: boolean }>, seen: string[] = []): K8sApi {
  const items = jobs.map(({ name, ended }) => ({
    metadata: { name },
    status: ended ? { conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }] } : { active: 1 },
  }));
  const batch = {
    listNamespacedJob: async ({ labelSelector }: { labelSelector: string }) => {
      seen.push(labelSelector);
      return { items };
    },
  };
  return { batch } as unknown as K8sApi;
}

describe("the name of a run's next Job", () => {
  it("is the run id, then <run id>-attempt-N past the run's ended Jobs (and names known to be taken)", async () => {
    const seen: string[] = [];
    expect(await nextJobName(apiListing([], seen), "default", "run-1")).toEqual({ name: "run-1" });
    expect(seen).toEqual(["runnable/run-id=run-1"]);
    expect(await nextJobName(apiListing([{ name: "run-1", ended: true }]), "default", "run-1")).toEqual({ name: "run-1-attempt-2" });
    expect(await nextJobName(apiListing([], []), "default", "run-1", ["run-1"])).toEqual({ name: "run-1-attempt-2" });
    const two = apiListing([
      { name: "run-1", ended: true },
      { name: "run-1-attempt-2", ended: true },
    ]);
    expect(await nextJobName(two, "default", "run-1")).toEqual({ name: "run-1-attempt-3" });
  });

  it("is refused while one of the run's Jobs has not ended", async () => {
    const api = apiListing([
      { name: "run-1", ended: true },
      { name: "run-1-attempt-2", ended: false },
    ]);
    expect(await nextJobName(api, "default", "run-1")).toEqual({ running: "run-1-attempt-2" });
  });

  it("keeps a Job name within 63 characters, the attempt kept", async () => {
    const long = `r${"x".repeat(70)}`;
    const { name } = (await nextJobName(apiListing([], []), "default", long, [long])) as { name: string };
    expect(name).toHaveLength(63);
    expect(name.endsWith("-attempt-2")).toBe(true);
  });
});
