import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseExportDump } from "./export-dump.js";

// Values that break naive parsing: newlines, both quotes, `=`, `$`, backslashes, control characters,
// a line that looks like another export, non-ASCII text and an empty value.
const VALUES: Record<string, string> = {
  RUNNABLE_PRM_multi: "line one\nline two\n",
  RUNNABLE_PRM_quotes: `it's "quoted" 'twice'`,
  RUNNABLE_PRM_equals: "a=b==c",
  RUNNABLE_PRM_dollar: "$HOME `cmd` $(x) \\n \\",
  RUNNABLE_PRM_fake: "x'\nexport RUNNABLE_PRM_injected='no",
  RUNNABLE_PRM_control: "tab\there\x01bell\x07esc\x1b",
  RUNNABLE_PRM_json: JSON.stringify({ a: [1, "two"], b: { "c d": null } }),
  RUNNABLE_PRM_unicode: "naïve — 日本 🎉",
  RUNNABLE_PRM_empty: "",
};

function dumpWith(shell: string, args: string[]): string {
  return execFileSync(shell, [...args, "export -p"], { env: { ...VALUES, PATH: process.env["PATH"] ?? "" }, encoding: "utf8" });
}

const SHELLS: [string, string, string[]][] = [
  ["dash (/bin/sh)", "/bin/sh", ["-c"]],
  ["bash --posix", "/bin/bash", ["--norc", "--posix", "-c"]],
  ["bash (declare -x)", "/bin/bash", ["--norc", "-c"]],
  ["busybox ash", "/bin/busybox", ["sh", "-c"]],
];

describe("parseExportDump: export -p of real shells", () => {
  for (const [name, shell, args] of SHELLS) {
    it.skipIf(!existsSync(shell))(`${name} (skipped when ${shell} is not installed)`, () => {
      const parsed = parseExportDump(dumpWith(shell, args));
      for (const [key, value] of Object.entries(VALUES)) expect(parsed[key], key).toBe(value);
      expect(parsed["RUNNABLE_PRM_injected"]).toBeUndefined();
    });
  }

  it("leaves out names exported without a value and anything that is not an export", () => {
    expect(parseExportDump("export A\nexport B='1'\nreadonly C='2'\ndeclare -x D=\"3\"\n")).toEqual({ B: "1", D: "3" });
  });

  it("decodes bash's $'...' escapes (octal and hex ones are UTF-8 bytes)", () => {
    expect(parseExportDump("export A=$'na\\303\\257ve \\xe2\\x80\\x94 🎉\\n'\n")).toEqual({ A: "naïve — 🎉\n" });
    expect(parseExportDump("export A=$'a\\nb\\t\\x41\\101\\u00e9\\'q\\\\'\n")).toEqual({ A: "a\nb\tAAé'q\\" });
  });
});
