// Cron schedules as Kubernetes CronJobs and Argo CronWorkflows take them: robfig/cron v3's ParseStandard
// (five fields minute hour day-of-month month day-of-week, month and weekday names, `*`, `?`, ranges,
// steps, lists, `@hourly`-style descriptors), with robfig's messages, so a schedule is refused here, at its
// line, with the words the API server would answer. (The Kubernetes stand-in of the tests parses on its own.)

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: Object.fromEntries(MONTHS.map((name, i) => [name, i + 1])) },
  { min: 0, max: 6, names: Object.fromEntries(DAYS.map((name, i) => [name, i])) },
];
const DESCRIPTORS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);

/** The parse error of a standard cron schedule, or undefined when robfig's `cron.ParseStandard` accepts it. */
export function cronScheduleError(spec: string): string | undefined {
  if (spec.length === 0) return "empty spec string";
  let rest = spec;
  if (rest.startsWith("TZ=") || rest.startsWith("CRON_TZ=")) rest = rest.slice(rest.indexOf(" ") + 1).trim();
  if (rest.startsWith("@")) return descriptorError(rest);
  const fields = rest.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]`;
  for (const [i, field] of fields.entries()) {
    for (const expr of field.split(",")) {
      const error = rangeError(expr, FIELDS[i]!);
      if (error) return error;
    }
  }
  return undefined;
}

function descriptorError(spec: string): string | undefined {
  if (DESCRIPTORS.has(spec)) return undefined;
  if (spec.startsWith("@every ")) {
    const duration = spec.slice("@every ".length);
    return /^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h))*$/.test(duration) || duration === "0"
      ? undefined
      : `failed to parse duration ${spec}: time: invalid duration "${duration}"`;
  }
  return `unrecognized descriptor: ${spec}`;
}

function rangeError(expr: string, bounds: Bounds): string | undefined {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0]!.split("-");
  let start: number;
  let end: number;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    [start, end] = [bounds.min, bounds.max];
  } else {
    const low = intOrName(lowAndHigh[0]!, bounds.names);
    if (typeof low === "string") return low;
    start = end = low;
    if (lowAndHigh.length === 2) {
      const high = intOrName(lowAndHigh[1]!, bounds.names);
      if (typeof high === "string") return high;
      end = high;
    } else if (lowAndHigh.length > 2) return `too many hyphens: ${expr}`;
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    const parsed = atoi(rangeAndStep[1]!);
    if (typeof parsed === "string") return parsed;
    step = parsed;
    if (lowAndHigh.length === 1) end = bounds.max; // "N/step" means "N-max/step"
  } else if (rangeAndStep.length > 2) return `too many slashes: ${expr}`;
  if (start < bounds.min) return `beginning of range (${start}) below minimum (${bounds.min}): ${expr}`;
  if (end > bounds.max) return `end of range (${end}) above maximum (${bounds.max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  if (step === 0) return `step of range should be a positive number: ${expr}`;
  return undefined;
}

function intOrName(expr: string, names?: Record<string, number>): number | string {
  const named = names?.[expr.toLowerCase()];
  return named ?? atoi(expr);
}

// strconv.Atoi: an optional sign and decimal digits; robfig then rejects negatives.
function atoi(expr: string): number | string {
  if (!/^[+-]?[0-9]+$/.test(expr)) return `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`;
  const num = Number(expr);
  return num < 0 ? `negative number (${num}) not allowed: ${expr}` : num;
}
