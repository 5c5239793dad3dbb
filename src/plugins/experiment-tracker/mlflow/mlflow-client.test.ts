import { describe, expect, it } from "vitest";
import { createMlflowClient, mlflowFailureOf } from "./mlflow-client.js";

type Handler = (url: URL, init: RequestInit) => Response | Promise<Response>;

function fakeFetch(handler: Handler): { fetch: typeof fetch; calls: URL[] } {
  const calls: URL[] = [];
  const fn = async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    calls.push(url);
    return handler(url, init);
  };
  return { fetch: fn as typeof fetch, calls };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("MLflow client", () => {
  it("calls the REST API under the server URL with the configured headers", async () => {
    let seen: RequestInit | undefined;
    const fake = fakeFetch((_url, init) => {
      seen = init;
      return json({ experiment_id: "7" });
    });
    const client = createMlflowClient({ serverUrl: "http://mlflow.test/prefix/", headers: { authorization: "Bearer t" }, fetch: fake.fetch });
    expect(await client.createExperiment("exp")).toBe("7");
    expect(fake.calls[0]?.href).toBe("http://mlflow.test/prefix/api/2.0/mlflow/experiments/create");
    expect(seen?.method).toBe("POST");
    expect((seen!.headers as Record<string, string>)["authorization"]).toBe("Bearer t");
    expect(JSON.parse(String(seen?.body))).toEqual({ name: "exp" });
    expect(client.stats()).toEqual({ requests: 1, points: 0 });
  });

  it("returns null for an unknown experiment name", async () => {
    const fake = fakeFetch(() => json({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "no" }, 404));
    const client = createMlflowClient({ serverUrl: "http://mlflow.test", fetch: fake.fetch });
    expect(await client.getExperimentByName("nope")).toBeNull();
    expect(fake.calls[0]?.searchParams.get("experiment_name")).toBe("nope");
  });

  it("retries 429 and 503 with backoff, then succeeds", async () => {
    const statuses = [429, 503, 200];
    const fake = fakeFetch(() => {
      const status = statuses.shift() ?? 200;
      return status === 200 ? json({}) : json({ error_code: "TEMPORARILY_UNAVAILABLE", message: "busy" }, status);
    });
    const client = createMlflowClient({ serverUrl: "http://mlflow.test", fetch: fake.fetch, backoffMs: 1 });
    await client.logBatch("r", { metrics: [{ key: "m", value: 1, step: 0, timestamp: 1 }], params: [], tags: [] });
    expect(fake.calls).toHaveLength(3);
    expect(client.stats()).toEqual({ requests: 3, points: 1 });
  });

  it("gives up after 3 attempts on network errors and reports the server unavailable", async () => {
    const fake = fakeFetch(() => {
      throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    });
    const client = createMlflowClient({ serverUrl: "http://mlflow.test", fetch: fake.fetch, backoffMs: 1 });
    const error = await client.setTag("r", "k", "v").catch((e: unknown) => e);
    expect(fake.calls).toHaveLength(3);
    expect(mlflowFailureOf(error)).toEqual({ kind: "unavailable", status: null, errorCode: null });
    expect((error as Error).message).toContain("ECONNREFUSED");
  });

  it("never resends a request that timed out", async () => {
    const fake = fakeFetch(
      (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
    );
    const client = createMlflowClient({ serverUrl: "http://mlflow.test", fetch: fake.fetch, timeoutMs: 30 });
    const error = await client.logBatch("r", { metrics: [], params: [], tags: [] }).catch((e: unknown) => e);
    expect(fake.calls).toHaveLength(1);
    expect(mlflowFailureOf(error)?.kind).toBe("unavailable");
    expect((error as Error).message).toContain("no answer within 30 ms");
  });

  it("reports MLflow's error code for rejected requests without retrying", async () => {
    const fake = fakeFetch(() => json({ error_code: "INVALID_PARAMETER_VALUE", message: "bad key" }, 400));
    const client = createMlflowClient({ serverUrl: "http://mlflow.test", fetch: fake.fetch });
    const error = await client.logBatch("r", { metrics: [], params: [], tags: [] }).catch((e: unknown) => e);
    expect(fake.calls).toHaveLength(1);
    expect(mlflowFailureOf(error)).toEqual({ kind: "rejected", status: 400, errorCode: "INVALID_PARAMETER_VALUE" });
    expect((error as { code?: string }).code).toBe("TRACKER_ERROR");
    expect((error as Error).message).toContain("bad key");
  });

  it("says so when the server is not an MLflow server", async () => {
    const fake = fakeFetch(() => new Response("<html>hello</html>", { status: 200 }));
    const client = createMlflowClient({ serverUrl: "http://mlflow.test", fetch: fake.fetch });
    await expect(client.createExperiment("x")).rejects.toThrow(/not JSON/);
  });

  it("pages through a metric history", async () => {
    const fake = fakeFetch((url) =>
      url.searchParams.get("page_token") === "p2"
        ? json({ metrics: [{ key: "m", value: 2, step: 2, timestamp: 1 }] })
        : json({ metrics: [{ key: "m", value: 1, step: 1, timestamp: 1 }], next_page_token: "p2" }),
    );
    const client = createMlflowClient({ serverUrl: "http://mlflow.test", fetch: fake.fetch });
    expect((await client.getMetricHistory("r", "m")).map((m) => m.step)).toEqual([1, 2]);
  });
});

describe("MLflow client retries", () => {
  it("waits what the server's Retry-After says before trying again", async () => {
    const answered: number[] = [];
    let first = true;
    const fake = fakeFetch(() => {
      answered.push(Date.now());
      if (!first) return json({});
      first = false;
      return new Response("busy", { status: 503, headers: { "retry-after": "1" } });
    });
    const client = createMlflowClient({ serverUrl: "http://mlflow.test", fetch: fake.fetch, backoffMs: 1 });
    await client.setTag("r", "k", "v");
    expect(fake.calls).toHaveLength(2);
    expect(answered[1]! - answered[0]!).toBeGreaterThanOrEqual(950);
  });

  it("reports a server that stays busy as unavailable after the last attempt, with its status", async () => {
    const fake = fakeFetch(() => json({ error_code: "TEMPORARILY_UNAVAILABLE", message: "busy" }, 503));
    const client = createMlflowClient({ serverUrl: "http://mlflow.test", fetch: fake.fetch, backoffMs: 1, attempts: 4 });
    const error = await client.setTag("r", "k", "v").catch((e: unknown) => e);
    expect(fake.calls).toHaveLength(4);
    expect(mlflowFailureOf(error)).toEqual({ kind: "unavailable", status: 503, errorCode: "TEMPORARILY_UNAVAILABLE" });
    expect((error as Error).message).toBe("MLflow runs/set-tag: 503 TEMPORARILY_UNAVAILABLE: busy");
  });

  it("never resends a request whose answer broke off after the headers", async () => {
    const fake = fakeFetch(() => {
      const body = new ReadableStream({
        pull(controller) {
          controller.error(new TypeError("terminated", { cause: { code: "ECONNRESET" } }));
        },
      });
      return new Response(body, { status: 200 });
    });
    const client = createMlflowClient({ serverUrl: "http://mlflow.test", fetch: fake.fetch, backoffMs: 1 });
    const error = await client.setTag("r", "k", "v").catch((e: unknown) => e);
    expect(fake.calls).toHaveLength(1);
    expect((error as Error).message).toBe("MLflow runs/set-tag: the answer broke off (ECONNRESET)");
    expect(mlflowFailureOf(error)).toEqual({ kind: "unavailable", status: 200, errorCode: null });
  });
});
