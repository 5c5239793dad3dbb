/**
 * Parses what a POSIX shell's `export -p` prints (dash, ash and zsh: `export NAME='v'` with `'"'"'`
 * for quotes; bash: `export NAME="v"` or `$'...'`, `declare -x` outside POSIX mode) into NAME → value.
 * Values may hold newlines, quotes and `=`; names that are exported without a value are left out.
 */
export function parseExportDump(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  const reader = new WordReader(text);
  for (let words = reader.line(); words !== undefined; words = reader.line()) {
    const assignment = assignmentOf(words);
    if (assignment) env[assignment[0]] = assignment[1];
  }
  return env;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `[name, value]` of `export NAME=value` or `declare -x NAME=value`, else undefined. */
function assignmentOf(words: string[]): [string, string] | undefined {
  const [command, ...rest] = words;
  if (command === "declare" || command === "typeset")
    rest.shift(); // the -x flags
  else if (command !== "export") return undefined;
  const word = rest[0];
  const at = word?.indexOf("=") ?? -1;
  if (word === undefined || at <= 0 || !NAME.test(word.slice(0, at))) return undefined;
  return [word.slice(0, at), word.slice(at + 1)];
}

const ANSI_C: Record<string, string> = {
  a: "\x07",
  b: "\b",
  e: "\x1b",
  E: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "?": "?",
};

/** Reads shell words with their quoting removed, one command line at a time. */
class WordReader {
  private at = 0;
  constructor(private readonly text: string) {}

  /** The words of the next command line (undefined at the end of the text). */
  line(): string[] | undefined {
    if (this.at >= this.text.length) return undefined;
    const words: string[] = [];
    for (;;) {
      while (this.text[this.at] === " " || this.text[this.at] === "\t") this.at++;
      if (this.at >= this.text.length || this.text[this.at] === "\n") {
        this.at++;
        return words;
      }
      words.push(this.word());
    }
  }

  private word(): string {
    const { text } = this;
    let word = "";
    while (this.at < text.length) {
      const char = text[this.at]!;
      if (char === " " || char === "\t" || char === "\n") break;
      if (char === "'") word += this.until("'");
      else if (char === '"') word += this.doubleQuoted();
      else if (char === "$" && text[this.at + 1] === "'") {
        this.at++;
        word += this.ansiC();
      } else if (char === "\\") {
        const next = text[this.at + 1] ?? "";
        word += next === "\n" ? "" : next;
        this.at += 2;
      } else {
        word += char;
        this.at++;
      }
    }
    return word;
  }

  /** A single-quoted part (`at` on the opening quote). */
  private until(quote: string): string {
    const end = this.text.indexOf(quote, this.at + 1);
    const stop = end < 0 ? this.text.length : end;
    const part = this.text.slice(this.at + 1, stop);
    this.at = stop + 1;
    return part;
  }

  /** A double-quoted part: backslash escapes only `$`, backquote, `"`, `\` and a newline. */
  private doubleQuoted(): string {
    const { text } = this;
    let part = "";
    for (this.at++; this.at < text.length && text[this.at] !== '"'; this.at++) {
      const char = text[this.at]!;
      const next = text[this.at + 1] ?? "";
      if (char === "\\" && '$`"\\\n'.includes(next)) {
        part += next === "\n" ? "" : next;
        this.at++;
      } else part += char;
    }
    this.at++;
    return part;
  }

  /** A `$'...'` part (`at` on the quote): C escapes, where octal and `\x` escapes are bytes (of UTF-8 text). */
  private ansiC(): string {
    const { text } = this;
    const bytes: number[] = [];
    for (this.at++; this.at < text.length && text[this.at] !== "'"; this.at++) {
      if (text[this.at] === "\\") {
        bytes.push(...this.escape());
        continue;
      }
      const char = String.fromCodePoint(text.codePointAt(this.at)!);
      bytes.push(...Buffer.from(char, "utf8"));
      this.at += char.length - 1;
    }
    this.at++;
    return new TextDecoder().decode(new Uint8Array(bytes));
  }

  /** The bytes of one escape of a `$'...'` part (`at` on the backslash; left on its last character). */
  private escape(): number[] {
    const { text } = this;
    const kind = text[++this.at] ?? "";
    const digits = (pattern: RegExp, max: number): string => {
      let found = "";
      while (found.length < max && pattern.test(text[this.at + 1] ?? "")) found += text[++this.at];
      return found;
    };
    const utf8 = (value: string): number[] => [...Buffer.from(value, "utf8")];
    if (kind in ANSI_C) return utf8(ANSI_C[kind]!);
    if (/[0-7]/.test(kind)) return [parseInt(kind + digits(/[0-7]/, 2), 8) & 0xff];
    if (kind === "x") {
      const hex = digits(/[0-9a-fA-F]/, 2);
      return hex ? [parseInt(hex, 16)] : utf8("\\x");
    }
    if (kind === "u" || kind === "U") {
      const hex = digits(/[0-9a-fA-F]/, kind === "u" ? 4 : 8);
      return hex ? utf8(String.fromCodePoint(parseInt(hex, 16))) : utf8(`\\${kind}`);
    }
    if (kind === "c") return [(text[++this.at] ?? "@").charCodeAt(0) & 0x1f];
    return utf8(`\\${kind}`);
  }
}
