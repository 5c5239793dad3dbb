import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateDepends, parseDepends, runWorkflow, type PodRunner, type WfWorkflow } from "./helpers/argo-emulator/index.js";
import { processPodRunner } from "./helpers/argo-emulator/pod-runners.js";
import { REPO } from "./helpers/cli.js";

let dir: string;
let shell: PodRunner;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "argo-emu-"));
  shell = processPodRunner({ repo: REPO, cwd: dir });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A container template running `sh -c script` (with optional inputs/outputs). */
const sh = (name: string, script: string, extra: Record<string, unknown> = {}) => ({
  name,
  container: { image: "busybox", command: ["sh", "-c", script] },
  ...extra,
});
const wf = (tasks: unknown[], templates: unknown[], spec: Record<string, unknown> = {}): WfWorkflow =>
  ({ metadata: { generateName: "t-" }, spec: { entrypoint: "main", templates: [{ name: "main", dag: { tasks } }, ...templates], ...spec } }) as WfWorkflow;

describe("depends expressions", () => {
  const states = new Map<string, { phase: "Succeeded" | "Failed" | "Error" | "Skipped" | "Omitted" }>([
    ["a-1", { phase: "Succeeded" }],
    ["b", { phase: "Failed" }],
    ["c", { phase: "Skipped" }],
    ["d", { phase: "Omitted" }],
  ]);
  it.each([
    ["a-1.Succeeded", true],
    ["b.Succeeded || b.Failed", true],
    ["a-1.Succeeded && b.Succeeded", false],
    ["(a-1.Failed || b.Failed) && !d.Succeeded", true],
    ["a-1 && c", true],
    ["b", false],
    ["d.Omitted && !(b.Errored)", true],
    ["a-1.Succeeded && (b.Failed || c.Skipped) && d.Omitted", true],
  ])("%s is %s", (text, expected) => {
    expect(evaluateDepends(parseDepends(text), states)).toBe(expected);
  });
  it("rejects bad syntax and unknown results", () => {
    expect(() => parseDepends("a.Succeeded ||")).toThrow(/unexpected end/);
    expect(() => parseDepends("a.Done")).toThrow(/unknown result/);
    expect(() => parseDepends("(a.Succeeded")).toThrow(/expected "\)"/);
  });
});

