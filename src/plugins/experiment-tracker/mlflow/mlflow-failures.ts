import { RunnableError } from "../../../core/errors.js";

// The MLflow client's errors: every failure is a TRACKER_ERROR whose cause carries what the tracker
// needs to decide (server unavailable or data rejected, MLflow's error code) and whether another try of
// the request may help.

/** Why a request failed: `unavailable` = network, timeout or 429/502/503/504 after retries. */
export interface MlflowFailure {
  kind: "unavailable" | "rejected";
  status: number | null;
  errorCode: string | null;
}

/** What a failure's cause holds. */
interface FailureCause {
  mlflow: MlflowFailure;
  original?: unknown;
  /** Present when sending the request again may succeed; `afterMs` is the server's Retry-After. */
  retry?: { afterMs: number | null };
}

/** HTTP statuses worth another try: the server or a proxy is busy or restarting. */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
/** A Retry-After longer than this is cut short (the tracker must never hold a run up). */
const MAX_RETRY_AFTER_MS = 2000;

/** Extracts the failure details a client error carries (null for other errors). */
export function mlflowFailureOf(error: unknown): MlflowFailure | null {
  return causeOf(error)?.mlflow ?? null;
}

/** Whether another try of the failed request may succeed, and after how long the server asked (null: not said). */
export function retryOf(error: unknown): { afterMs: number | null } | undefined {
  return causeOf(error)?.retry;
}

function causeOf(error: unknown): Partial<FailureCause> | undefined {
  return (error as { cause?: unknown } | null)?.cause as Partial<FailureCause> | undefined;
}

/** A client error. */
export function failure(message: string, mlflow: MlflowFailure, original?: unknown, retry?: FailureCause["retry"]): RunnableError {
  const cause: FailureCause = retry ? { mlflow, original, retry } : { mlflow, original };
  return new RunnableError("TRACKER_ERROR", message, { cause });
}

/** No answer: a refused connection may be tried again; a timed-out request may have been applied (log-batch is not idempotent), so never. */
export function sendFailure(path: string, error: unknown, timeoutMs: number): RunnableError {
  const timedOut = (error as Error | null)?.name === "TimeoutError";
  const why = timedOut ? `no answer within ${timeoutMs} ms` : `cannot connect (${networkReason(error)})`;
  return failure(`MLflow ${path}: ${why}`, { kind: "unavailable", status: null, errorCode: null }, error, timedOut ? undefined : { afterMs: null });
}

/** The headers came but the body stalled or broke off: the request may have been applied, so it is not sent again. */
export function bodyFailure(path: string, status: number, error: unknown, timeoutMs: number): RunnableError {
  const why =
    (error as Error | null)?.name === "TimeoutError"
      ? `the answer stalled (no complete body within ${timeoutMs} ms)`
      : `the answer broke off (${networkReason(error)})`;
  return failure(`MLflow ${path}: ${why}`, { kind: "unavailable", status, errorCode: null }, error);
}

/** A successful answer's JSON object, or a failure saying the server is not an MLflow server. */
export function parseBody<T>(path: string, text: string): T {
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch (error) {
    const why = `MLflow ${path}: the answer is not JSON; is the server_url an MLflow tracking server?`;
    throw failure(why, { kind: "rejected", status: 200, errorCode: null }, error);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw failure(`MLflow ${path}: the answer is not a JSON object; is the server_url an MLflow tracking server?`, {
      kind: "rejected",
      status: 200,
      errorCode: null,
    });
  }
  return body as T;
}

/** An error status: MLflow's error code and message when the body has them; retryable for the busy statuses. */
export function httpFailure(path: string, response: Response, text: string): RunnableError {
  let errorCode: string | null = null;
  let message = text.slice(0, 500);
  try {
    const body = JSON.parse(text) as { error_code?: string; message?: string };
    errorCode = body.error_code ?? null;
    message = body.message ?? message;
  } catch {
    // not JSON (e.g. a proxy's HTML page): keep the raw text
  }
  const busy = RETRY_STATUSES.has(response.status);
  const label = errorCode ? `${response.status} ${errorCode}` : `HTTP ${response.status}`;
  const mlflow: MlflowFailure = { kind: busy ? "unavailable" : "rejected", status: response.status, errorCode };
  return failure(`MLflow ${path}: ${label}: ${message}`, mlflow, undefined, busy ? { afterMs: retryAfterMs(response) } : undefined);
}

function retryAfterMs(response: Response): number | null {
  const header = Number(response.headers.get("retry-after"));
  return Number.isFinite(header) && header > 0 ? Math.min(header * 1000, MAX_RETRY_AFTER_MS) : null;
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  return cause?.code ?? cause?.message ?? (error as Error | null)?.message ?? String(error);
}
