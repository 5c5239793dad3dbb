import type { ClientConfig } from "pg";
import { RunnableError, messageOf } from "../../../core/errors.js";

/** Where the store connects, for messages (never holds the password). */
export interface ServerDescription {
  /** `host:port/database as user`. */
  where: string;
  /** Which setting the connection came from. */
  source: string;
  database: string;
  user: string;
}

/** `connection_url` with its password replaced by `***` (what the run log records). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
  }
}

/** `connection_url` parsed, or CONFIG_INVALID saying what is malformed (never the password). */
function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new RunnableError("CONFIG_INVALID", `run_log_store postgres: connection_url ${redactUrl(url)} is not a valid URL`, {
      hint: "write it as postgres://user:password@host:5432/database (percent-encode special characters in the user and password, e.g. @ as %40)",
    });
  }
}

/** The pg client config from `connection_url`, else from the PG* variables of `env`. */
export function clientConfig(url: string | undefined, env: Readonly<Record<string, string | undefined>>): { config: ClientConfig; server: ServerDescription } {
  if (url !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new RunnableError("CONFIG_INVALID", `run_log_store postgres: connection_url must start with postgres:// or postgresql:// (got ${redactUrl(url)})`);
    }
    const parsed = parseUrl(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || env["PGDATABASE"] || "postgres";
    const user = decodeURIComponent(parsed.username) || env["PGUSER"] || "postgres";
    const config: ClientConfig = { connectionString: url };
    if (!parsed.password && env["PGPASSWORD"]) config.password = env["PGPASSWORD"];
    return {
      config,
      server: {
        where: `${parsed.hostname || "localhost"}:${parsed.port || 5432}/${database} as ${user}`,
        source: "run_log_store.config.connection_url",
        database,
        user,
      },
    };
  }
  const host = env["PGHOST"] || "localhost";
  const port = Number(env["PGPORT"] || 5432);
  const user = env["PGUSER"] || env["USER"] || "postgres";
  const database = env["PGDATABASE"] || user;
  const config: ClientConfig = { host, port, user, database };
  if (env["PGPASSWORD"] !== undefined) config.password = env["PGPASSWORD"];
  if (env["PGSSLMODE"] && env["PGSSLMODE"] !== "disable" && env["PGSSLMODE"] !== "prefer")
    config.ssl = { rejectUnauthorized: env["PGSSLMODE"] === "verify-full" };
  return {
    config,
    server: { where: `${host}:${port}/${database} as ${user}`, source: "the PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE)", database, user },
  };
}

const UNAVAILABLE_ERRNO = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNABORTED"]);

/** True for failures that say the server is (momentarily) unreachable rather than that a request is wrong. */
export function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string") {
    if (UNAVAILABLE_ERRNO.has(code)) return true;
    // 08: connection exceptions; 57P01-57P03: shut down / cannot connect now; 53300: too many connections.
    if (code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300") return true;
  }
  const message = messageOf(error);
  // 57014 with "statement timeout": the server cancelled a request that waited past timeout_seconds.
  if (code === "57014" && /statement timeout/i.test(message)) return true;
  return /Connection terminated|connection timeout|timeout expired|Query read timeout|Client has encountered a connection error|not queryable/i.test(message);
}

/** The store's error for a failure of the database (or of reaching it), naming the setting to fix. */
export function storeError(error: unknown, server: ServerDescription, doing: string): RunnableError {
  if (error instanceof RunnableError) return error;
  const code = (error as { code?: unknown })?.code;
  const detail = messageOf(error) || String(code ?? "unknown error");
  const at = `run_log_store postgres (${server.where})`;
  if (code === "28P01" || code === "28000") {
    return new RunnableError("CONFIG_INVALID", `${at}: the server refused the credentials of user "${server.user}" while trying to ${doing}: ${detail}`, {
      hint: `Check the user and password in ${server.source} (a password can also come from PGPASSWORD or ~/.pgpass).`,
      cause: error,
    });
  }
  if (/^SASL: .*client password must be a (non-empty )?string/.test(detail)) {
    // pg's words when the server asks for a password (SCRAM) and none was given.
    return new RunnableError("CONFIG_INVALID", `${at}: the server asks for a password for user "${server.user}" and none was given`, {
      hint: `Give it in ${server.source}, in PGPASSWORD, or in ~/.pgpass (host:port:database:user:password); it is never written to the run log.`,
      cause: error,
    });
  }
  if (code === "3D000") {
    return new RunnableError("CONFIG_INVALID", `${at}: database "${server.database}" does not exist: ${detail}`, {
      hint: `Create it (createdb ${server.database}) or name an existing database in ${server.source}.`,
      cause: error,
    });
  }
  if (code === "42501") {
    return new RunnableError("CONFIG_INVALID", `${at}: user "${server.user}" may not ${doing}: ${detail}`, {
      hint: "Grant the user CREATE on the database (the store creates its tables) or choose run_log_store.config.schema the user owns.",
      cause: error,
    });
  }
  if (code === "ENOTFOUND") {
    return new RunnableError("CONFIG_INVALID", `${at}: host not found while trying to ${doing}: ${detail}`, {
      hint: `Check the host in ${server.source}.`,
      cause: error,
    });
  }
  if (isUnavailable(error)) {
    return new RunnableError("STORE_UNAVAILABLE", `${at} is unreachable: could not ${doing}: ${detail}`, {
      hint: "Check that the database server is running and reachable (retry_seconds says how long each write waits for it). A run whose store went away is recorded FAIL when the server is back; `runnable retry <run-id>` continues it.",
      cause: error,
    });
  }
  return new RunnableError("INTERNAL", `${at}: could not ${doing}: ${detail}`, { cause: error });
}
