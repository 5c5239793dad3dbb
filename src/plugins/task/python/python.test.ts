import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { collapseMetrics } from "../../../core/metrics.js";
import { NEEDS, itNeeding } from "../../../../tests/helpers/requirements.js";
import { invocation, project, pythonCan, taskNode } from "./test-support.fixture.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(files: Record<string, string>, config = {}) {
  const made = await project({ "pkg/__init__.py": "", ...files }, config);
  cleanups.push(made.cleanup);
  return made;
}

const HAS_PYDANTIC = pythonCan("python3", "import pydantic");

describe("python task runner: functions", () => {
  it("binds parameters by name, returns a dict as parameters and streams output", async () => {
    const { dir, runner } = await setup({
      "pkg/mod.py": "def f(a: int, b, c=3, **rest):\n    print('a', a, 'b', b, 'c', c, 'rest', sorted(rest))\n    return {'sum': a + c, 'b': b}\n",
    });
    const { invocation: inv, recorded } = invocation(dir, taskNode("pkg.mod.f"), { a: "5", b: { x: [1] }, other: true });
    const outcome = await runner.run(inv);
    expect(outcome).toEqual({ parameters: { sum: 8, b: { x: [1] } }, metrics: [] });
    expect(recorded.stdout).toBe("a 5 b {'x': [1]} c 3 rest ['other']\n");
  });

  it("the in-task API: metrics, parameters, secrets, catalog, run id and the env protocol", async () => {
    const { dir, runner } = await setup({
      "pkg/api.py": [
        "import os",
        "from runnable import (track_this, get_parameter, set_parameter, get_secret, get_run_id, get_tag,",
        "    put_in_catalog, get_from_catalog, get_experiment_tracker_context)",
        "def f(x: int):",
        "    track_this(step=1, answer=20.0)",
        "    track_this(loss=0.5, nested={'a': (1, 2)})",
        "    set_parameter(y=x + 1, z='set')",
        "    assert get_parameter('y') == 2 and get_parameter() == {'x': 1, 'y': 2, 'z': 'set'}",
        "    assert get_parameter('x', cast_as=str) == '1'",
        "    assert get_secret('token') == 's3cret' and get_run_id() == 'run-1' and get_tag() == 'demo'",
        "    assert put_in_catalog('data/*.csv')[0]['stage'] == 'put'",
        "    get_from_catalog('model.bin')",
        "    with get_experiment_tracker_context() as ctx: assert ctx == {'kind': 'none'}",
        "    os.environ['runnable_PRM_from_env'] = '[1, 2]'",
        "    os.environ['RUNNABLE_TRACK_acc_STEP_2'] = '0.9'",
        "    return {'z': 'returned wins'}",
      ].join("\n"),
    });
    const { invocation: inv, recorded } = invocation(dir, taskNode("pkg.api.f"), { x: 1 }, { tracker: { kind: "none" } });
    const outcome = await runner.run(inv);
    expect(outcome.failure, recorded.stderr).toBeUndefined();
    expect(outcome.parameters).toEqual({ from_env: [1, 2], y: 2, z: "returned wins" });
    expect(collapseMetrics(outcome.metrics)).toEqual({ acc: { "2": 0.9 }, answer: { "1": 20 }, loss: 0.5, nested: { a: [1, 2] } });
    expect([...outcome.metrics].every((m) => m.time_ms > 1_600_000_000_000)).toBe(true);
    expect(recorded.catalog).toEqual(["put data/*.csv", "get model.bin"]);
  });

  it("an exception fails the step with its type and message; the traceback goes to stderr, metrics stay", async () => {
    const { dir, runner } = await setup({
      "pkg/bad.py": "from runnable import track_this\ndef f():\n    track_this(tried=1)\n    raise KeyError('nope')\n",
    });
    const { invocation: inv, recorded } = invocation(dir, taskNode("pkg.bad.f"));
    const outcome = await runner.run(inv);
    expect(outcome.failure).toBe("KeyError: 'nope'");
    expect(outcome.parameters).toEqual({});
    expect([...outcome.metrics].map((m) => m.key)).toEqual(["tried"]);
    expect(recorded.stderr).toMatch(/Traceback[\s\S]*pkg\/bad\.py", line 4, in f[\s\S]*KeyError: 'nope'/);
    expect(recorded.stderr).not.toContain("_harness.py");
  });

  it.each([
    ["a tuple return value", "def f():\n    return 1, 2\n", /returned a tuple; a Python task must return a dict, a pydantic model or a dataclass/],
    ["a missing parameter", "def f(needed):\n    pass\n", /Parameter needed is required for pkg.m.f but not provided/],
    ["a value that does not fit", "def f(n: int):\n    pass\n", /Parameter n of pkg.m.f does not fit int/],
    ["a missing function", "def g():\n    pass\n", /module "pkg.m" has no function "f"; callables there: g/],
    ["a failing import", "import nowhere_to_be_found\ndef f():\n    pass\n", /importing "pkg.m" failed: ModuleNotFoundError/],
    ["a non-zero sys.exit", "import sys\ndef f():\n    sys.exit(4)\n", /^SystemExit: 4$/],
  ])("fails clearly on %s", async (_name, source, message) => {
    const { dir, runner } = await setup({ "pkg/m.py": source });
    const outcome = await runner.run(invocation(dir, taskNode("pkg.m.f"), { n: "not a number" }).invocation);
    expect(outcome.failure).toMatch(message);
  });

  it("names what to install when the interpreter is missing", async () => {
    const { dir, runner } = await setup({ "pkg/m.py": "def f():\n    pass\n" });
    const { invocation: inv } = invocation(dir, taskNode("pkg.m.f"), {}, { env: { RUNNABLE_PYTHON: "/nonexistent/python9" } });
    const outcome = await runner.run(inv);
    expect(outcome.failure).toMatch(/Python interpreter "\/nonexistent\/python9" not found: install Python 3 .* RUNNABLE_PYTHON/);
  });

  itNeeding(NEEDS.pydantic, !HAS_PYDANTIC && "python3 cannot import pydantic")(
    "binds pydantic models (extra keys dropped, scalars wrapped) and returns them by alias",
    async () => {
      const { dir, runner } = await setup({
        "pkg/models.py": [
          "from typing import List, Optional",
          "from pydantic import BaseModel, Field",
          "class Inner(BaseModel):\n    foo: int\n    bar: str = Field(alias='Bar')",
          "class Wrapped(BaseModel):\n    size: int",
          "def f(inner: Inner, size: Wrapped, items: List[int], maybe: Optional[int] = None, flag: bool = True):",
          "    assert inner.foo == 1 and inner.bar == 'b' and size.size == 3 and items == [1, 2] and maybe is None and flag is False",
          "    return Inner(foo=inner.foo + 1, Bar='c')",
        ].join("\n"),
      });
      const parameters = { inner: { foo: "1", Bar: "b", extra: 1 }, size: 3, items: ["1", 2], maybe: null, flag: "false" };
      const outcome = await runner.run(invocation(dir, taskNode("pkg.models.f"), parameters).invocation);
      expect(outcome).toEqual({ parameters: { foo: 2, Bar: "c" }, metrics: [] });
    },
  );

  it.skipIf(!existsSync("/usr/bin/python3") || pythonCan("/usr/bin/python3", "import pydantic"))(
    "without pydantic: generics get the raw value, simple types are converted exactly",
    async () => {
      const { dir, runner } = await setup(
        {
          "pkg/plain.py": [
            "from dataclasses import dataclass",
            "from typing import Dict, List",
            "@dataclass\nclass Out:\n    total: int\n    ok: bool",
            "def f(items: List[int], weights: Dict[str, int], flag: bool, count: int, ratio: float, text: str):",
            "    assert items == ['1', 2] and flag is False and count == 5 and ratio == 2.0 and text == '7'",
            "    return Out(total=count, ok=flag)",
          ].join("\n"),
        },
        { python: "/usr/bin/python3" },
      );
      const parameters = { items: ["1", 2], weights: { a: 1 }, flag: "false", count: "5", ratio: 2, text: 7 };
      const outcome = await runner.run(invocation(dir, taskNode("pkg.plain.f"), parameters).invocation);
      expect(outcome).toEqual({ parameters: { total: 5, ok: false }, metrics: [] });
    },
  );
});

describe("python task runner: check()", () => {
  it("accepts a function defined in a module under the working directory", async () => {
    const { dir, runner } = await setup({ "pkg/m.py": "def f():\n    pass\n" });
    expect(await runner.check!(taskNode("pkg.m.f"), dir)).toEqual([]);
    expect(await runner.check!(taskNode("json.decoder.somewhere"), dir)).toEqual([]);
  });

  it("asks the interpreter about a module found nowhere under the working directory", async () => {
    const { dir, runner } = await setup({ "pkg/__init__.py": "", "pkg/m.py": "def f():\n    pass\n", "nspkg/x.txt": "" });
    expect((await runner.check!(taskNode("installed_elsewhere.mod.f"), dir)).join("\n")).toMatch(
      /module installed_elsewhere\.mod not found: .* cannot import "installed_elsewhere" \(check the spelling, or install it: \S+ -m pip install installed_elsewhere\)/,
    );
    expect((await runner.check!(taskNode("pkg.other.f"), dir)).join("\n")).toMatch(
      /module pkg\.other not found: neither pkg\/other\.py nor pkg\/other\/__init__\.py exists/,
    );
    expect(await runner.check!(taskNode("nspkg.mod.f"), dir)).toEqual([]);
  });

  it("accepts a module in a folder whose name is no identifier (runnable 0.50's examples/09-retry/linear.py)", async () => {
    const { dir, runner } = await setup({ "examples/09-retry/linear.py": "def check_envvar():\n    pass\n" });
    expect(await runner.check!(taskNode("examples.09-retry.linear.check_envvar"), dir)).toEqual([]);
    expect((await runner.check!(taskNode("examples.09-retry.linear.no-such"), dir)).join("\n")).toMatch(/The command should be a function/);
  });

  it.each([
    ["echo hello", /The command should be a function to call as package.module.function, got "echo hello"/],
    ["justname", /The command should be a function/],
    ["pkg.m.missing", /module pkg.m \(pkg\/m.py\) has no function "missing"/],
  ])("rejects %s", async (command, message) => {
    const { dir, runner } = await setup({ "pkg/m.py": "def f():\n    pass\n" });
    expect((await runner.check!(taskNode(command), dir)).join("\n")).toMatch(message);
  });

  it("reports a missing interpreter once, naming RUNNABLE_PYTHON", async () => {
    const { dir, runner } = await setup({ "pkg/m.py": "def f():\n    pass\n" }, { python: "python-does-not-exist" });
    expect((await runner.check!(taskNode("pkg.m.f"), dir)).join("\n")).toMatch(/"python-does-not-exist" not found; install Python 3/);
  });
});
