import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { dagHash } from "./dag-hash.js";
import { loadPipelineFile } from "./load-pipeline.js";
import { pyFloat, pythonFloat, pythonJsonDumps } from "../source/python-json.js";

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");

// Expected values below were produced with python3: json.dumps(obj, sort_keys=True) and hashlib.sha1.
describe("pythonJsonDumps", () => {
  it("prints floats as Python's repr does", () => {
    const cases: Array<[number, string]> = [
      [1, "1.0"],
      [1e16, "1e+16"],
      [1e15, "1000000000000000.0"],
      [123456789012345680, "1.2345678901234568e+17"],
      [0.0001, "0.0001"],
      [0.00001, "1e-05"],
      [1.5e-7, "1.5e-07"],
      [-0, "-0.0"],
      [1e22, "1e+22"],
      [5e-324, "5e-324"],
      [1.7976931348623157e308, "1.7976931348623157e+308"],
      [0.1 + 0.2, "0.30000000000000004"],
      [100, "100.0"],
      [1234.5678, "1234.5678"],
      [Infinity, "Infinity"],
      [Number.NaN, "NaN"],
    ];
    for (const [value, expected] of cases) expect(pythonFloat(value)).toBe(expected);
  });

  it("escapes like ensure_ascii, including surrogate pairs and DEL", () => {
    expect(pythonJsonDumps({ k: "\x7f\x00\u2028 𝄞 \ud800" })).toBe('{"k": "\\u007f\\u0000\\u2028 \\ud834\\udd1e \\ud800"}');
  });

  it("sorts keys by code point (astral after BMP)", () => {
    expect(pythonJsonDumps({ "\uffff": 1, "\u{10000}": 2, a: 3 })).toBe('{"a": 3, "\\uffff": 1, "\\ud800\\udc00": 2}');
  });

  it("keeps ints as ints and marked floats as floats", () => {
    expect(pythonJsonDumps([1, pyFloat(1), 2.5, true, null, [], {}])).toBe("[1, 1.0, 2.5, true, null, [], {}]");
  });
});

describe("dagHash", () => {
  it("matches Python for a plain object", () => {
    const dag = { start_at: "a", steps: { a: { type: "task", command: "x.y", next: "success", max_attempts: 2, w: 0.5 } } };
    expect(dagHash(dag)).toBe("409c920c8de6ca538fa96b741e5c75dd6b3ab17a");
    expect(dagHash({ start_at: "x", steps: {} })).toBe("8fea7686047ccfa47a0c39518af0eeec03af3aac");
  });

  it("keeps YAML floats written as 1.0, hex ints, 1.2 booleans and unicode as Python does", async () => {
    const loaded = await loadPipelineFile(path.join(fixtures, "floats.yaml"));
    expect(loaded.dagHash).toBe("6783fe7652afc305271c532e6a317dcd7c734a62");
  });

  it("hashes the dag block as written (not the included files, not the added terminals)", async () => {
    expect((await loadPipelineFile(path.join(fixtures, "all-kinds.yaml"))).dagHash).toBe("62a0858b9f645051c3720c52509eb2d0f1514978");
    expect((await loadPipelineFile(path.join(fixtures, "nested.yaml"))).dagHash).toBe("9c29fb2bcdfa02e8c8aadfbed443feb96b46bb87");
  });

  it("follows anchors and merge keys as Python's loaders do", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "runnable-hash-"));
    try {
      const file = path.join(dir, "anchors.yaml");
      const text =
        "base: &common\n  type: stub\n  next: success\n  w: 1.0\ndag:\n  start_at: a\n  steps:\n    a:\n      <<: *common\n      on_failure: b\n      next: b\n    b: *common\n";
      await writeFile(file, text);
      expect((await loadPipelineFile(file)).dagHash).toBe("33100324f9c7c8f05515c230597c92ad9ea9993b");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("dagHash of a very large dag", () => {
  it("hashes a description of several megabytes as python3 does, a surrogate pair cut between the pieces escaped", () => {
    // One piece is 2^20 UTF-16 units: the emoji's two units fall on both sides of the first cut.
    const text = "é".repeat(1048575) + "😀" + 'a"\\\n'.repeat(300000);
    const dag = { description: text, start_at: "a", n: [pyFloat(1.5), 2, null] };
    expect(dagHash(dag)).toBe("13e1bf73cc0867931367afd23432ca410ff17c7e");
    expect(pythonJsonDumps(dag).length).toBeGreaterThan(6 * 1048575);
  });
});
