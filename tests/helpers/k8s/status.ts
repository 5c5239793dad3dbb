// Kubernetes `Status` bodies, as the API server sends them for failed requests (API conventions,
// "Response Status Kind": https://github.com/kubernetes/community/blob/master/contributors/devel/sig-architecture/api-conventions.md#response-status-kind
// and k8s.io/apimachinery/pkg/api/errors for the exact messages).

/** One cause of an Invalid (422) error: the field path, the reason and the message. */
export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

/** A `metav1.Status` object with `status: Failure`. */
export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

/** The API resource an error is about: plural name and group ("" for the core group). */
export interface ResourceRef {
  resource: string;
  group: string;
}

/** An API failure carrying the `Status` body and HTTP code the stand-in answers with. */
export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

function status(code: number, reason: string, message: string, details?: Status["details"]): ApiError {
  return new ApiError({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code });
}

/** `jobs.batch` or `pods`: the qualified resource name used in messages. */
export function qualified(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

/** 404 for a missing object: `jobs.batch "x" not found`. */
export function notFound(ref: ResourceRef, name: string): ApiError {
  return status(404, "NotFound", `${qualified(ref)} "${name}" not found`, { name, group: ref.group || undefined, kind: ref.resource });
}

/** 404 for a missing namespace (creating in it): `namespaces "x" not found`. */
export function namespaceNotFound(name: string): ApiError {
  return status(404, "NotFound", `namespaces "${name}" not found`, { name, kind: "namespaces" });
}

/** 404 for a path the server does not serve. */
export function noSuchResource(): ApiError {
  return status(404, "NotFound", "the server could not find the requested resource", {});
}

/** 409 for a create whose name is taken. */
export function alreadyExists(ref: ResourceRef, name: string): ApiError {
  return status(409, "AlreadyExists", `${qualified(ref)} "${name}" already exists`, { name, group: ref.group || undefined, kind: ref.resource });
}

/** 409 for an update based on an old resourceVersion. */
export function conflict(ref: ResourceRef, name: string, why: string): ApiError {
  return status(409, "Conflict", `Operation cannot be fulfilled on ${qualified(ref)} "${name}": ${why}`, {
    name,
    group: ref.group || undefined,
    kind: ref.resource,
  });
}

/** 403 as RBAC words it: `User "u" cannot create resource "jobs" in API group "batch" in the namespace "ns"`. */
export function forbidden(ref: ResourceRef & { subresource?: string }, verb: string, user: string, namespace: string, name?: string): ApiError {
  const resource = ref.subresource ? `${ref.resource}/${ref.subresource}` : ref.resource;
  const what = name ? `${qualified(ref)} "${name}"` : qualified(ref);
  const message = `${what} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${ref.group}" in the namespace "${namespace}"`;
  return status(403, "Forbidden", message, { ...(name ? { name } : {}), group: ref.group || undefined, kind: ref.resource });
}

/** 401 for a request without the kubeconfig's bearer token. */
export function unauthorized(): ApiError {
  return status(401, "Unauthorized", "Unauthorized");
}

/** 400, e.g. a body that cannot be decoded (strict decoding errors, wrong JSON types). */
export function badRequest(message: string): ApiError {
  return status(400, "BadRequest", message);
}

/** 405 for a verb the stand-in does not serve on a path. */
export function methodNotAllowed(): ApiError {
  return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
}

/** 410 for a watch from a resourceVersion older than the kept history. */
export function expired(resourceVersion: string): ApiError {
  return status(410, "Expired", `too old resource version: ${resourceVersion}`);
}

/** 415 for a PATCH content type the stand-in does not know. */
export function unsupportedMediaType(type: string): ApiError {
  return status(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json; got ${type}`,
  );
}

/** 422 Invalid with one cause per field error; the message joins them as the server does. */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): ApiError {
  const parts = causes.map((cause) => `${cause.field}: ${cause.message}`);
  const list = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  return status(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${list}`, { name, group: group || undefined, kind, causes });
}

/** A field error as `field.Required`: "Required value" (with an optional detail). */
export function required(field: string, detail = ""): StatusCause {
  return { reason: "FieldValueRequired", message: detail ? `Required value: ${detail}` : "Required value", field };
}

/** A field error as `field.Invalid`: `Invalid value: <value>: <detail>`. */
export function invalidValue(field: string, value: unknown, detail: string): StatusCause {
  return { reason: "FieldValueInvalid", message: `Invalid value: ${goValue(value)}: ${detail}`, field };
}

/** A field error as `field.NotSupported`: `Unsupported value: "x": supported values: "a", "b"`. */
export function notSupported(field: string, value: unknown, valid: string[]): StatusCause {
  return {
    reason: "FieldValueNotSupported",
    message: `Unsupported value: ${goValue(value)}: supported values: ${valid.map((v) => `"${v}"`).join(", ")}`,
    field,
  };
}

/** A field error as `field.Duplicate`. */
export function duplicate(field: string, value: unknown): StatusCause {
  return { reason: "FieldValueDuplicate", message: `Duplicate value: ${goValue(value)}`, field };
}

/** A field error as `field.NotFound` (e.g. a volume mount naming no volume). */
export function fieldNotFound(field: string, value: unknown): StatusCause {
  return { reason: "FieldValueNotFound", message: `Not found: ${goValue(value)}`, field };
}

/** A field error as `field.Forbidden`. */
export function fieldForbidden(field: string, detail: string): StatusCause {
  return { reason: "FieldValueForbidden", message: `Forbidden: ${detail}`, field };
}

// field.Error prints strings quoted and numbers/booleans bare (%#v for the common types).
function goValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "{...}";
}
