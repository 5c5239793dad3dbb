import { describe, expect, it } from "vitest";
import type { ContentWriter } from "../ports/catalog.js";
import { ExecutionLog, LIVE_LINES, TAIL_LINES } from "./execution-log.js";

function memoryWriter(): ContentWriter & { text(): string } {
  const parts: Buffer[] = [];
  return {
    get bytes() {
      return parts.reduce((sum, part) => sum + part.length, 0);
    },
    write: (chunk) => void parts.push(Buffer.from(chunk)),
    commit: async () => [],
    abort: async () => undefined,
    text: () => Buffer.concat(parts).toString("utf8"),
  };
}

function setup(secrets: string[] = []) {
  const writer = memoryWriter();
  const shown: string[] = [];
  let truncated = 0;
  const log = new ExecutionLog(writer, () => new Set(secrets), { line: (_s, text) => shown.push(text), truncated: (n) => (truncated = n) });
  return { writer, log, shown, truncatedAt: () => truncated };
}

describe("ExecutionLog", () => {
  it("passes output through unchanged when there is nothing to mask, and shows it line by line", () => {
    const { writer, log, shown } = setup();
    log.write("stdout", Buffer.from("one\ntw"));
    log.write("stderr", Buffer.from("err\n"));
    log.write("stdout", Buffer.from("o\n"));
    log.flush();
    expect(writer.text()).toBe("one\ntwerr\no\n");
    expect(shown).toEqual(["one", "err", "two"]);
  });

  it("masks a secret split across chunks, one byte at a time", () => {
    const { writer, log, shown } = setup(["s3cr3t-value"]);
    for (const byte of Buffer.from("before s3cr3t-value after\nand s3cr3t-value\n")) log.write("stdout", Buffer.from([byte]));
    log.flush();
    expect(writer.text()).toBe("before *** after\nand ***\n");
    expect(shown).toEqual(["before *** after", "and ***"]);
    expect(writer.text()).not.toContain("s3cr3t");
  });

  it("masks overlapping and repeated secrets, and a secret at the very end without a newline", () => {
    const { writer, log } = setup(["abc", "abcdef"]);
    log.write("stdout", Buffer.from("xxabcde"));
    log.write("stdout", Buffer.from("fyyabcabc"));
    log.flush();
    expect(writer.text()).toBe("xx***yy******");
  });

  it("keeps multi-byte characters whole across chunk boundaries", () => {
    const { writer, log, shown } = setup(["ü-secret"]);
    const bytes = Buffer.from("grüße ü-secret ☃\n");
    for (let i = 0; i < bytes.length; i += 3) log.write("stdout", bytes.subarray(i, i + 3));
    log.flush();
    expect(writer.text()).toBe("grüße *** ☃\n");
    expect(shown).toEqual(["grüße *** ☃"]);
  });

  it("shows the first lines live, then only counts, and ends with the last lines", () => {
    const { writer, log, shown, truncatedAt } = setup();
    const total = LIVE_LINES + 1_000;
    for (let i = 0; i < total; i++) log.write("stdout", Buffer.from(`line ${i}\n`));
    log.flush();
    expect(shown).toHaveLength(LIVE_LINES);
    expect(truncatedAt()).toBe(LIVE_LINES);
    const ending = log.ending();
    expect(ending.omittedLines).toBe(1_000);
    expect(ending.lines).toEqual(Array.from({ length: TAIL_LINES }, (_, i) => `line ${total - TAIL_LINES + i}`));
    expect(writer.text().split("\n")).toHaveLength(total + 1);
  });

  it("copes with one huge line without newlines in linear time and bounded memory", () => {
    const { writer, log, shown } = setup(["needle-secret"]);
    const chunk = Buffer.alloc(64 * 1024, "a");
    const started = performance.now();
    for (let i = 0; i < 800; i++) log.write("stdout", chunk);
    log.write("stdout", Buffer.from("needle-secret"));
    log.flush();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(writer.bytes).toBe(800 * chunk.length + 3);
    expect(shown).toHaveLength(1);
    expect(shown[0]!.length).toBeLessThanOrEqual(1_001);
  });
});
