import { mkdir, symlink, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, scratchDir } from "./helpers/cli.js";
import { type UiProcess, startUi } from "./helpers/ui-server.js";

// The run browser's HTTP API as a client sees it: read-only, every path kept inside the store and the
// catalog, loopback by default, a token otherwise. A real server over runs made by the real CLI.

let dir = "";
let cleanup: () => Promise<void> = async () => undefined;
let ui: UiProcess;

/** A raw GET (no URL normalisation by a client library), returning status and body. */
function rawGet(
  base: string,
  path: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir());
  const run = await runCli(["execute", "-q", "-f", "examples/quickstart/pipeline.yaml", "--run-id", "quick-1"], { cwd: dir });
  expect(run.code).toBe(0);
  // A secret outside the catalog, and a link inside the run's catalog folder that points at it.
  await writeFile(join(dir, "secret.txt"), "TOP-SECRET");
  await mkdir(join(dir, "outside"), { recursive: true });
  await writeFile(join(dir, "outside", "other.txt"), "TOP-SECRET");
  await symlink(join(dir, "secret.txt"), join(dir, ".catalog", "quick-1", "link-out.txt"));
  await symlink(join(dir, "outside"), join(dir, ".catalog", "quick-1", "dir-out"));
  ui = await startUi(dir);
}, 60_000);

afterAll(async () => {
  await ui?.stop();
  await cleanup();
});

describe("runnable ui HTTP API", () => {
  it("serves the app, the runs list and a stored catalog file", async () => {
    const home = await rawGet(ui.base, "/");
    expect(home.status).toBe(200);
    expect(home.body).toContain('<div id="app">');
    expect(home.headers["content-security-policy"]).toContain("default-src 'self'");
    const list = JSON.parse((await rawGet(ui.base, "/api/runs?wait=5000")).body);
    expect(list.runs.map((r: { run_id: string }) => r.run_id)).toEqual(["quick-1"]);
    expect(list.runs[0].metrics).toEqual({ running_mean: 50.5, mean: 50.5, max: 100 });
    const paged = JSON.parse((await rawGet(ui.base, "/api/runs?offset=1&limit=1")).body);
    expect([paged.total, paged.matched, paged.offset, paged.runs.length]).toEqual([1, 1, 1, 0]);
    const file = await rawGet(ui.base, "/api/runs/quick-1/file?name=data%2Fnumbers.txt");
    expect(file.status).toBe(200);
    expect(file.headers["content-disposition"]).toBe('attachment; filename="numbers.txt"');
    expect(file.body.split("\n")[99]).toBe("100");
  });

  it.each([
    ["parent segments", "/api/runs/quick-1/file?name=..%2F..%2Fsecret.txt"],
    ["parent segments inside", "/api/runs/quick-1/file?name=data%2F..%2F..%2F..%2Fsecret.txt"],
    ["an absolute path", "/api/runs/quick-1/file?name=%2Fetc%2Fpasswd"],
    ["a double-encoded walk", "/api/runs/quick-1/file?name=%252e%252e%252f%252e%252e%252fsecret.txt"],
    ["an encoded walk left encoded", "/api/runs/quick-1/file?name=%2e%2e%2fsecret.txt"],
    ["backslashes", "/api/runs/quick-1/file?name=..%5C..%5Csecret.txt"],
    ["a NUL byte", "/api/runs/quick-1/file?name=data%2Fnumbers.txt%00.png"],
    ["a link leading out of the catalog", "/api/runs/quick-1/file?name=link-out.txt"],
    ["a folder link leading out of the catalog", "/api/runs/quick-1/file?name=dir-out%2Fother.txt"],
    ["the log viewer with a walk", "/api/runs/quick-1/log?name=..%2F..%2Fsecret.txt"],
    ["the log viewer through a link", "/api/runs/quick-1/log?name=link-out.txt"],
    ["a run id that walks up", "/api/runs/..%2F..%2Fsecret/file?name=secret.txt"],
    ["a run id that walks up (log)", "/api/runs/..%2F.catalog/log?name=quick-1%2Fdata%2Fnumbers.txt"],
    ["a static path that walks up", "/../package.json"],
    ["an encoded static walk", "/assets/..%2F..%2F..%2Fpackage.json"],
  ])("refuses %s without revealing anything", async (_what, path) => {
    const answer = await rawGet(ui.base, path);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body).not.toContain("TOP-SECRET");
    expect(answer.body).not.toContain('"name": "runnable-ts"');
  });

  it("is read-only: every method but GET and HEAD gets 405", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const answer = await rawGet(ui.base, "/api/runs/quick-1", {}, method);
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe("GET, HEAD");
    }
    expect((await rawGet(ui.base, "/api/runs/quick-1")).status).toBe(200);
  });

  it("answers only requests naming this server (no DNS rebinding from other sites)", async () => {
    expect((await rawGet(ui.base, "/api/runs", { Host: "evil.example" })).status).toBe(421);
    expect((await rawGet(ui.base, "/api/runs", { Host: `localhost:${new URL(ui.base).port}` })).status).toBe(200);
  });

  it("reports missing runs and steps as 404 with the store's message, bad parameters as 400", async () => {
    const missing = await rawGet(ui.base, "/api/runs/nope-1");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error.message).toContain('No run log with id "nope-1"');
    expect((await rawGet(ui.base, "/api/runs/quick-1/step?key=nothing")).status).toBe(404);
    expect((await rawGet(ui.base, "/api/runs/quick-1/step?key=generate&loc=notjson")).status).toBe(400);
    expect((await rawGet(ui.base, "/api/runs?limit=-1")).status).toBe(400);
  });

  it("answers an unchanged run page with 304 to a poll that sends its ETag", async () => {
    const first = await rawGet(ui.base, "/api/runs/quick-1");
    const again = await rawGet(ui.base, "/api/runs/quick-1", { "If-None-Match": String(first.headers.etag) });
    expect(again.status).toBe(304);
  });
});

describe("runnable ui on a non-loopback host", () => {
  it("requires the token it prints, then keeps it in an HttpOnly cookie", async () => {
    const open = await startUi(dir, ["--host", "0.0.0.0"]);
    try {
      const token = /access token: (\S+)/.exec(open.output())?.[1];
      expect(token).toBeTruthy();
      expect(open.url).toBe(`${open.base}/?token=${token}`);
      const base = `http://127.0.0.1:${new URL(open.base).port}`;
      expect((await rawGet(base, "/api/runs")).status).toBe(401);
      expect((await rawGet(base, "/")).status).toBe(401);
      expect((await rawGet(base, "/api/runs?token=wrong")).status).toBe(401);
      const entry = await rawGet(base, `/?token=${token}`);
      expect(entry.status).toBe(303);
      const cookie = String((entry.headers["set-cookie"] as string[])[0]);
      expect(cookie).toContain("HttpOnly");
      const withCookie = await rawGet(base, "/api/runs", { Cookie: cookie.split(";")[0]! });
      expect(withCookie.status).toBe(200);
      expect((await rawGet(base, "/api/runs", { Authorization: `Bearer ${token}` })).status).toBe(200);
    } finally {
      await open.stop();
    }
  });

  it("refuses a bad port with exit 2 and a hint", async () => {
    const result = await runCli(["ui", "--port", "99999"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--port must be a whole number from 0 to 65535");
    expect(result.stderr).not.toContain("    at ");
  });
});
