// Issue 11, item 18: a body that stalls after the headers is a timeout (against a real local HTTP
// server), MLFLOW_TRACKING_URI, the run's parameters as MLflow params, the MLflow run's address.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createMlflowClient, mlflowFailureOf } from "./mlflow-client.js";
import { mlflowTrackerPlugin } from "./index.js";
import { createMlflowTracker } from "./mlflow.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  server = undefined;
});

/** A tiny HTTP server on 127.0.0.1 answering every request with `handle`. */
async function serve(handle: (request: IncomingMessage, response: ServerResponse, body: string) => void): Promise<string> {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => handle(request, response, body));
  });
  await new Promise<void>((done) => server!.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("MLflow over a real HTTP connection", () => {
  it("a body that stalls after the headers is a timeout: one attempt, within the timeout, never an empty answer", async () => {
    let requests = 0;
    const url = await serve((_request, response) => {
      requests++;
      response.writeHead(200, { "content-type": "application/json" });
      response.write('{"run": {"info"'); // ...and nothing more
    });
    // A generous timeout: on a loaded machine the headers themselves can take a few hundred ms to arrive.
    const client = createMlflowClient({ serverUrl: url, timeoutMs: 1_500, attempts: 3, backoffMs: 1 });
    const started = Date.now();
    const error = await client.createRun({ experimentId: "0", runName: "r", startTime: 0, tags: [] }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ code: "TRACKER_ERROR", message: expect.stringContaining("stalled") });
    expect(mlflowFailureOf(error)).toMatchObject({ kind: "unavailable" });
    expect(requests).toBe(1);
    expect(elapsed).toBeLessThan(1_500 * 2);
  });

  it("the tracker turns a stalled server into one warning and never fails the run", async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write("{");
    });
    const warnings: string[] = [];
    const tracker = createMlflowTracker({ server_url: url, timeout_ms: 200 }, { cwd: "/", env: {}, warn: (m) => warnings.push(m) });
    const started = Date.now();
    await tracker.startRun({ runId: "r1", tag: "", pipelineName: "p", gitCommit: null, parameters: { lr: 0.1 } });
    await tracker.publish("train", [{ key: "loss", step: 0, value: 0.5, time_ms: 1 }]);
    await tracker.endRun("SUCCESS");
    expect(Date.now() - started).toBeLessThan(200 * 3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/unreachable .*stalled/);
    expect(tracker.runUrl?.()).toBeUndefined();
  });

  it("an answer that is not an MLflow object is rejected with a clear message", async () => {
    const url = await serve((_request, response) => response.end("[1, 2]"));
    const client = createMlflowClient({ serverUrl: url, timeoutMs: 500 });
    await expect(client.createExperiment("x")).rejects.toThrow(/not a JSON object; is the server_url an MLflow tracking server/);
    const empty = await serve((_request, response) => response.end(""));
    await expect(createMlflowClient({ serverUrl: empty }).createRun({ experimentId: "0", runName: "r", startTime: 0, tags: [] })).rejects.toThrow(
      /holds no run/,
    );
  });

  it("logs the run's parameters as MLflow params and knows the run's address", async () => {
    const seen: { path: string; body: Record<string, unknown> }[] = [];
    const url = await serve((request, response, body) => {
      const path = (request.url ?? "").replace(/^\/api\/2\.0\/mlflow\//, "").replace(/\?.*$/, "");
      seen.push({ path, body: body ? (JSON.parse(body) as Record<string, unknown>) : {} });
      const answers: Record<string, unknown> = {
        "experiments/get-by-name": { experiment: { experiment_id: "4", name: "Default" } },
        "runs/search": { runs: [] },
        "runs/create": { run: { info: { run_id: "abc", experiment_id: "4", status: "RUNNING" }, data: {} } },
      };
      response.end(JSON.stringify(answers[path] ?? {}));
    });
    const tracker = createMlflowTracker({ server_url: url, timeout_ms: 2000 }, { cwd: "/", env: {}, warn: () => undefined });
    await tracker.startRun({ runId: "r1", tag: "", pipelineName: "p", gitCommit: null, parameters: { lr: 0.1, layers: [8, 4], name: "x" } });
    await tracker.endRun("SUCCESS");
    const params = seen.filter((call) => call.path === "runs/log-batch").flatMap((call) => call.body["params"] as { key: string; value: string }[]);
    expect(params).toEqual(
      expect.arrayContaining([
        { key: "lr", value: "0.1" },
        { key: "layers", value: "[8, 4]" },
        { key: "name", value: "x" },
      ]),
    );
    expect(tracker.runUrl?.()).toBe(`${url}/#/experiments/4/runs/abc`);
  });
});

describe("MLFLOW_TRACKING_URI", () => {
  const context = (env: Record<string, string>) => ({ cwd: "/", env, warn: () => undefined });
  const parse = (config: Record<string, unknown>) => mlflowTrackerPlugin.configSchema.parse(config);

  it("is the server when the config has no server_url (the config wins when it has one)", async () => {
    const fromEnv = await mlflowTrackerPlugin.create(parse({}), context({ MLFLOW_TRACKING_URI: "http://127.0.0.1:5999" }));
    expect(fromEnv.recordedConfig["server_url"]).toBe("http://127.0.0.1:5999");
    const configured = await mlflowTrackerPlugin.create(
      parse({ server_url: "http://10.0.0.1:5000" }),
      context({ MLFLOW_TRACKING_URI: "http://127.0.0.1:5999" }),
    );
    expect(configured.recordedConfig["server_url"]).toBe("http://10.0.0.1:5000");
  });

  it("says what to set when neither is there, or when it is not an http(s) URL", async () => {
    await expect(mlflowTrackerPlugin.create(parse({}), context({}))).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      hint: expect.stringContaining("MLFLOW_TRACKING_URI"),
    });
    await expect(mlflowTrackerPlugin.create(parse({}), context({ MLFLOW_TRACKING_URI: "databricks" }))).rejects.toThrow(/not an http\(s\) URL/);
  });
});
