import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { closable } from "./io.js";

describe("closable output (issue 11 item 2: runnable runs list | head -1)", () => {
  it("stops writing once the reader is gone instead of throwing EPIPE", async () => {
    const written: string[] = [];
    let open = true;
    const stream = new Writable({
      write(chunk, _encoding, done) {
        if (!open) return done(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
        written.push(String(chunk));
        done();
      },
    });
    const out = closable(stream);
    out("first line\n");
    open = false;
    out("second line\n");
    await new Promise((resolve) => setTimeout(resolve, 10));
    out("third line\n");
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(written).toEqual(["first line\n"]);
  });

  it("still reports other write errors", () => {
    const stream = new Writable({ write: (_chunk, _encoding, done) => done() });
    closable(stream);
    expect(() => stream.emit("error", Object.assign(new Error("disk on fire"), { code: "EIO" }))).toThrow("disk on fire");
  });
});
