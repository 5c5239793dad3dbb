import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeValue, issueFindings, issueProblems, keysAt, type IssueWording } from "./zod-issues.js";
import { parseYamlSource } from "./yaml-source.js";

const toleration = z.strictObject({ key: z.string().optional(), effect: z.enum(["NoSchedule", "NoExecute"]).optional() });
const schema = z.strictObject({
  image: z.string().min(1),
  retries: z.int().min(0).default(0),
  resources: z
    .strictObject({ limits: z.strictObject({ memory: z.string(), cpu: z.string() }) })
    .nullish()
    .transform((value) => value ?? null),
  tolerations: z.array(toleration).optional(),
  by_name: z.record(z.string(), toleration).optional(),
  lazy: z.lazy(() => z.strictObject({ inner: z.boolean() })).optional(),
});

const wording: IssueWording = {
  unknownKey: ({ key, path, allowed }) => `unknown "${key}" in ${path.join(".") || "(top)"} [${allowed.join(",")}]`,
  missing: ({ field }) => `missing ${field.join(".")}`,
  invalid: (finding) => `bad ${finding.path.join(".")}${"value" in finding ? ` (got ${describeValue(finding.value)})` : ""}`,
};

function problemsOf(yaml: string, words: IssueWording = wording) {
  const source = parseYamlSource(yaml, "config.yaml");
  const input = (source.value as { executor: unknown }).executor;
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error("expected issues");
  return issueProblems(parsed.error.issues, { source, at: ["executor"], input, schema }, words);
}

describe("keysAt", () => {
  it("finds the keys of the object at a path, through wrappers, pipes, lazies, lists and records", () => {
    expect(keysAt(schema, [])).toEqual(["image", "retries", "resources", "tolerations", "by_name", "lazy"]);
    expect(keysAt(schema, ["resources"])).toEqual(["limits"]);
    expect(keysAt(schema, ["resources", "limits"])).toEqual(["memory", "cpu"]);
    expect(keysAt(schema, ["tolerations", 3])).toEqual(["key", "effect"]);
    expect(keysAt(schema, ["by_name", "gpu"])).toEqual(["key", "effect"]);
    expect(keysAt(schema, ["lazy"])).toEqual(["inner"]);
    expect(keysAt(z.tuple([z.string(), z.object({ a: z.string() })]), [1])).toEqual(["a"]);
  });

  it("is empty where there is no object (or no schema)", () => {
    expect(keysAt(schema, ["image"])).toEqual([]);
    expect(keysAt(schema, ["nope", "deeper"])).toEqual([]);
    expect(keysAt(undefined, [])).toEqual([]);
  });
});

describe("issueFindings", () => {
  it("tells unknown keys (one per key, with the allowed ones), absent keys and refused values apart", () => {
    const input = { retries: "x", tolerations: [{ efect: "NoSchedule", keyy: "a" }] };
    const parsed = schema.safeParse(input);
    const findings = issueFindings(parsed.error!.issues, input, schema, ["executor", "config"]);
    expect(findings.map((f) => [f.kind, f.path.join("."), "key" in f ? f.key : "", "value" in f ? f.value : undefined])).toEqual([
      ["missing", "executor.config.image", "", undefined],
      ["invalid", "executor.config.retries", "", "x"],
      ["unknown-key", "executor.config.tolerations.0", "efect", undefined],
      ["unknown-key", "executor.config.tolerations.0", "keyy", undefined],
    ]);
    expect(findings[2]).toMatchObject({ field: ["tolerations", 0], allowed: ["key", "effect"] });
  });

  it("reads only own keys when telling an absent key from a refused value", () => {
    const parsed = z.object({ toString: z.string() }).safeParse({});
    expect(issueFindings(parsed.error!.issues, {}).map((f) => f.kind)).toEqual(["missing"]);
  });

  it("takes issues of any validator with zod's safeParse shape (no code)", () => {
    const issues = [{ path: ["lr"], message: "must be a number" }];
    expect(issueFindings(issues, { lr: "x" })).toEqual([{ kind: "invalid", issue: issues[0], field: ["lr"], path: ["lr"], value: "x" }]);
  });
});

describe("issueProblems", () => {
  it("places unknown keys at the key, absent keys at their mapping, refused values at the value", () => {
    const yaml = ["executor:", "  retries: x", "  tolerations:", "    - efect: NoSchedule", "  resources:", "    limits: {memory: 1Gi, cpus: 2}", ""].join(
      "\n",
    );
    expect(problemsOf(yaml)).toEqual([
      { message: "missing image", file: "config.yaml", line: 1, col: 1, path: "executor" },
      { message: 'bad executor.retries (got "x")', file: "config.yaml", line: 2, col: 12, path: "executor.retries" },
      { message: "missing resources.limits.cpu", file: "config.yaml", line: 6, col: 5, path: "executor.resources.limits" },
      {
        message: 'unknown "cpus" in executor.resources.limits [memory,cpu]',
        file: "config.yaml",
        line: 6,
        col: 27,
        path: "executor.resources.limits.cpus",
      },
      { message: 'unknown "efect" in executor.tolerations.0 [key,effect]', file: "config.yaml", line: 4, col: 7, path: "executor.tolerations.0.efect" },
    ]);
  });

  it("words absent keys as refused values, at the key when asked, without a `missing` wording", () => {
    const { missing: _missing, ...words } = wording;
    const problems = problemsOf("executor:\n  retries: -1\n", { ...words, invalidAt: "key" });
    expect(problems).toEqual([
      { message: "bad executor.image", file: "config.yaml", line: 1, col: 1, path: "executor.image" },
      { message: "bad executor.retries (got -1)", file: "config.yaml", line: 2, col: 3, path: "executor.retries" },
    ]);
  });

  it("gives plain objects problems with paths only", () => {
    const parsed = schema.safeParse({ image: 5 });
    const problems = issueProblems(parsed.error!.issues, { source: {}, at: [], input: { image: 5 } }, wording);
    expect(problems).toEqual([{ message: "bad image (got 5)", path: "image" }]);
  });
});

describe("describeValue", () => {
  it("describes values for messages", () => {
    expect([undefined, null, [1], { a: 1 }, "x", 3, true].map(describeValue)).toEqual(["nothing", "an empty value", "a list", "a mapping", '"x"', "3", "true"]);
    expect(describeValue("y".repeat(70))).toBe(`"${"y".repeat(57)}..."`);
  });
});
