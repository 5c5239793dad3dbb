import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { RunnableError, messageOf } from "../../../core/errors.js";
import { createStallWatch } from "../../../io/stall-watch.js";
import type { S3Location } from "./s3-location.js";

// What the s3 catalog and the s3 run log store share: the config keys that say where the bucket is,
// the client (credentials from the standard AWS chain), the server's clock and error messages.

/** A client plus what the plug-ins need besides: where things are and the server's clock. */
export interface S3Access {
  client: S3Client;
  bucket: string;
  /** `prefix` with one trailing `/` (empty for none). */
  base: string;
  /** `s3://bucket/prefix` for messages and records. */
  display: string;
  /** Epoch ms on the server's clock (estimated from the Date headers of its responses), else local time. */
  serverNow(): number;
  /** The config key path for messages, e.g. `catalog.config`. */
  settings: string;
}

/** What a plug-in records about its location (never credentials). */
export function recordedLocation(location: S3Location): Record<string, unknown> {
  return {
    bucket: location.bucket,
    prefix: location.prefix,
    ...(location.endpoint_url ? { endpoint_url: location.endpoint_url } : {}),
    ...(location.region ? { region: location.region } : {}),
    force_path_style: location.force_path_style,
  };
}

/** The environment variables an S3 client reads its credentials, region and endpoint from (handed to step containers when set). */
export const S3_CREDENTIAL_VARIABLES: readonly string[] = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_S3",
];

/** How an S3 plug-in's client behaves besides where it goes. */
export interface S3Options {
  /** Told once when a request goes unanswered for seconds (a frozen server reports nothing else). */
  warn?: (message: string) => void;
  /** Tries of one request by the SDK itself (default 3); 1 for callers that retry themselves. */
  maxAttempts?: number;
}

/** A client for `location`; credentials from `env` (AWS_ACCESS_KEY_ID, ...) or else the SDK's default chain. */
export function openS3(location: S3Location, env: Readonly<Record<string, string | undefined>>, settings: string, options: S3Options = {}): S3Access {
  // The SDK warns on stderr about Node 20 at first use; that says nothing about the user's run.
  process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
  const client = new S3Client({ ...clientConfig(location, env), ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}) });
  const clock: ServerClock = { offsetMs: undefined };
  watchServerClock(client, clock);
  if (options.warn) watchStalls(client, location, settings, options.warn);
  const base = location.prefix === "" ? "" : `${location.prefix.replace(/\/+$/, "")}/`;
  return {
    client,
    bucket: location.bucket,
    base,
    display: `s3://${location.bucket}/${base}`,
    serverNow: () => Date.now() + (clock.offsetMs ?? 0),
    settings,
  };
}

function clientConfig(location: S3Location, env: Readonly<Record<string, string | undefined>>): S3ClientConfig {
  const config: S3ClientConfig = {
    region: location.region ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? "us-east-1",
    forcePathStyle: location.force_path_style,
    // Checksums only where S3 requires them: many S3-compatible servers reject the newer headers.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // A frozen server keeps the connection open and sends nothing: a request idle for timeout_seconds
    // fails (socketTimeout throws; requestTimeout would only log), and is retried.
    requestHandler: {
      connectionTimeout: 5_000,
      socketTimeout: Math.round((location.timeout_seconds ?? 20) * 1000),
      httpAgent: { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 64 },
      httpsAgent: { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 64 },
    },
  };
  if (location.endpoint_url) config.endpoint = location.endpoint_url;
  const key = env["AWS_ACCESS_KEY_ID"];
  const secret = env["AWS_SECRET_ACCESS_KEY"];
  if (location.credentials) config.credentials = { ...location.credentials };
  else if (key && secret)
    config.credentials = { accessKeyId: key, secretAccessKey: secret, ...(env["AWS_SESSION_TOKEN"] ? { sessionToken: env["AWS_SESSION_TOKEN"] } : {}) };
  return config;
}

/** Server time minus local time, as far as the responses tell (undefined before the first one). */
interface ServerClock {
  offsetMs: number | undefined;
}

/**
 * Keeps `clock` up to date from the Date header of every response. A Date header is truncated to the
 * second, so each response says the server is at least that far ahead: the largest estimate is the
 * closest, and time never goes back.
 */
