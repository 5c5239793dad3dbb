import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskNode } from "../../../core/graph.js";
import type { TaskReturn } from "../../../core/returns.js";
import { testInvocation } from "../../../testing/invocation.js";
import { plainVariables } from "./plain-env.js";
import { createShellRunner } from "./shell.js";

// runnable 0.50's shell tasks (issue 18): parameters as plain variables (`$integer`, strings as they
// are, json.dumps for the rest, the map item as Python's str), RUNNABLE_PRM_* with json.dumps spacing,
// and the variables `returns` names taken back from the environment the command leaves.

let cwd: string;
beforeAll(async () => (cwd = await mkdtemp(join(tmpdir(), "runnable-shell-plain-"))));
afterAll(() => rm(cwd, { recursive: true, force: true }));

const node = (command: string, returns: TaskReturn[] = [], secrets: string[] = []): TaskNode => ({
  kind: "task",
  name: "sh",
  internalName: "sh",
  internalBranchName: "",
  next: "success",
  onFailure: "",
  overrides: {},
  task: { command_type: "shell", command },
  catalog: null,
  maxAttempts: 1,
  secrets,
  returns,
});

describe("plain variables", () => {
  it("encodes parameters as runnable 0.50 does and leaves out objects, engine variables and secrets", () => {
    const env = plainVariables({
      node: node("true", [], ["token"]),
      parameters: {
        integer: 1,
        floater: 3.14,
        stringer: "hello",
        pydantic_param: { x: 10, foo: "bar" },
        flag: true,
        none: null,
        df: "df",
        RUNNABLE_X: 1,
        token: "t",
      },
      parameterKinds: { df: "object" },
      mapVariable: [
        ["chunk", 2],
        ["item", { a: [true, null] }],
      ],
    });
    expect(env).toEqual({
      integer: "1",
      floater: "3.14",
      stringer: "hello",
      pydantic_param: '{"x": 10, "foo": "bar"}',
      flag: "true",
      none: "null",
      chunk: "2",
      item: "{'a': [True, None]}",
    });
  });
});

describe("shell tasks (runnable 0.50's shell)", () => {
  it("sees parameters as plain variables and RUNNABLE_PRM_*, and hands back what returns names (JSON when it parses)", async () => {
    const runner = createShellRunner();
    const command = [
      `[ "$integer" = 1 ] && [ "$stringer" = hello ] && [ "$pydantic_param" = '{"x": 10, "foo": "bar"}' ] || exit 3`,
      `[ "$RUNNABLE_PRM_pydantic_param" = '{"x": 10, "foo": "bar"}' ] && [ "$RUNNABLE_PRM_stringer" = '"hello"' ] || exit 4`,
      "export processed=$(expr 10 '*' \"$integer\") label='a b' conf='{\"k\": [1, 2]}'",
    ].join("\n");
    const returns: TaskReturn[] = [
      { name: "processed", kind: "json" },
      { name: "label", kind: "json" },
      { name: "conf", kind: "metric" },
      { name: "integer", kind: "json" },
      { name: "never_set", kind: "json" },
    ];
    const parameters = { integer: 1, stringer: "hello", pydantic_param: { x: 10, foo: "bar" } };
    const outcome = await runner.run(testInvocation({ node: node(command, returns), cwd, parameters }));
    expect(outcome.failure).toBeUndefined();
    expect(outcome.returns).toEqual({ processed: 10, label: "a b", conf: { k: [1, 2] }, integer: 1 });
  });

  it("hands nothing back when the command fails, and refuses object returns before the run", async () => {
    const runner = createShellRunner();
    const failed = await runner.run(testInvocation({ node: node("export x=1; exit 2", [{ name: "x", kind: "json" }]), cwd }));
    expect(failed).toMatchObject({ failure: "Command failed with exit code 2" });
    expect(failed.returns).toBeUndefined();
    expect(await runner.check!(node("true", [{ name: "m", kind: "object" }]), cwd)).toEqual([
      'step "sh": a shell task cannot return objects (returns "m" has kind object); return it as json or metric',
    ]);
  });
});
