import { createHash } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { RunnableError, isRunnableError, messageOf } from "../core/errors.js";
import type { Catalog } from "../ports/catalog.js";
import type { RunLogStore } from "../ports/run-log-store.js";
import { type ApiAnswer, answerApi } from "./api.js";
import { TOKEN_COOKIE, hostAllowed, isLoopback, newToken, tokenOf } from "./http-safety.js";
import { reachableHosts, urlHost } from "./reachable-hosts.js";
import { createRunIndex } from "./run-index.js";
import { type Asset, findAssetsDir, loadAssets } from "./static-assets.js";

/** Options of {@link startUiServer}. */
export interface UiServerOptions {
  store: RunLogStore;
  catalog: Catalog;
  /** Default 127.0.0.1. Any other than loopback requires the token. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** The access token (generated when the host is not loopback). */
  token?: string;
  assetsDir?: string;
  /** Longest wait for the first listing before listening (default 10 s). */
  warmupMs?: number;
  warn?: (message: string) => void;
}

/** A running UI server. */
export interface UiServer {
  /** The URL to open (with `?token=` when a token is required): for a wildcard host, by this machine's name. */
  url: string;
  /** Every URL that reaches the server: for a wildcard host, by name and by each of the machine's addresses. */
  urls: string[];
  port: number;
  token: string | undefined;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

const STATUS_OF: Record<string, number> = { RUN_NOT_FOUND: 404, FILE_NOT_FOUND: 404, CLI_USAGE: 400, CATALOG_ERROR: 404, RUN_LOG_CORRUPT: 500 };

function send(response: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": type, "Content-Length": String(Buffer.byteLength(body)), ...extra });
  response.end(response.req.method === "HEAD" ? undefined : body);
}

function sendError(response: ServerResponse, error: unknown): void {
  const known = isRunnableError(error);
  let status = known ? (STATUS_OF[error.code] ?? 500) : 500;
  if (known && error.code === "CATALOG_ERROR" && /Refusing/.test(error.message)) status = 403;
  const body = { error: { code: known ? error.code : "INTERNAL", message: known ? error.message : messageOf(error), hint: known ? error.hint : undefined } };
  send(response, status, JSON.stringify(body), "application/json; charset=utf-8", { "Cache-Control": "no-store" });
}

async function sendAnswer(request: IncomingMessage, response: ServerResponse, answer: ApiAnswer): Promise<void> {
  if ("file" in answer) {
    const filename = path.posix.basename(answer.name).replace(/[^\w.\- ]/g, "_");
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      "Content-Type": "application/octet-stream",
      "Content-Length": String(answer.file.size),
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
    });
    if (request.method === "HEAD") return void response.end();
    return pipeline(Readable.from(answer.file.open()), response);
  }
  const body = JSON.stringify(answer.json);
  const etag = `"${createHash("sha1").update(body).digest("base64url")}"`;
  if (request.headers["if-none-match"] === etag) {
    response.writeHead(304, { ...SECURITY_HEADERS, ETag: etag, "Cache-Control": "no-cache" });
    return void response.end();
  }
  send(response, 200, body, "application/json; charset=utf-8", { ETag: etag, "Cache-Control": "no-cache" });
}

interface Handler {
  assets: Map<string, Asset>;
  ctx: Parameters<typeof answerApi>[0];
  host: string;
  port: () => number;
  token: string | undefined;
}

async function handle(h: Handler, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return send(response, 405, JSON.stringify({ error: { code: "READ_ONLY", message: "The run browser is read-only: only GET" } }), "application/json", {
      Allow: "GET, HEAD",
    });
  }
  if (!hostAllowed(request, h.host, h.port())) return send(response, 421, "unknown Host header", "text/plain");
  const url = new URL(request.url ?? "/", "http://localhost");
  if (h.token) {
    const presented = tokenOf(request, url, h.token);
    if (presented === "missing" || presented === "wrong") {
      return send(
        response,
        401,
        JSON.stringify({ error: { code: "TOKEN", message: "Open the URL printed by `runnable ui` (it carries the access token)" } }),
        "application/json",
      );
    }
    if (presented === "url") {
      const cookie = `${TOKEN_COOKIE}=${h.token}; HttpOnly; SameSite=Strict; Path=/`;
      response.writeHead(303, { ...SECURITY_HEADERS, "Set-Cookie": cookie, Location: url.pathname });
      return void response.end();
    }
  }
  if (url.pathname.startsWith("/api/")) {
    let parts: string[];
    try {
      parts = url.pathname
        .slice("/api/".length)
        .split("/")
        .map((part) => decodeURIComponent(part));
    } catch {
      return sendError(response, new RunnableError("CLI_USAGE", "Malformed percent-encoding in the path"));
    }
    return sendAnswer(request, response, await answerApi(h.ctx, parts, url.searchParams));
  }
  const asset = h.assets.get(url.pathname);
  if (!asset) return send(response, 404, "not found", "text/plain");
  const cache = url.pathname.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
  send(response, 200, asset.body, asset.type, { "Cache-Control": cache });
}

/** Starts the read-only run browser over a store and a catalog; resolves once it listens. */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? (isLoopback(host) ? undefined : newToken());
  const assets = await loadAssets(options.assetsDir ?? findAssetsDir());
  const index = createRunIndex(options.store, { warn: options.warn ?? (() => undefined) });
  let server: Server | undefined;
  const handler: Handler = {
    assets,
    ctx: { index, catalog: options.catalog, sweeps: new WeakMap(), digests: new WeakMap() },
    host,
    token,
    port: () => (server!.address() as AddressInfo).port,
  };
  server = createServer((request, response) => {
    handle(handler, request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, error);
      else response.destroy();
    });
  });
  // The first listing is read before the server says it is up, so the first page answers at once.
  await Promise.race([index.digests().catch(() => undefined), sleep(options.warmupMs ?? 10_000)]);
  await new Promise<void>((resolve, reject) => {
    server!.once("error", reject);
    server!.listen(options.port ?? 0, host, () => resolve());
  });
  const port = handler.port();
  const urls = reachableHosts(host).map((name) => `http://${urlHost(name)}:${port}/${token ? `?token=${token}` : ""}`);
  return {
    url: urls[0]!,
    urls,
    port,
    token,
    close: () =>
      new Promise((resolve) => {
        server!.closeAllConnections();
        server!.close(() => resolve());
      }),
  };
}