function watchServerClock(client: S3Client, clock: ServerClock): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const date = (result.response as { headers?: Record<string, string> } | undefined)?.headers?.["date"];
      const server = date ? Date.parse(date) : Number.NaN;
      if (!Number.isNaN(server)) clock.offsetMs = Math.max(clock.offsetMs ?? Number.NEGATIVE_INFINITY, server - Date.now());
      return result;
    },
    { step: "deserialize", name: "runnableServerClock" },
  );
}

/** Warns once when a request of `client` goes unanswered for seconds (until one is answered again). */
function watchStalls(client: S3Client, location: S3Location, settings: string, warn: (message: string) => void): void {
  const stalls = createStallWatch(
    warn,
    (doing, seconds) =>
      `${settings.split(".")[0]} s3 (s3://${location.bucket}/${location.prefix}) has not answered for ${seconds} s (${doing}); a request is given up after ${location.timeout_seconds ?? 20} s without an answer (timeout_seconds)`,
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const answered = stalls.begin(context.commandName ?? "a request");
      try {
        return await next(args);
      } finally {
        answered();
      }
    },
    { step: "finalizeRequest", name: "runnableStallWatch" },
  );
}

/** The HTTP status or error name of an SDK failure. */
export function s3Status(error: unknown): { status: number | undefined; name: string } {
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const name = (error as { name?: string; Code?: string })?.name ?? "";
  return { status, name };
}

const CREDENTIAL_ERRORS = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "AccessDenied",
  "ExpiredToken",
  "InvalidToken",
  "CredentialsProviderError",
  "AuthorizationHeaderMalformed",
]);
const UNAVAILABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|EPIPE|socket hang up|TimeoutError|timed out|RequestTimeout|SlowDown|ServiceUnavailable|InternalError/i;

/** True when the failure says the server is (momentarily) unreachable or overloaded. */
export function s3Unavailable(error: unknown): boolean {
  const { status, name } = s3Status(error);
  if (status !== undefined && status >= 500) return true;
  return UNAVAILABLE.test(`${name} ${(error as { code?: string })?.code ?? ""} ${messageOf(error)}`);
}

/** The plug-in's error for an SDK failure, naming the setting to fix; `otherwise` builds the rest. */
export function s3Error(
  error: unknown,
  access: Pick<S3Access, "bucket" | "display" | "settings">,
  doing: string,
  otherwise: (message: string) => RunnableError,
): RunnableError {
  if (error instanceof RunnableError) return error;
  const { status, name } = s3Status(error);
  const detail = `${name || "error"}${status ? ` (HTTP ${status})` : ""}: ${messageOf(error)}`;
  if (name === "NoSuchBucket") {
    return new RunnableError("CONFIG_INVALID", `${access.settings}.bucket "${access.bucket}" does not exist (while trying to ${doing})`, {
      hint: `Create the bucket (e.g. aws s3 mb s3://${access.bucket}) or name an existing one in ${access.settings}.bucket; check endpoint_url and region too.`,
      cause: error,
    });
  }
  if (CREDENTIAL_ERRORS.has(name) || status === 403 || /Could not load credentials/i.test(messageOf(error))) {
    return new RunnableError("CONFIG_INVALID", `${access.display}: the server refused the credentials while trying to ${doing}: ${detail}`, {
      hint: "Credentials come from the standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, container or pod roles); check them and their rights on the bucket.",
      cause: error,
    });
  }
  if (name === "ENOTFOUND" || /ENOTFOUND/.test(messageOf(error))) {
    return new RunnableError("CONFIG_INVALID", `${access.display}: host not found while trying to ${doing}: ${detail}`, {
      hint: `Check ${access.settings}.endpoint_url and region.`,
      cause: error,
    });
  }
  if (s3Unavailable(error)) {
    return new RunnableError("STORE_UNAVAILABLE", `${access.display} is unreachable: could not ${doing}: ${detail}`, {
      hint: `Check that the S3 server (${access.settings}.endpoint_url) is running and reachable. A run whose store went away is recorded FAIL when the server is back; \`runnable retry <run-id>\` continues it.`,
      cause: error,
    });
  }
  return otherwise(`${access.display}: could not ${doing}: ${detail}`);
}
