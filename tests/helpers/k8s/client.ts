import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiException, BatchV1Api, CoreV1Api, KubeConfig, Watch } from "@kubernetes/client-node";
import type { K8sStandin } from "./standin.js";

// The client side of stand-in tests: @kubernetes/client-node loaded from a kubeconfig file, the path
// a job executor takes against a cluster.

type Obj = Record<string, any>;

/** Clients of the stand-in built from a written kubeconfig, and a watch recorder. */
export interface StandinClients {
  kubeconfigPath: string;
  config: KubeConfig;
  batch: BatchV1Api;
  core: CoreV1Api;
  /** Starts a watch on `path` (e.g. `/apis/batch/v1/namespaces/default/jobs`); events collect in `events`. */
  watch(path: string, query?: Record<string, string>): Promise<{ events: { type: string; object: Obj }[]; stop: () => void }>;
  close(): Promise<void>;
}

/** Writes the stand-in's kubeconfig to a scratch file and loads it as a cluster's would be. */
export async function standinClients(standin: K8sStandin): Promise<StandinClients> {
  const dir = await mkdtemp(join(tmpdir(), "k8s-client-"));
  const kubeconfigPath = await standin.writeKubeconfig(join(dir, "kubeconfig"));
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  const controllers: AbortController[] = [];
  return {
    kubeconfigPath,
    config,
    batch: config.makeApiClient(BatchV1Api),
    core: config.makeApiClient(CoreV1Api),
    async watch(path, query = {}) {
      const events: { type: string; object: Obj }[] = [];
      const controller = await new Watch(config).watch(
        path,
        query,
        (type, object) => events.push({ type, object }),
        () => {},
      );
      controllers.push(controller);
      return { events, stop: () => controller.abort() };
    },
    async close() {
      for (const controller of controllers) controller.abort();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The Status body and HTTP code of a failed client call (ApiException), or a failure if the call succeeded. */
export async function apiFailure(call: Promise<unknown>): Promise<{ code: number; body: Obj }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiException) return { code: error.code, body: (typeof error.body === "string" ? JSON.parse(error.body) : error.body) as Obj };
    throw error;
  }
  throw new Error("the call succeeded; a failure was expected");
}

/** A raw request to the stand-in (JSON body, the kubeconfig's CA and token), bypassing the typed client's serialisation. */
export function standinRequest(
  standin: K8sStandin,
  method: string,
  path: string,
  body?: unknown,
  options: { contentType?: string; token?: string } = {},
): Promise<{ status: number; body: any; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { Accept: "application/json", Authorization: `Bearer ${options.token ?? standin.token}` };
  if (payload !== undefined) headers["Content-Type"] = options.contentType ?? "application/json";
  return new Promise((done, fail) => {
    const req = request(`${standin.url}${path}`, { method, headers, ca: standin.caCert }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      res.on("end", () => done({ status: res.statusCode ?? 0, body: text.startsWith("{") ? JSON.parse(text) : undefined, text }));
    });
    req.on("error", fail);
    req.end(payload);
  });
}
