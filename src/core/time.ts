/** A point in time with microsecond precision (epoch microseconds). */
export type Micros = number;

const pad = (value: number, width = 2): string => String(value).padStart(width, "0");

/** Epoch microseconds now: the wall clock at start plus the monotonic clock since (never goes backwards). */
export function nowMicros(): Micros {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** Local wall-clock time as `YYYY-MM-DD HH:MM:SS.ffffff`, as runnable writes it. */
export function formatTimestamp(micros: Micros): string {
  const date = new Date(Math.floor(micros / 1000));
  const fraction = pad(Math.floor(micros % 1_000_000), 6);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${fraction}`
  );
}

/** Elapsed time as `H:MM:SS.ffffff` (Python's timedelta text). */
export function formatDuration(micros: Micros): string {
  const total = Math.max(0, Math.round(micros));
  const seconds = Math.floor(total / 1_000_000);
  const fraction = total % 1_000_000;
  const text = `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  return fraction === 0 ? text : `${text}.${pad(fraction, 6)}`;
}

/** Parses a duration written by {@link formatDuration} back to microseconds (NaN when malformed). */
export function parseDuration(text: string): Micros {
  const match = /^(\d+):(\d{2}):(\d{2})(?:\.(\d{6}))?$/.exec(text);
  if (!match) return Number.NaN;
  const [, h, m, s, f] = match;
  return ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1_000_000 + Number(f ?? 0);
}
