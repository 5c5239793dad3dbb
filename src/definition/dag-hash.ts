import { createHash } from "node:crypto";
import { pythonJsonDumps } from "../source/python-json.js";

/** runnable's `dag_hash` (§2.9): sha1 hex of Python's `json.dumps(dag_block, sort_keys=True)`. */
export function dagHash(dagBlock: unknown): string {
  return createHash("sha1").update(pythonJsonDumps(dagBlock), "utf8").digest("hex");
}
