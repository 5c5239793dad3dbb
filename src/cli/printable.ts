// Text that came from a store (tags, messages, file names) is data: printed raw, an escape sequence in
// it would drive the terminal (change the title, rewrite lines, set colours). Human output shows it
// escaped; `--json` output is JSON, which escapes control characters itself.

/** C0 controls but tab and newline, DEL, and the C1 controls (ESC and CSI among them). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** The same, newlines and tabs included (for one-line fields). */
const CONTROL_ONE_LINE = /[\u0000-\u001f\u007f-\u009f]/g;

const escaped = (ch: string): string => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;

/** `text` with control characters shown as `\xNN` (newlines and tabs kept unless `oneLine`). */
export function printable(text: string, oneLine = false): string {
  return text.replace(oneLine ? CONTROL_ONE_LINE : CONTROL, escaped);
}

/** A copy of a JSON value with every string (and key) made {@link printable}. */
export function printableDeep<T>(value: T): T {
  if (typeof value === "string") return printable(value) as T;
  if (Array.isArray(value)) return value.map(printableDeep) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [printable(key), printableDeep(item)])) as T;
  }
  return value;
}
