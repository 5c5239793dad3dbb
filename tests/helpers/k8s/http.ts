import type { IncomingMessage, ServerResponse } from "node:http";
import type { KubeApi } from "./api.js";
import { discovery } from "./discovery.js";
import { fieldSelector, labelSelector } from "./selectors.js";
import { ApiError, badRequest, methodNotAllowed, noSuchResource, notFound, unauthorized } from "./status.js";
import { apiVersionOf, CRONJOBS, EVENTS, JOBS, NAMESPACES, PODS, type ResourceType } from "./store.js";

// The REST surface: paths and verbs of the Kubernetes API for Jobs, CronJobs, Pods (read, watch,
// delete, logs) and Namespaces (read), JSON in and out, Status bodies for every failure.

type Obj = Record<string, any>;

/** One request as the stand-in saw it (tests assert on what a client sent). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  body?: unknown;
}

/** What the HTTP layer needs besides the API. */
export interface HttpContext {
  api: KubeApi;
  k8sVersion: string;
  serverAddress: () => string;
  token?: string;
  requests: RecordedRequest[];
  /** Open streaming responses (watches, followed logs), ended when the stand-in stops. */
  streams: Set<ServerResponse>;
}

interface Route {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const TYPES: Record<string, ResourceType> = {
  "api/v1:pods": PODS,
  "api/v1:namespaces": NAMESPACES,
  "api/v1:events": EVENTS,
  "apis/batch/v1:jobs": JOBS,
  "apis/batch/v1:cronjobs": CRONJOBS,
};

function route(path: string): Route | undefined {
  const match = /^\/(api\/v1|apis\/batch\/v1)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/.exec(path);
  if (!match) return undefined;
  const type = TYPES[`${match[1]}:${match[3]}`];
  if (!type || (type === NAMESPACES && match[2] !== undefined)) return undefined;
  return { type, namespace: match[2] && decodeURIComponent(match[2]), name: match[4] && decodeURIComponent(match[4]), subresource: match[5] };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-cache, private" });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
  }
}

/** Serves one request. */
export async function handle(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://standin");
  const record: RecordedRequest = { method: req.method ?? "GET", path: url.pathname, query: Object.fromEntries(url.searchParams), status: 200 };
  ctx.requests.push(record);
  res.on("finish", () => (record.status = res.statusCode));
  try {
    if (ctx.token && req.headers.authorization !== `Bearer ${ctx.token}`) throw unauthorized();
    const document = req.method === "GET" ? discovery(url.pathname, ctx.k8sVersion, ctx.serverAddress()) : undefined;
    if (document) return send(res, 200, document);
    const target = route(url.pathname);
    if (!target) throw noSuchResource();
    const body = req.method === "POST" || req.method === "PATCH" || req.method === "DELETE" ? await readJson(req) : undefined;
    record.body = body;
    await dispatch(ctx, target, url.searchParams, req, res, body);
  } catch (error) {
    if (error instanceof ApiError) return send(res, error.status.code, error.status);
    const message = error instanceof Error ? error.message : String(error);
    send(res, 500, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason: "InternalError", code: 500 });
  }
}

async function dispatch(ctx: HttpContext, target: Route, query: URLSearchParams, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
  const { api } = ctx;
  const { type, namespace, name, subresource } = target;
  const dryRun = query.get("dryRun") === "All";
  const method = req.method ?? "GET";
  if (type === NAMESPACES) return namespaces(ctx, method, name, res);
  if (type === EVENTS) {
    if (method !== "GET" || name) throw methodNotAllowed();
    api.authorize(type, "list", namespace);
    return send(res, 200, { kind: "EventList", apiVersion: apiVersionOf(type), metadata: { resourceVersion: api.store.resourceVersion() }, items: [] });
  }
  if (subresource === "log" && type === PODS && method === "GET") {
    api.authorize({ ...type, subresource: "log" }, "get", namespace, name);
    return serveLog(ctx, namespace!, name!, query, res);
  }
  if (subresource && (subresource !== "status" || method !== "GET")) throw methodNotAllowed();
  if (method === "GET" && name) {
    api.authorize(type, "get", namespace, name);
    return send(res, 200, api.get(type, namespace, name));
  }
  if (method === "GET" && query.get("watch") && ["true", "1"].includes(query.get("watch")!)) {
    api.authorize(type, "watch", namespace);
    return serveWatch(ctx, type, namespace, query, req, res);
  }
  if (method === "GET") {
    api.authorize(type, "list", namespace);
    const limit = query.get("limit") ? Number(query.get("limit")) : undefined;
    return send(
      res,
      200,
      api.list(type, namespace, {
        labelSelector: query.get("labelSelector"),
        fieldSelector: query.get("fieldSelector"),
        limit,
        continue: query.get("continue"),
      }),
    );
  }
  if (method === "POST" && !name && namespace) {
    api.authorize(type, "create", namespace);
    return send(res, 201, api.create(type, namespace, body as Obj, { dryRun }));
  }
  if (method === "PATCH" && name && namespace) {
    api.authorize(type, "patch", namespace, name);
    return send(res, 200, api.patch(type, namespace, name, body, req.headers["content-type"] ?? "", { dryRun }));
  }
  if (method === "DELETE" && name && namespace) {
    api.authorize(type, "delete", namespace, name);
    const options = (body ?? {}) as Obj;
    const orphan = query.get("orphanDependents") ?? options["orphanDependents"];
    const propagationPolicy =
      query.get("propagationPolicy") ??
      options["propagationPolicy"] ??
      (orphan === undefined || orphan === null ? undefined : String(orphan) === "true" ? "Orphan" : "Background");
    return send(res, 200, api.delete(type, namespace, name, { propagationPolicy, dryRun: dryRun || options["dryRun"]?.includes?.("All") }));
  }
  throw methodNotAllowed();
}

