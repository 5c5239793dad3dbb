import { createHash } from "node:crypto";
import { writePythonJson } from "../core/python-json.js";

/**
 * runnable's `dag_hash` (§2.9): sha1 hex of Python's `json.dumps(dag_block, sort_keys=True)`, hashed
 * as it is written (the text of a very large dag is never held whole).
 */
export function dagHash(dagBlock: unknown): string {
  const hash = createHash("sha1");
  writePythonJson(dagBlock, (piece) => hash.update(piece, "utf8"));
  return hash.digest("hex");
}
