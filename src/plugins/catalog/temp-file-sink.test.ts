import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { openTempFileSink } from "./temp-file-sink.js";

// A full disk, simulated: writeSync throws ENOSPC while `disk.full` is set.
const disk = vi.hoisted(() => ({ full: false }));
vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>();
  const writeSync = ((...args: Parameters<typeof actual.writeSync>) => {
    if (disk.full) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    return (actual.writeSync as (...a: unknown[]) => number)(...args);
  }) as typeof actual.writeSync;
  return { ...actual, default: { ...actual, writeSync }, writeSync };
});

describe("temp file sink", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "runnable-sink-"));

  it("writes an owner-only file and removes it", async () => {
    const sink = openTempFileSink(path.join(dir, "a"));
    expect(sink.write(Buffer.from("hello "))).toBe(true);
    expect(sink.write(Buffer.from("world"))).toBe(true);
    sink.close();
    expect(readFileSync(sink.path, "utf8")).toBe("hello world");
    expect(statSync(sink.path).mode & 0o777).toBe(0o600);
    expect(sink.bytes).toBe(11);
    await sink.remove();
    expect(existsSync(sink.path)).toBe(false);
  });

  it("keeps a write that failed (a full disk) instead of throwing, and writes nothing after it", async () => {
    const sink = openTempFileSink(path.join(dir, "b"));
    expect(sink.write(Buffer.from("kept "))).toBe(true);
    disk.full = true;
    expect(() => sink.write(Buffer.from("lost"))).not.toThrow();
    disk.full = false;
    expect((sink.failure as NodeJS.ErrnoException).code).toBe("ENOSPC");
    expect(sink.write(Buffer.from("more"))).toBe(false);
    sink.close();
    expect(readFileSync(sink.path, "utf8")).toBe("kept ");
    expect(sink.bytes).toBe(13);
    await sink.remove();
  });

  it("refuses a file that already exists", () => {
    const file = path.join(dir, "c");
    openTempFileSink(file).close();
    expect(() => openTempFileSink(file)).toThrow(/EEXIST/);
  });
});
