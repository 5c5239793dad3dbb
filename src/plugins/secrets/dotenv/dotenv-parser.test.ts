import { describe, expect, it } from "vitest";
import { parseDotenv, parseDotenvLine } from "./dotenv-parser.js";

const valueOfLine = (line: string): unknown => {
  const result = parseDotenvLine(line);
  return "key" in result ? result.value : result;
};
const keyOf = (line: string): unknown => {
  const result = parseDotenvLine(line);
  return "key" in result ? result.key : result;
};
const errorOf = (line: string): string => {
  const result = parseDotenvLine(line);
  if (!("error" in result)) throw new Error(`expected an error for ${line}, got ${JSON.stringify(result)}`);
  return result.error;
};

describe("parseDotenvLine: keys", () => {
  it.each([
    ["KEY=value", "KEY"],
    ["key = value", "key"],
    ["  key\t=value", "key"],
    ["export KEY=value", "KEY"],
    ["export   KEY=value", "KEY"],
    ["EXPORT KEY=value", "KEY"],
    ["set KEY=value", "KEY"],
    ["SET KEY=value", "KEY"],
    ["settings=1", "settings"],
    ["exported=1", "exported"],
    ["export=1", "export"],
    ["export =1", "export"],
    ["set=1", "set"],
    ["my.secret-name_2=1", "my.secret-name_2"],
  ])("%j defines key %j", (line, key) => {
    expect(keyOf(line)).toBe(key);
  });

  it("keeps the case of keys", () => {
    expect(parseDotenv("Key=1\nKEY=2").values).toEqual(
      new Map([
        ["Key", "1"],
        ["KEY", "2"],
      ]),
    );
  });
});

describe("parseDotenvLine: unquoted values", () => {
  it.each([
    ["kv_style=value # comment", "value"],
    ["a=b=c", "b=c"],
    ["url=postgres://u:p@h/db?x=1&y=2", "postgres://u:p@h/db?x=1&y=2"],
    ["pw=p#ss", "p#ss"],
    ["pw=#leading", "#leading"],
    ["pw= #leading", "#leading"],
    ["k=value\t# tab comment", "value"],
    ["k=  spaced value  ", "spaced value"],
    ["k=", ""],
    ["k= ", ""],
    ["k=a 'b' \"c\"", "a 'b' \"c\""],
    ["k=back\\slash", "back\\slash"],
    ["k=naïve ✓", "naïve ✓"],
  ])("%j has value %j", (line, value) => {
    expect(valueOfLine(line)).toBe(value);
  });
});

describe("parseDotenvLine: quoted values", () => {
  it.each([
    ['export shell_type="shell type secret" # (1)', "shell type secret"],
    ['k="with # hash"', "with # hash"],
    ['k="a=b"', "a=b"],
    ['k="line1\\nline2"', "line1\nline2"],
    ['k="tab\\there"', "tab\there"],
    ['k="cr\\r"', "cr\r"],
    ['k="say \\"hi\\""', 'say "hi"'],
    ['k="back\\\\slash"', "back\\slash"],
    ['k="unknown \\q escape"', "unknown \\q escape"],
    ['k="  keep spaces  "', "  keep spaces  "],
    ['k=""', ""],
    ['k="x"#comment', "x"],
    ["q='sq'", "sq"],
    ["q='literal \\n \" # $x'", 'literal \\n " # $x'],
    ["q=''", ""],
    ["q='x'   # c", "x"],
  ])("%j has value %j", (line, value) => {
    expect(valueOfLine(line)).toBe(value);
  });
});

describe("parseDotenvLine: skipped and malformed lines", () => {
  it.each(["", "   ", "\t", "# comment", "   # indented comment", "#KEY=value"])("skips %j", (line) => {
    expect(parseDotenvLine(line)).toEqual({ skip: true });
  });

  it.each([
    ["just text", "expected KEY=value"],
    ["export KEY", "expected KEY=value"],
    ["=value", "the name before = is empty"],
    ["two words=x", 'invalid secret name "two words"'],
    ['"quoted"=x', "invalid secret name"],
    ['k="unterminated', "unterminated double-quoted value"],
    ['k="ends with backslash\\"', "unterminated double-quoted value"],
    ["k='unterminated", "unterminated single-quoted value"],
    ['k="a" b', 'unexpected text after the closing quote: "b"'],
    ["k='a'b", 'unexpected text after the closing quote: "b"'],
  ])("rejects %j", (line, message) => {
    expect(errorOf(line)).toContain(message);
  });

  it("points the column at the problem", () => {
    expect(parseDotenvLine('  k = "a" junk')).toMatchObject({ col: 11 });
    expect(parseDotenvLine("  export nope")).toMatchObject({ col: 10 });
    expect(parseDotenvLine("k='open")).toMatchObject({ col: 3 });
  });
});

describe("parseDotenv", () => {
  it("parses a whole file with comments, blank lines, CRLF and a BOM", () => {
    const text = "\uFEFF# secrets\r\nexport A=1\r\n\r\nB=\"two # not a comment\" # comment\r\nC='3'\n";
    const { values, problems } = parseDotenv(text, ".env");
    expect(problems).toEqual([]);
    expect(values).toEqual(
      new Map([
        ["A", "1"],
        ["B", "two # not a comment"],
        ["C", "3"],
      ]),
    );
  });

  it("lets a later line win", () => {
    expect(parseDotenv("A=1\nA=2").values.get("A")).toBe("2");
  });

  it("reports every malformed line with file and line", () => {
    const { values, problems } = parseDotenv("A=1\nbroken\nB=2\nC='x\n", "conf/.env");
    expect(values).toEqual(
      new Map([
        ["A", "1"],
        ["B", "2"],
      ]),
    );
    expect(problems).toEqual([
      { message: "expected KEY=value", file: "conf/.env", line: 2, col: 1 },
      { message: expect.stringContaining("unterminated single-quoted"), file: "conf/.env", line: 4, col: 3 },
    ]);
  });

  it("treats an empty file as no secrets", () => {
    expect(parseDotenv("")).toEqual({ values: new Map(), problems: [] });
  });

  it("does not confuse prototype names with secrets", () => {
    const { values } = parseDotenv("__proto__=x\nconstructor=y");
    expect(values.get("__proto__")).toBe("x");
    expect(values.get("constructor")).toBe("y");
    expect(values.get("toString")).toBeUndefined();
  });
});
