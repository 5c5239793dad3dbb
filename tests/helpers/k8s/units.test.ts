import { describe, expect, it } from "vitest";
import { collapseIndexes, expandIndexes } from "./indexes.js";
import { dns1123LabelErrors, labelValueErrors, qualifiedNameErrors } from "./names.js";
import { applyPatch, mergePatch } from "./patch.js";
import { expandVars } from "./pod-spec.js";
import { type ContainerLaunch, podmanArgs, scriptedRunner } from "./pod-runner.js";
import { fieldSelector, labelSelector, labelSelectorObject } from "./selectors.js";
import { ApiError } from "./status.js";

// The stand-in's small pure parts: selectors, patches, $(VAR) expansion, name rules, the podman
// command line of a container, and the scripted runner.

const pod = (labels: Record<string, string>, phase = "Running") => ({ metadata: { name: "p", namespace: "default", labels }, status: { phase } });

describe("selectors", () => {
  it("matches label selectors: equality, inequality, set-based and existence", () => {
    const object = pod({ "job-name": "a", tier: "x" });
    expect(labelSelector("job-name=a")(object)).toBe(true);
    expect(labelSelector("job-name==a,tier!=y")(object)).toBe(true);
    expect(labelSelector("tier in (x, y),job-name notin (b)")(object)).toBe(true);
    expect(labelSelector("tier,!missing")(object)).toBe(true);
    expect(labelSelector("job-name=b")(object)).toBe(false);
    expect(labelSelector("")(object)).toBe(true);
    expect(labelSelectorObject({ matchLabels: { tier: "x" }, matchExpressions: [{ key: "job-name", operator: "In", values: ["a"] }] })(object)).toBe(true);
  });

  it("matches field selectors and rejects unknown fields with 400", () => {
    expect(fieldSelector("metadata.name=p,status.phase!=Failed", "Pod")(pod({}))).toBe(true);
    expect(() => fieldSelector("spec.foo=1", "Job")).toThrow(ApiError);
    expect(() => fieldSelector("status.phase=Running", "Job")).toThrow("field label not supported: status.phase");
  });
});

describe("patches", () => {
  it("applies RFC 7386 merge patches (null removes)", () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { c: null, e: 4 }, f: [1] })).toEqual({ a: 1, b: { d: 3, e: 4 }, f: [1] });
  });

  it("applies RFC 6902 JSON patches and refuses unknown media types", () => {
    const doc = { spec: { suspend: true, list: [1, 2] } };
    const patched = applyPatch(
      doc,
      [
        { op: "replace", path: "/spec/suspend", value: false },
        { op: "add", path: "/spec/list/-", value: 3 },
        { op: "remove", path: "/spec/list/0" },
        { op: "test", path: "/spec/suspend", value: false },
      ],
      "application/json-patch+json",
    );
    expect(patched).toEqual({ spec: { suspend: false, list: [2, 3] } });
    expect(doc.spec.suspend).toBe(true);
    expect(() => applyPatch(doc, [{ op: "test", path: "/spec/suspend", value: false }], "application/json-patch+json")).toThrow(
      "testing value /spec/suspend failed",
    );
    expect(() => applyPatch(doc, {}, "application/apply-patch+yaml")).toThrow(ApiError);
  });
});

describe("names and expansion", () => {
  it("checks RFC 1123 labels, label values and qualified names as apimachinery does", () => {
    expect(dns1123LabelErrors("main")).toEqual([]);
    expect(dns1123LabelErrors("Main_1")[0]).toMatch(/^a lowercase RFC 1123 label must consist of/);
    expect(labelValueErrors("x".repeat(64))).toEqual(["must be no more than 63 characters"]);
    expect(qualifiedNameErrors("runnable.dev/run-id")).toEqual([]);
    expect(qualifiedNameErrors("Bad.Prefix/x")[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
  });

  it("expands $(VAR) like the kubelet: known names, $$ escapes, unknown references kept", () => {
    const vars = new Map([["A", "1"]]);
    expect(expandVars("$(A)-$(B)-$$(A)-$$", vars)).toBe("1-$(B)-$(A)-$");
  });

  it("keeps Indexed completion sets as the API writes them", () => {
    expect(collapseIndexes([4, 0, 2, 1])).toBe("0-2,4");
    expect(expandIndexes("0-2,4")).toEqual([0, 1, 2, 4]);
  });
});

describe("pod runners", () => {
  const launch: ContainerLaunch = {
    pod: { name: "job-abcde", namespace: "default", uid: "u" },
    container: "main",
    image: "localhost/img:1",
    command: ["sh", "-c"],
    args: ["exit 0"],
    env: [["A", "1"]],
    workingDir: "/work",
    mounts: [{ source: "/host/data", target: "/data", readOnly: true }],
    user: "1000:1000",
    resources: {},
  };

  it("maps a container to podman run: command → --entrypoint, args after the image, env, workdir, mounts, user", () => {
    const args = podmanArgs(launch, "k8s_main", { network: "none" });
    expect(args.slice(0, 8)).toEqual(["run", "--rm", "--pull=never", "--name", "k8s_main", "--hostname", "job-abcde", "--network=none"]);
    expect(args).toEqual(expect.arrayContaining(["--env", "A=1", "--workdir", "/work", "--volume", "/host/data:/data:ro", "--user", "1000:1000"]));
    expect(args.slice(-4)).toEqual(["--entrypoint", '["sh","-c"]', "localhost/img:1", "exit 0"]);
    const { command: _command, ...argsOnly } = launch;
    expect(podmanArgs(argsOnly, "n").slice(-2)).toEqual(["localhost/img:1", "exit 0"]);
  });

  it("lets a script decide each run and records the launches", async () => {
    const runner = scriptedRunner((_launch, run) => (run === 1 ? { exitCode: 3, output: "boom\n" } : { hang: true }));
    const first = runner.start(launch);
    expect(await first.exited).toEqual({ exitCode: 3, reason: "Error" });
    expect(first.log.toString()).toBe("boom\n");
    const second = runner.start(launch);
    await second.kill();
    expect((await second.exited).exitCode).toBe(137);
    expect(runner.launches).toHaveLength(2);
  });
});
