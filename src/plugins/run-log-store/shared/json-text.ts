/** JSON as runnable writes its run log files: 4-space indent, non-ASCII escaped as `\uXXXX` (Python's ensure_ascii). */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, null, 4).replace(
    /[\u0080-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
