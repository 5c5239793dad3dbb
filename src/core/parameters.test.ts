import { describe, expect, it } from "vitest";
import { encodeEnvValue, parametersFromEnv, plainEnvValue, pythonStr } from "./parameters.js";

// How parameters travel in the environment, byte for byte as runnable writes them (checked against
// Python: json.dumps(value) and str(value)).
describe("environment encodings", () => {
  const cases: Array<[value: unknown, json: string, plain: string, str: string]> = [
    [1, "1", "1", "1"],
    [3.14, "3.14", "3.14", "3.14"],
    [true, "true", "true", "True"],
    [null, "null", "null", "None"],
    ["hello", '"hello"', "hello", "hello"],
    ["naïve", '"na\\u00efve"', "naïve", "naïve"],
    [[1, "a"], '[1, "a"]', '[1, "a"]', "[1, 'a']"],
    [{ x: 10, foo: "bar" }, '{"x": 10, "foo": "bar"}', '{"x": 10, "foo": "bar"}', "{'x': 10, 'foo': 'bar'}"],
    [{ "it's": ['"q"'] }, '{"it\'s": ["\\"q\\""]}', '{"it\'s": ["\\"q\\""]}', `{"it's": ['"q"']}`],
  ];
  it.each(cases)("%j: RUNNABLE_PRM_ %s, plain %s, map item %s", (value, json, plain, str) => {
    expect(encodeEnvValue(value)).toBe(json);
    expect(plainEnvValue(value)).toBe(plain);
    expect(pythonStr(value)).toBe(str);
    expect(parametersFromEnv({ RUNNABLE_PRM_v: encodeEnvValue(value) })).toEqual({ v: value });
  });
});
