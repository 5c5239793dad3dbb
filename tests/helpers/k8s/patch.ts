import { badRequest, unsupportedMediaType } from "./status.js";

// PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and strategic merge patch
// approximated as a merge patch (lists are replaced whole; `$patch` directives are not supported).

type Obj = Record<string, any>;

/** Applies a PATCH body of `contentType` to a copy of `target`. */
export function applyPatch(target: Obj, body: unknown, contentType: string): Obj {
  const type = contentType.split(";")[0]!.trim();
  if (type === "application/merge-patch+json" || type === "application/strategic-merge-patch+json") return mergePatch(structuredClone(target), body) as Obj;
  if (type === "application/json-patch+json") return jsonPatch(structuredClone(target), body);
  throw unsupportedMediaType(type);
}

/** RFC 7386: objects merge recursively, null removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const result = (target !== null && typeof target === "object" && !Array.isArray(target) ? target : {}) as Obj;
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw badRequest(`the server rejected our request due to an error in our request: invalid JSON pointer ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(root: Obj, parts: string[], path: string): [Obj | unknown[], string] {
  let node: any = root;
  for (const part of parts.slice(0, -1)) {
    node = node?.[Array.isArray(node) ? Number(part) : part];
    if (node === undefined || node === null || typeof node !== "object")
      throw badRequest(`the server rejected our request due to an error in our request: doc is missing path: "${path}"`);
  }
  return [node, parts.at(-1)!];
}

/** RFC 6902 operations: add, remove, replace, move, copy, test. */
export function jsonPatch(document: Obj, body: unknown): Obj {
  if (!Array.isArray(body)) throw badRequest("the server rejected our request due to an error in our request: json patch must be an array of operations");
  for (const operation of body as Obj[]) {
    const { op, path, value, from } = operation as { op: string; path: string; value: unknown; from: string };
    const read = (p: string): unknown => pointer(p).reduce((node: any, part) => node?.[part], document);
    if (op === "test") {
      if (JSON.stringify(read(path)) !== JSON.stringify(value))
        throw badRequest(`the server rejected our request due to an error in our request: testing value ${path} failed`);
      continue;
    }
    const parts = pointer(path);
    const [parent, key] = parentOf(document, parts, path);
    const isArray = Array.isArray(parent);
    const index = isArray ? (key === "-" ? parent.length : Number(key)) : -1;
    if (op === "remove" || op === "move") {
      const source = op === "move" ? pointer(from) : parts;
      const [sourceParent, sourceKey] = parentOf(document, source, op === "move" ? from : path);
      const moved = read(op === "move" ? from : path);
      if (moved === undefined)
        throw badRequest(`the server rejected our request due to an error in our request: doc is missing path: "${op === "move" ? from : path}"`);
      if (Array.isArray(sourceParent)) sourceParent.splice(Number(sourceKey), 1);
      else delete (sourceParent as Obj)[sourceKey];
      if (op === "remove") continue;
      insert(parent, key, moved, isArray, index);
      continue;
    }
    const newValue = op === "copy" ? structuredClone(read(from)) : value;
    if (op === "replace" && (isArray ? index >= parent.length : !(key in parent))) {
      throw badRequest(`the server rejected our request due to an error in our request: doc is missing key: ${path}`);
    }
    if (op === "replace" && isArray) (parent as unknown[])[index] = newValue;
    else if (op === "add" || op === "copy" || op === "replace") insert(parent, key, newValue, isArray && op !== "replace", index);
    else throw badRequest(`the server rejected our request due to an error in our request: unexpected kind of operation ${JSON.stringify(op)}`);
  }
  return document;
}

function insert(parent: Obj | unknown[], key: string, value: unknown, isArray: boolean, index: number): void {
  if (isArray) (parent as unknown[]).splice(index, 0, value);
  else (parent as Obj)[key] = value;
}