describe("Argo emulator with shell pods", () => {
  it("runs a chain in depends order and succeeds", async () => {
    const tasks = [
      { name: "a", template: "a" },
      { name: "b", template: "b", depends: "a.Succeeded" },
      { name: "c", template: "c", depends: "b.Succeeded" },
    ];
    const templates = ["a", "b", "c"].map((n) => sh(n, `sleep 0.0${n.charCodeAt(0) % 3}; echo ${n} >> ${dir}/chain.log`));
    const result = await runWorkflow(wf(tasks, templates), { runPod: shell });
    expect(result.phase).toBe("Succeeded");
    expect((await readFile(join(dir, "chain.log"), "utf8")).trim().split("\n")).toEqual(["a", "b", "c"]);
  });

  it("omits tasks whose depends is false and handles a failure through .Failed (on_failure shape)", async () => {
    const tasks = [
      { name: "step-1", template: "fail" },
      { name: "step-2", template: "ok", depends: "step-1.Succeeded" },
      { name: "step-3", template: "ok", depends: "step-1.Failed || step-2.Succeeded" },
      { name: "success", template: "ok", depends: "step-3.Succeeded" },
    ];
    const result = await runWorkflow(wf(tasks, [sh("fail", "exit 3"), sh("ok", "true")]), { runPod: shell });
    expect(result.phase).toBe("Succeeded");
    const phases = Object.fromEntries(result.nodes.map((n) => [n.template === "main" ? "main" : n.name.split(".").pop(), n.phase]));
    expect(phases).toEqual({ main: "Succeeded", "step-1": "Failed", "step-2": "Omitted", "step-3": "Succeeded", success: "Succeeded" });
    expect(result.nodes.find((n) => n.name.endsWith("step-1"))!.message).toMatch(/exit code 3/);
  });

  it("fails the DAG when an omitted leaf inherits a failure, as Argo's assessDAGPhase does", async () => {
    const tasks = [
      { name: "a", template: "fail" },
      { name: "b", template: "ok", depends: "a.Succeeded" },
      { name: "c", template: "ok", depends: "a.Failed" },
    ];
    const result = await runWorkflow(wf(tasks, [sh("fail", "exit 1"), sh("ok", "true")]), { runPod: shell });
    expect(result.phase).toBe("Failed");
    expect(result.nodes.find((n) => n.name.endsWith(".c"))!.phase).toBe("Succeeded");
  });

  it("expands withParam from a pod's output parameter, passing items as Argo does", async () => {
    const out = join(dir, "items.txt");
    const list = JSON.stringify(["a b", 3, 1.5, true, { z: 1, a: "x" }, [1, 2], '"q"']);
    const tasks = [
      { name: "fan-out", template: "produce" },
      {
        name: "each",
        template: "consume",
        depends: "fan-out.Succeeded",
        withParam: "{{tasks.fan-out.outputs.parameters.items}}",
        arguments: { parameters: [{ name: "x", value: "{{item}}" }] },
      },
      { name: "fan-in", template: "ok", depends: "each.Succeeded" },
    ];
    const templates = [
      sh("produce", `printf '%s\\n' '${list}' > $TMPDIR/output.txt`, { outputs: { parameters: [{ name: "items", valueFrom: { path: "/tmp/output.txt" } }] } }),
      sh("consume", `printf '%s\\n' '{{inputs.parameters.x}}' >> ${out}`, { inputs: { parameters: [{ name: "x" }] } }),
      sh("ok", "true"),
    ];
    const result = await runWorkflow(wf(tasks, templates), { runPod: shell });
    expect(result.phase).toBe("Succeeded");
    const seen = (await readFile(out, "utf8")).trim().split("\n").sort();
    expect(seen).toEqual(['"q"', "1.5", "3", "[1,2]", "a b", "true", '{"a":"x","z":1}'].sort());
    expect(result.nodes.filter((n) => n.name.includes(".each(")).map((n) => n.name.split(".").pop())).toContain("each(0:a b)");
  });

  it("skips a withParam task over an empty list, and a .Skipped dependant still runs", async () => {
    const tasks = [
      { name: "each", template: "ok", withParam: "[]" },
      { name: "after", template: "ok", depends: "each.Succeeded || each.Skipped" },
    ];
    const result = await runWorkflow(wf(tasks, [sh("ok", "true")]), { runPod: shell });
    expect(result.phase).toBe("Succeeded");
    expect(result.nodes.find((n) => n.name.endsWith(".each"))).toMatchObject({ type: "Skipped", phase: "Skipped" });
    expect(result.nodes.find((n) => n.name.endsWith(".after"))!.phase).toBe("Succeeded");
  });

  it("retries a pod up to retryStrategy.limit and passes {{retries}}", async () => {
    const counter = join(dir, "retries");
    const script = `echo {{retries}} >> ${counter}; n=$(wc -l < ${counter}); [ "$n" -ge 3 ]`;
    const flaky = sh("flaky", script, { retryStrategy: { limit: "3", retryPolicy: "Always" } });
    const result = await runWorkflow(wf([{ name: "f", template: "flaky" }], [flaky]), { runPod: shell });
    expect(result.phase).toBe("Succeeded");
    expect(result.nodes.find((n) => n.name.endsWith(".f"))!.tries).toBe(3);
    expect((await readFile(counter, "utf8")).trim().split("\n")).toEqual(["0", "1", "2"]);

    const once = sh("once", "exit 1", { retryStrategy: { limit: 1 } });
    const onError = sh("on-error", "exit 1", { retryStrategy: { limit: 2, retryPolicy: "OnError" } });
    const failed = await runWorkflow(
      wf(
        [
          { name: "o", template: "once" },
          { name: "e", template: "on-error" },
        ],
        [once, onError],
      ),
      { runPod: shell },
    );
    expect(failed.phase).toBe("Failed");
    expect(failed.nodes.find((n) => n.name.endsWith(".o"))!.tries).toBe(2);
    expect(failed.nodes.find((n) => n.name.endsWith(".e"))!.tries).toBe(1);
  });

  it("applies the workflow's retryStrategy to every template without one", async () => {
    const result = await runWorkflow(wf([{ name: "x", template: "bad" }], [sh("bad", "exit 1")], { retryStrategy: { limit: "2" } }), { runPod: shell });
    expect(result.nodes.find((n) => n.name.endsWith(".x"))!.tries).toBe(3);
    expect(result.nodes.find((n) => n.template === "main")!.tries).toBe(3);
  });

  it("limits concurrency with template and workflow parallelism", async () => {
    let active = 0;
    let peak = 0;
    const counting: PodRunner = async () => {
      peak = Math.max(peak, ++active);
      await new Promise((r) => setTimeout(r, 30));
      active--;
      return { exitCode: 0, outputs: {} };
    };
    const items = { name: "each", template: "ok", withParam: "[1,2,3,4,5]" };
    const limited = {
      metadata: {},
      spec: { entrypoint: "main", templates: [{ name: "main", parallelism: 1, dag: { tasks: [items] } }, sh("ok", "true")] },
    } as WfWorkflow;
    await runWorkflow(limited, { runPod: counting });
    expect(peak).toBe(1);
    peak = 0;
    await runWorkflow(wf([items], [sh("ok", "true")], { parallelism: 2 }), { runPod: counting });
    expect(peak).toBe(2);
    peak = 0;
    await runWorkflow(wf([items], [sh("ok", "true")]), { runPod: counting });
    expect(peak).toBe(5);
  });

  it("with template failFast, starts no new child after a failure and fails the DAG", async () => {
    const main = {
      name: "main",
      failFast: true,
      parallelism: 1,
      dag: { tasks: [{ name: "each", template: "maybe", withParam: "[1,2,3]", arguments: { parameters: [{ name: "n", value: "{{item}}" }] } }] },
    };
    const maybe = sh("maybe", '[ "{{inputs.parameters.n}}" != 1 ]', { inputs: { parameters: [{ name: "n" }] } });
    const result = await runWorkflow({ metadata: {}, spec: { entrypoint: "main", templates: [main, maybe] } } as WfWorkflow, { runPod: shell });
    expect(result.phase).toBe("Failed");
    const items = result.nodes.filter((n) => n.name.includes("each("));
    expect(items.map((n) => n.phase)).toEqual(["Failed", "Omitted", "Omitted"]);
  });

  it("stops a pod at its activeDeadlineSeconds (or templateDefaults)", async () => {
    const started = Date.now();
    const result = await runWorkflow(wf([{ name: "slow", template: "slow" }], [sh("slow", "sleep 30")], { templateDefaults: { activeDeadlineSeconds: "1" } }), {
      runPod: shell,
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.phase).toBe("Failed");
    expect(result.nodes.find((n) => n.name.endsWith(".slow"))!.message).toMatch(/deadline/);
  });

  it("substitutes workflow parameters, uid, submission overrides, input defaults and secrets", async () => {
    const out = join(dir, "params.txt");
    const template = {
      name: "show",
      inputs: { parameters: [{ name: "greeting" }, { name: "who", default: "world" }] },
      container: {
        image: "x",
        command: [
          "sh",
          "-c",
          `echo "{{inputs.parameters.greeting}} {{inputs.parameters.who}} {{workflow.parameters.run_id}} {{workflow.parameters.level}} $TOKEN" > ${out}`,
        ],
        env: [{ name: "TOKEN", valueFrom: { secretKeyRef: { name: "creds", key: "token" } } }],
      },
    };
    const tasks = [{ name: "s", template: "show", arguments: { parameters: [{ name: "greeting", value: "{{workflow.parameters.greeting}}" }] } }];
    const spec = {
      arguments: {
        parameters: [
          { name: "greeting", value: "hello" },
          { name: "level", value: "1" },
          { name: "run_id", value: "{{workflow.uid}}" },
        ],
      },
    };
    const result = await runWorkflow(wf(tasks, [template], spec), {
      runPod: shell,
      uid: "uid-1",
      parameters: { level: "2" },
      secrets: { creds: { token: "s3cret" } },
    });
    expect(result.phase).toBe("Succeeded");
    expect((await readFile(out, "utf8")).trim()).toBe("hello world uid-1 2 s3cret");
  });

  it("passes inputs into nested DAG templates and task outputs to later arguments", async () => {
    const out = join(dir, "nested.txt");
    const inner = {
      name: "inner",
      inputs: { parameters: [{ name: "v" }] },
      dag: { tasks: [{ name: "w", template: "write", arguments: { parameters: [{ name: "v", value: "{{inputs.parameters.v}}" }] } }] },
    };
    const write = sh("write", `echo {{inputs.parameters.v}} >> ${out}`, { inputs: { parameters: [{ name: "v" }] } });
    const produce = sh("produce", "echo -n 42 > $TMPDIR/o", { outputs: { parameters: [{ name: "o", valueFrom: { path: "/tmp/o" } }] } });
    const tasks = [
      { name: "p", template: "produce" },
      { name: "n", template: "inner", depends: "p", arguments: { parameters: [{ name: "v", value: "{{tasks.p.outputs.parameters.o}}" }] } },
    ];
    const result = await runWorkflow(wf(tasks, [inner, write, produce]), { runPod: shell });
    expect(result.phase).toBe("Succeeded");
    expect((await readFile(out, "utf8")).trim()).toBe("42");
    expect(result.nodes.map((n) => n.type)).toContain("DAG");
  });

  it("reports a missing output parameter as an Error and an unparsable withParam as an errored task", async () => {
    const produce = sh("produce", "true", { outputs: { parameters: [{ name: "o", valueFrom: { path: "/tmp/none" } }] } });
    const tasks = [
      { name: "p", template: "produce" },
      { name: "q", template: "ok", withParam: "not json" },
    ];
    const result = await runWorkflow(wf(tasks, [produce, sh("ok", "true")]), { runPod: shell });
    expect(result.phase).toBe("Error");
    expect(result.nodes.find((n) => n.name.endsWith(".p"))).toMatchObject({ phase: "Error" });
    expect(result.nodes.find((n) => n.name.endsWith(".q"))).toMatchObject({ phase: "Error" });
  });
});

describe("when conditions and recursive templates (runnable 0.50's conditional and loop)", () => {
  it.each([
    ["1 == 1", true],
    ["0 == 1", false],
    ["-1 >= 0", false],
    ["3 >= 0", true],
    ["'heads' == 'heads'", true],
    ["heads != tails", true],
    ["(1 == 1 && 2 < 1) || !(true)", false],
    ["10 > 9", true],
  ])("when %s is %s", async (text, expected) => {
    const { evaluateWhen } = await import("./helpers/argo-emulator/when.js");
    expect(evaluateWhen(text)).toBe(expected);
  });

  it("skips a task whose when is false after substitution; a skipped branch does not fail the DAG", async () => {
    const tasks = [
      { name: "pick", template: "pick" },
      {
        name: "zero",
        template: "say",
        depends: "pick.Succeeded",
        when: "{{tasks.pick.outputs.parameters.case}} == 0",
        arguments: { parameters: [{ name: "x", value: "zero" }] },
      },
      {
        name: "one",
        template: "say",
        depends: "pick.Succeeded",
        when: "{{tasks.pick.outputs.parameters.case}} == 1",
        arguments: { parameters: [{ name: "x", value: "one" }] },
      },
      { name: "after", template: "ok", depends: "(zero.Succeeded || zero.Skipped) && (one.Succeeded || one.Skipped)" },
    ];
    const templates = [
      sh("pick", "echo 1 > $TMPDIR/output.txt", { outputs: { parameters: [{ name: "case", valueFrom: { path: "/tmp/output.txt" } }] } }),
      sh("say", `echo {{inputs.parameters.x}} >> ${dir}/when.log`, { inputs: { parameters: [{ name: "x" }] } }),
      sh("ok", "true"),
    ];
    const result = await runWorkflow(wf(tasks, templates), { runPod: shell });
    expect(result.phase).toBe("Succeeded");
    expect((await readFile(join(dir, "when.log"), "utf8")).trim()).toBe("one");
    const zero = result.nodes.find((n) => n.name.endsWith(".zero"))!;
    expect(zero).toMatchObject({ phase: "Skipped", type: "Skipped", message: "when '1 == 0' evaluated false" });
  });

  it("runs a template that calls itself until a when stops it (bounded by the data, one level per call)", async () => {
    const tasks = [{ name: "count", template: "iteration", arguments: { parameters: [{ name: "i", value: "0" }] } }];
    const templates = [
      {
        name: "iteration",
        inputs: { parameters: [{ name: "i" }] },
        dag: {
          tasks: [
            { name: "body", template: "body", arguments: { parameters: [{ name: "i", value: "{{inputs.parameters.i}}" }] } },
            {
              name: "next",
              template: "iteration",
              depends: "body.Succeeded",
              when: "{{tasks.body.outputs.parameters.next}} >= 0",
              arguments: { parameters: [{ name: "i", value: "{{tasks.body.outputs.parameters.next}}" }] },
            },
          ],
        },
      },
      sh(
        "body",
        `echo {{inputs.parameters.i}} >> ${dir}/rec.log; if [ {{inputs.parameters.i}} -lt 3 ]; then echo $(({{inputs.parameters.i}} + 1)); else echo -1; fi > $TMPDIR/output.txt`,
        {
          inputs: { parameters: [{ name: "i" }] },
          outputs: { parameters: [{ name: "next", valueFrom: { path: "/tmp/output.txt" } }] },
        },
      ),
    ];
    const result = await runWorkflow(wf(tasks, templates), { runPod: shell });
    expect(result.phase).toBe("Succeeded");
    expect((await readFile(join(dir, "rec.log"), "utf8")).trim().split("\n")).toEqual(["0", "1", "2", "3"]);
    expect(result.nodes.filter((n) => n.template === "iteration" && n.type !== "Skipped").map((n) => n.name)).toEqual([
      expect.stringMatching(/\.count$/),
      expect.stringMatching(/\.count\.next$/),
      expect.stringMatching(/\.count\.next\.next$/),
      expect.stringMatching(/\.count\.next\.next\.next$/),
    ]);
  });
});
