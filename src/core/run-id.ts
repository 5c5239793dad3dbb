import { RUN_ID_ADJECTIVES } from "./run-id-adjectives.js";
import { RUN_ID_SURNAMES } from "./run-id-surnames.js";

/** The word lists of generated run ids (re-exported: tests and callers read them here). */
export { RUN_ID_ADJECTIVES, RUN_ID_SURNAMES };

/** Longest run id accepted (it becomes a folder and file name). */
export const MAX_RUN_ID_LENGTH = 128;

const pick = (words: readonly string[], random: () => number): string => {
  const index = Math.min(words.length - 1, Math.max(0, Math.floor(random() * words.length)));
  return words[index] ?? "run";
};

/** A fresh run id `<adjective>-<surname>-<HHMM>` (local hour and minute of `now`), as runnable makes them. */
export function generateRunId(now: Date, random: () => number): string {
  const hhmm = `${String(now.getHours()).padStart(2, "0")}${String(now.getMinutes()).padStart(2, "0")}`;
  return `${pick(RUN_ID_ADJECTIVES, random)}-${pick(RUN_ID_SURNAMES, random)}-${hhmm}`;
}

/** How to write a run id (for messages about a bad one). */
export const RUN_ID_HINT = 'a run id is up to 128 letters, digits, ".", "_" and "-", e.g. train-2024-06-01; omit --run-id to get a generated one';

/** Why `id` cannot be a run id (it names folders and files), or undefined when it is fine. */
export function validateRunId(id: string): string | undefined {
  if (id === "") return "a run id cannot be empty";
  if (id.length > MAX_RUN_ID_LENGTH) {
    return `run id "${id.slice(0, 20)}..." is ${id.length} characters long; at most ${MAX_RUN_ID_LENGTH} are allowed`;
  }
  const bad = /[^A-Za-z0-9._-]/.exec(id);
  if (bad) {
    return `run id "${id}" contains "${bad[0]}"; use only letters, digits, ".", "_" and "-"`;
  }
  if (id.startsWith(".") || id.startsWith("-")) return `run id "${id}" cannot start with "." or "-"`;
  return undefined;
}
