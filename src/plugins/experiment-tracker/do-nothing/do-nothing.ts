import type { ExperimentTracker } from "../../../ports/experiment-tracker.js";

/** A tracker that mirrors nothing: every method is a no-op and the client context is empty. */
export function createDoNothingTracker(): ExperimentTracker {
  return {
    type: "do-nothing",
    recordedConfig: {},
    traits: {},
    async startRun() {},
    async publish() {},
    async endRun() {},
    clientContext: () => ({}),
  };
}
