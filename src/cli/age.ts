import { RunnableError } from "../core/errors.js";

// Ages on the command line (`runs gc --older-than 30d`). A month is 30 days and a year 365, which is what
// a reader of "older than 6mo" expects of a clean-up. `m` alone is minutes only where it cannot be read
// as months: after an hours part (`1h30m`) or from 60 up (`90m`); `1m`..`59m` are refused with a hint,
// since deleting every run older than six minutes when six months were meant cannot be undone.

const SECOND = 1000;
const DAY = 86_400_000;

/** Milliseconds per unit, by every spelling accepted. */
const UNITS: Readonly<Record<string, number>> = {
  s: SECOND,
  sec: SECOND,
  secs: SECOND,
  second: SECOND,
  seconds: SECOND,
  min: 60 * SECOND,
  mins: 60 * SECOND,
  minute: 60 * SECOND,
  minutes: 60 * SECOND,
  h: 3600 * SECOND,
  hr: 3600 * SECOND,
  hrs: 3600 * SECOND,
  hour: 3600 * SECOND,
  hours: 3600 * SECOND,
  d: DAY,
  day: DAY,
  days: DAY,
  w: 7 * DAY,
  week: 7 * DAY,
  weeks: 7 * DAY,
  mo: 30 * DAY,
  month: 30 * DAY,
  months: 30 * DAY,
  y: 365 * DAY,
  year: 365 * DAY,
  years: 365 * DAY,
};

/** How the hint writes the accepted forms. */
export const AGE_EXAMPLES = "30d, 12h, 90m, 1h30m, 45min, 2w, 6mo, 1y";

function notADuration(option: string, text: string): RunnableError {
  return new RunnableError("CLI_USAGE", `${option} "${text}" is not a duration`, {
    hint: `Write it like ${AGE_EXAMPLES} (s, min, h, d, w, mo = 30 days, y = 365 days).`,
  });
}

function ambiguousMinutes(option: string, text: string, count: string): RunnableError {
  const plural = count === "1" ? "" : "s";
  return new RunnableError("CLI_USAGE", `${option} "${text}" is ambiguous: "${count}m" may mean ${count} minute${plural} or ${count} month${plural}`, {
    hint: `Write ${count}min for minutes or ${count}mo for months (m alone is read as minutes only from 60m up, or after hours as in 1h30m).`,
  });
}

/** Milliseconds of an age such as `30d`, `12h`, `90m`, `1d12h`, `45min`, `6mo` or `1y`; ambiguous `1m`..`59m` are refused. */
export function parseAge(text: string, option = "--older-than"): number {
  const compact = text.trim().replace(/\s+/g, "");
  const parts = [...compact.matchAll(/(\d+(?:\.\d+)?)([a-z]+)/gi)];
  if (parts.length === 0 || parts.map((part) => part[0]).join("") !== compact) throw notADuration(option, text);
  let total = 0;
  let afterHours = false;
  for (const [, count, rawUnit] of parts) {
    const unit = rawUnit!.toLowerCase();
    if (unit === "m") {
      if (!afterHours && Number(count) < 60) throw ambiguousMinutes(option, text, count!);
      total += Number(count) * UNITS["min"]!;
      continue;
    }
    const size = UNITS[unit];
    if (size === undefined) throw notADuration(option, text);
    total += Number(count) * size;
    afterHours = size === UNITS["h"];
  }
  return total;
}
