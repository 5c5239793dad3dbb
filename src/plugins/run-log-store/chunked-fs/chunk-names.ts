import { createHash } from "node:crypto";

/** The file holding the run fields. */
export const RUN_FILE = "RunLog.json";

/** Kinds of per-entity files. */
export type ChunkKind = "step" | "branch";

const PREFIX: Record<ChunkKind, string> = { step: "StepLog", branch: "BranchLog" };
const MAX_NAME_BYTES = 160;
const CUT_NAME_CHARS = 110;

/**
 * A name made safe as part of a file name: `%`, `/`, `\` and control characters become `%XX`
 * (dots and spaces stay, so names remain readable); very long names are cut and get a hash suffix.
 * Files are looked up by this form only; the real name is always read from the file content.
 */
export function encodeName(name: string): string {
  const safe = name.replace(/[%/\\\u0000-\u001f\u007f]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
  if (Buffer.byteLength(safe) <= MAX_NAME_BYTES) return safe;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 16);
  return `${Array.from(safe).slice(0, CUT_NAME_CHARS).join("")}~${hash}`;
}

/** `StepLog-<name>-<time_ns>.json` / `BranchLog-<name>-<time_ns>.json`. */
export function chunkFileName(kind: ChunkKind, encodedName: string, timeNs: bigint): string {
  return `${PREFIX[kind]}-${encodedName}-${timeNs}.json`;
}

/** `Parameter-<key>.json`. */
export function parameterFileName(encodedKey: string): string {
  return `Parameter-${encodedKey}.json`;
}

/** What a file name in a run folder stands for (exact parsing: the time is the digits after the last `-`). */
export type ParsedFileName = { kind: ChunkKind; encodedName: string; timeNs: bigint } | { kind: "parameter"; encodedName: string } | { kind: "run" };

/** Parses a run folder's file name; undefined for files that are not part of the log (temp files, locks). */
export function parseFileName(file: string): ParsedFileName | undefined {
  if (file === RUN_FILE) return { kind: "run" };
  const chunk = /^(StepLog|BranchLog)-(.*)-(\d+)\.json$/s.exec(file);
  if (chunk) {
    const kind: ChunkKind = chunk[1] === "StepLog" ? "step" : "branch";
    return { kind, encodedName: chunk[2] ?? "", timeNs: BigInt(chunk[3] ?? "0") };
  }
  const parameter = /^Parameter-(.*)\.json$/s.exec(file);
  return parameter ? { kind: "parameter", encodedName: parameter[1] ?? "" } : undefined;
}

/**
 * The numeric file-name suffix of an entity written with the engine's `seq`: the sequence first (so
 * files sort in walk/item order whichever process or host wrote them), then 20 bits of a hash of the
 * location (so same-named entities at different locations rarely share a name). Two processes writing
 * the same entity pick the same name.
 */
export function seqSuffix(seq: number, locationKey: string): bigint {
  let hash = 0x811c9dc5;
  for (let i = 0; i < locationKey.length; i++) hash = Math.imul(hash ^ locationKey.charCodeAt(i), 0x01000193) >>> 0;
  return BigInt(Math.max(0, Math.floor(seq))) * 1_048_576n + BigInt(hash & 0xfffff);
}

/** A clock of epoch nanoseconds that never repeats or goes back within one store instance. */
export function createNanoClock(): () => bigint {
  const base = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  let last = 0n;
  return () => {
    const now = base + process.hrtime.bigint();
    last = now > last ? now : last + 1n;
    return last;
  };
}
