import type { Problem } from "../../../core/errors.js";

/** What {@link parseDotenv} found: the values (a later line wins) and every malformed line. */
export interface DotenvParseResult {
  values: Map<string, string>;
  problems: Problem[];
}

type LineResult = { key: string; value: string } | { skip: true } | { error: string; col: number };

const PREFIX = /^(?:export|EXPORT|set|SET)[ \t]+(?=[^\s=])/;
const KEY = /^[^\s"'`=#\\]+$/;
const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

/** The text after a closing quote may only be blank or a comment. */
function checkTail(tail: string, col: number): { error: string; col: number } | undefined {
  const trimmed = tail.trimStart();
  if (trimmed === "" || trimmed.startsWith("#")) return undefined;
  return { error: `unexpected text after the closing quote: ${JSON.stringify(trimmed)}`, col: col + tail.length - trimmed.length };
}

function doubleQuoted(text: string, col: number): { value: string; rest: string } | { error: string; col: number } {
  let value = "";
  for (let i = 1; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"') return { value, rest: text.slice(i + 1) };
    if (char === "\\" && i + 1 < text.length) {
      const next = text[++i]!;
      value += ESCAPES[next] ?? `\\${next}`;
    } else {
      value += char;
    }
  }
  return { error: 'unterminated double-quoted value (a closing " is missing)', col };
}

/** Parses the part after `=` (leading blanks already removed); `col` is its 1-based column. */
function parseValue(text: string, col: number): { value: string } | { error: string; col: number } {
  if (text.startsWith('"')) {
    const quoted = doubleQuoted(text, col);
    if ("error" in quoted) return quoted;
    const bad = checkTail(quoted.rest, col + text.length - quoted.rest.length);
    return bad ?? { value: quoted.value };
  }
  if (text.startsWith("'")) {
    const end = text.indexOf("'", 1);
    if (end < 0) return { error: "unterminated single-quoted value (a closing ' is missing)", col };
    const bad = checkTail(text.slice(end + 1), col + end + 1);
    return bad ?? { value: text.slice(1, end) };
  }
  const comment = /\s#/.exec(text);
  return { value: (comment ? text.slice(0, comment.index) : text).trimEnd() };
}

/** Parses one line; `line` has no terminator. */
export function parseDotenvLine(line: string): LineResult {
  const start = line.length - line.trimStart().length;
  const body = line.trim();
  if (body === "" || body.startsWith("#")) return { skip: true };
  const prefix = PREFIX.exec(body);
  const rest = prefix ? body.slice(prefix[0].length) : body;
  const restCol = start + (prefix ? prefix[0].length : 0) + 1;
  const eq = rest.indexOf("=");
  if (eq < 0) return { error: "expected KEY=value", col: restCol };
  const key = rest.slice(0, eq).trim();
  if (!KEY.test(key)) {
    const what = key === "" ? "the name before = is empty" : `invalid secret name ${JSON.stringify(key)}`;
    return { error: `${what} (names cannot contain blanks, quotes, "#" or "\\")`, col: restCol };
  }
  const afterEq = rest.slice(eq + 1);
  const valueText = afterEq.trimStart();
  const parsed = parseValue(valueText, restCol + eq + 1 + afterEq.length - valueText.length);
  return "error" in parsed ? parsed : { key, value: parsed.value };
}

/**
 * Parses a `.env` file: `[export ]KEY=value` lines, blank lines and `#` comments. Unquoted values end at
 * a blank followed by `#`; double-quoted values understand \n \r \t \" \\; single-quoted ones are literal.
 */
export function parseDotenv(text: string, file?: string): DotenvParseResult {
  const values = new Map<string, string>();
  const problems: Problem[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n|\r/);
  lines.forEach((line, index) => {
    const result = parseDotenvLine(line);
    if ("error" in result) {
      problems.push({ message: result.error, ...(file === undefined ? {} : { file }), line: index + 1, col: result.col });
    } else if ("key" in result) {
      values.set(result.key, result.value);
    }
  });
  return { values, problems };
}