function namespaceObject(name: string): Obj {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { "kubernetes.io/metadata.name": name } },
    spec: { finalizers: ["kubernetes"] },
    status: { phase: "Active" },
  };
}

function namespaces(ctx: HttpContext, method: string, name: string | undefined, res: ServerResponse): void {
  if (method !== "GET") throw methodNotAllowed();
  if (name && !ctx.api.namespaces.has(name)) throw notFound(NAMESPACES, name);
  if (name) send(res, 200, namespaceObject(name));
  else
    send(res, 200, {
      kind: "NamespaceList",
      apiVersion: "v1",
      metadata: { resourceVersion: ctx.api.store.resourceVersion() },
      items: [...ctx.api.namespaces].map(namespaceObject),
    });
}

// A watch: newline-delimited {"type","object"} events, from `resourceVersion` (or all current objects as ADDED).
function serveWatch(
  ctx: HttpContext,
  type: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const byLabel = labelSelector(query.get("labelSelector"));
  const byField = fieldSelector(query.get("fieldSelector"), type.kind);
  const matches = (object: Obj): boolean => (namespace === undefined || object["metadata"].namespace === namespace) && byLabel(object) && byField(object);
  const since = query.get("resourceVersion");
  const initial: { type: string; object: Obj }[] = [];
  try {
    if (!since || since === "0") for (const object of ctx.api.store.list(type, namespace)) initial.push({ type: "ADDED", object });
    else for (const event of ctx.api.store.eventsSince(since)) if (event.resource === type.resource) initial.push(event);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    res.writeHead(200, { "Content-Type": "application/json" });
    return void res.end(`${JSON.stringify({ type: "ERROR", object: error.status })}\n`);
  }
  res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked", "Cache-Control": "no-cache, private" });
  res.flushHeaders();
  const write = (event: { type: string; object: Obj }): void => {
    if (matches(event.object)) res.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
  };
  initial.forEach(write);
  const unsubscribe = ctx.api.store.subscribe((event) => event.resource === type.resource && write(event));
  ctx.streams.add(res);
  const seconds = Number(query.get("timeoutSeconds") ?? 0);
  const timer = seconds > 0 ? setTimeout(() => res.end(), seconds * 1000) : undefined;
  const close = (): void => {
    unsubscribe();
    clearTimeout(timer);
    ctx.streams.delete(res);
  };
  req.on("close", close);
  res.on("close", close);
}

function serveLog(ctx: HttpContext, namespace: string, name: string, query: URLSearchParams, res: ServerResponse): void {
  const pod = ctx.api.get(PODS, namespace, name);
  const names = (pod["spec"].containers as Obj[]).map((container) => container["name"] as string);
  const container = query.get("container") ?? (names.length === 1 ? names[0]! : undefined);
  if (!container) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(" ")}]`);
  if (!names.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  const log = ctx.api.jobs.log(pod, container);
  const waiting = (pod["status"].containerStatuses as Obj[] | undefined)?.find((status) => status["name"] === container)?.state?.waiting;
  if (!log) throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${waiting?.reason ?? "ContainerCreating"}`);
  const tail = query.get("tailLines");
  const text = tail
    ? log
        .toString()
        .split(/(?<=\n)/)
        .slice(-Number(tail))
        .join("")
    : log.toString();
  if (query.get("follow") !== "true" || log.ended) {
    res.writeHead(200, { "Content-Type": "text/plain" });
    return void res.end(text);
  }
  res.writeHead(200, { "Content-Type": "text/plain", "Transfer-Encoding": "chunked" });
  res.write(text);
  const onData = (chunk: string): boolean => res.write(chunk);
  const onEnd = (): void => void res.end();
  log.on("data", onData).once("end", onEnd);
  ctx.streams.add(res);
  res.on("close", () => {
    log.off("data", onData).off("end", onEnd);
    ctx.streams.delete(res);
  });
}
