import type { Graph } from "../../src/core/graph.js";
import { itemText, resolveName, type MapVariable } from "../../src/core/names.js";
import { findNode } from "../../src/definition/find-node.js";
import { encodeMapItems } from "../../src/plugins/executor/argo/containers.js";
import type { PodRunner } from "./argo-emulator/types.js";

/** What a fake pod was asked to do. */
export interface FakeCall {
  verb: "execute" | "fan-out" | "fan-in" | "implicit-fail";
  /** The step's resolved name (map items in place of placeholders). */
  name: string;
  mapVariable: Record<string, unknown>;
  runId: string;
}

/** Scripted behaviour: steps (resolved names) that fail their first N tries, and each map's items. */
export interface FakeScript {
  failures?: Record<string, number>;
  items?: Record<string, unknown[]>;
  /** Called when a pod starts and ends (for concurrency checks). */
  onPod?: (event: "start" | "end") => void;
}

const branchOf = (resolved: string): string => (resolved.includes(".") ? resolved.slice(0, resolved.lastIndexOf(".")) : "");

/**
 * A stand-in for the `runnable execute-single-node` / `runnable fan` entry points that follows their
 * contract closely enough to check a rendered manifest's wiring: a failing step without `on_failure`
 * runs its graph's fail node in the same pod ("implicit fail", on its last try only: Argo retries a step
 * with max_attempts) and marks the branch failed; a fan-in
 * fails when one of its branches failed; a map's fan-out publishes its items (encodeMapItems).
 * `--map-variable` must be valid JSON (it is parsed), and names are resolved from it.
 */
export function fakeRunnable(graph: Graph, script: FakeScript = {}): { runner: PodRunner; calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  const failedBranches = new Set<string>();
  const tries = new Map<string, number>();
  const fail = (call: FakeCall, onFailure: string) => {
    if (onFailure) return;
    failedBranches.add(branchOf(call.name));
    calls.push({ ...call, verb: "implicit-fail", name: branchOf(call.name) });
  };
  const runner: PodRunner = async (pod) => {
    script.onPod?.("start");
    await new Promise((r) => setTimeout(r, 1));
    try {
      const [, verb, runId = "", commandName = "", ...rest] = pod.argv;
      const option = (flag: string) => (rest.includes(flag) ? rest[rest.indexOf(flag) + 1] : undefined);
      const mapVariable = JSON.parse(option("--map-variable") ?? "{}") as Record<string, unknown>;
      const internal = commandName.replace(/%/g, " ");
      const name = resolveName(internal, Object.entries(mapVariable) as MapVariable);
      const node = findNode(graph, internal);
      if (!node) throw new Error(`no step ${internal}`);
      const onFailure = "onFailure" in node ? node.onFailure : "";
      if (verb === "execute-single-node") {
        const call: FakeCall = { verb: "execute", name, mapVariable, runId };
        calls.push(call);
        const n = (tries.get(name) ?? 0) + 1;
        tries.set(name, n);
        if (node.kind === "fail") {
          failedBranches.add(branchOf(name));
          return { exitCode: 1, outputs: {} };
        }
        if (n <= (script.failures?.[name] ?? 0)) {
          // While Argo will retry (max_attempts), the failure is not the step's last word.
          const lastTry = !("maxAttempts" in node) || n >= node.maxAttempts;
          if (lastTry) fail(call, onFailure);
          return { exitCode: 1, outputs: {} };
        }
        return { exitCode: 0, outputs: {} };
      }
      const mode = option("--mode");
      const call: FakeCall = { verb: mode === "out" ? "fan-out" : "fan-in", name, mapVariable, runId };
      calls.push(call);
      if (mode === "out") {
        const outputs: Record<string, string> = node.kind === "map" ? { "iterate-on": encodeMapItems(script.items?.[name] ?? []) } : {};
        return { exitCode: 0, outputs };
      }
      const branches = node.kind === "parallel" ? Object.keys(node.branches) : node.kind === "map" ? (script.items?.[name] ?? []).map(itemText) : ["dag"];
      if (branches.some((b) => failedBranches.has(`${name}.${b}`))) {
        fail(call, onFailure);
        return { exitCode: 1, outputs: {} };
      }
      return { exitCode: 0, outputs: {} };
    } finally {
      script.onPod?.("end");
    }
  };
  return { runner, calls };
}
