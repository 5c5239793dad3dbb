import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** The cookie that carries the access token after the first visit with `?token=`. */
export const TOKEN_COOKIE = "runnable_ui_token";

/** A fresh random access token (URL-safe). */
export function newToken(): string {
  return randomBytes(18).toString("base64url");
}

/** True for loopback addresses (the default binding needs no token). */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

/** How a request presented the token: none, wrong, by cookie/header, or in the URL (to be swapped for a cookie). */
export function tokenOf(request: IncomingMessage, url: URL, token: string): "missing" | "wrong" | "ok" | "url" {
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
  const fromUrl = url.searchParams.get("token");
  const presented = bearer ?? cookie(request, TOKEN_COOKIE) ?? fromUrl ?? undefined;
  if (presented === undefined) return "missing";
  if (!sameText(presented, token)) return "wrong";
  return presented === fromUrl && bearer === undefined && cookie(request, TOKEN_COOKIE) !== token ? "url" : "ok";
}

/**
 * True when the Host header names this server (loopback name or the bound host), which keeps pages of
 * other sites from reaching a loopback server through DNS rebinding.
 */
export function hostAllowed(request: IncomingMessage, boundHost: string, port: number): boolean {
  const header = request.headers.host;
  if (!header) return false;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header);
  if (!match) return false;
  const name = match[1]!.replace(/^\[|\]$/g, "").toLowerCase();
  if (match[2] !== undefined && Number(match[2]) !== port) return false;
  if (isLoopback(name)) return true;
  return !isLoopback(boundHost) && (boundHost === "0.0.0.0" || boundHost === "::" || name === boundHost.toLowerCase());
}

/** Refuses catalog names that are absolute, walk up, or hide such a walk (backslashes, NUL, encoded dots). */
export function unsafeRelativePath(name: string): string | undefined {
  if (name === "") return "is empty";
  if (name.includes("\0")) return "contains a NUL byte";
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name) || name.startsWith("\\")) return "is absolute";
  if (name.includes("\\")) return "contains a backslash";
  if (name.split("/").some((segment) => segment === ".." || segment === ".")) return 'contains "." or ".." segments';
  if (/%2e|%2f|%5c/i.test(name)) return "contains an encoded dot or slash";
  return undefined;
}
