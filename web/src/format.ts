/** A number for a table cell: at most 4 significant digits (`0.3333`, `1.235e-5`), whole numbers as they are. */
export function numText(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e9)) return value.toExponential(3).replace(/\.?0+e/, "e");
  return String(Number(value.toPrecision(4)));
}

/** Short text of a value for a table cell; `round` rounds numbers (the cell's title has the whole value: {@link fullText}). */
export function cellText(value: unknown, max = 40, round = false): string {
  if (value === undefined) return "";
  if (round && typeof value === "number") return numText(value);
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "null");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The whole value of a cell, for its title (hover). */
export function fullText(value: unknown): string {
  if (value === undefined) return "";
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "null");
}

/** `850 ms`, `12.3 s`, `4 m 05 s`, `2 h 03 m`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, "0")} m`;
}

/** Local date and time `YYYY-MM-DD HH:MM:SS`. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "";
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The CSS class of a status. */
export const statusClass = (status: string | null | undefined): string => `status-${(status ?? "none").toLowerCase()}`;

/** Thousands separators. */
export const num = (n: number): string => n.toLocaleString("en-US");

/** Distinct colours for chart series. */
export const PALETTE = ["#2f6fb0", "#d9623b", "#3f9b56", "#8e5bb5", "#c2a012", "#1fa3a3", "#c24b86", "#6b6b6b", "#7a9a1f", "#a0522d"];
