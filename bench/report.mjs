// One way for every benchmark to print a figure: `report({ id, label, value, unit, target, better?, note? })`
// (`better: "higher"` for a figure without a `>= N` target where larger is better) prints the
// figure against its target and against the figure recorded for its id in docs/performance.md (the table
// between the `bench:recorded` markers: one source, read by people and by this module), and a line
// "REGRESSION" when it is more than 20 % worse than the recorded one. `finishReport()` prints the summary
// at the end of a run and, when asked (`--record`), writes this run's figures into that table as the new
// reference. Timings are not tests: nothing here changes the exit code.
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join, resolve } from "node:path";

/** The file that holds the recorded figures, between START and END. */
export const RECORDED_FILE = join(resolve(import.meta.dirname, ".."), "docs", "performance.md");
export const START = "<!-- bench:recorded:start -->";
export const END = "<!-- bench:recorded:end -->";
/** How much worse than the recorded figure a figure may be before it is a regression. */
export const TOLERANCE = 0.2;
const HEADER = ["| id | figure | unit | target | recorded |", "| --- | --- | --- | --- | --- |"];

/** `"<= 1"`, `">= 5"`, `"< 2"` or a bare number (an upper bound) as `{ op, bound }`; undefined for none. */
export function parseTarget(target) {
  if (target === undefined || target === null || target === "" || target === "-") return undefined;
  if (typeof target === "number") return { op: "<=", bound: target };
  const match = /^\s*(<=|>=|<|>|≤|≥)?\s*([0-9.eE+-]+)\s*$/.exec(String(target));
  if (!match) throw new Error(`bench target ${JSON.stringify(target)}: expected "<= N" or ">= N"`);
  const op = { "≤": "<=", "≥": ">=" }[match[1]] ?? match[1] ?? "<=";
  return { op, bound: Number(match[2]) };
}

/** Whether a larger figure is better: `better: "higher"`, or a target `>= N`; else smaller is better. */
export function higherIsBetter(target, better) {
  if (better) return better === "higher";
  const parsed = parseTarget(target);
  return parsed?.op.startsWith(">") === true;
}

/** Whether `value` meets `target` (undefined when there is no target). */
export function meetsTarget(value, target) {
  const parsed = parseTarget(target);
  if (!parsed) return undefined;
  const { op, bound } = parsed;
  return op === "<=" ? value <= bound : op === "<" ? value < bound : op === ">=" ? value >= bound : value > bound;
}

/** How `value` compares with `recorded`: `{ change, regression }`, change > 0 meaning worse (a fraction). */
export function compareWithRecorded(value, recorded, target, tolerance = TOLERANCE, better = undefined) {
  if (recorded === undefined || !Number.isFinite(recorded) || !Number.isFinite(value) || recorded === 0) return undefined;
  const change = higherIsBetter(target, better) ? (recorded - value) / recorded : (value - recorded) / recorded;
  return { change, regression: change > tolerance };
}

/** The recorded figures of a markdown text: a Map id -> `{ id, value, unit, target, recorded }`. */
export function parseRecorded(markdown) {
  const figures = new Map();
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) return figures;
  for (const line of markdown.slice(start + START.length, end).split("\n")) {
    const cells = line
      .trim()
      .replace(/^\|/, "")
      .replace(/\|$/, "")
      .split("|")
      .map((cell) => cell.trim());
    if (cells.length < 5 || cells[0] === "id" || /^-+$/.test(cells[0])) continue;
    const [id, figure, unit, target, recorded] = cells;
    const value = Number(figure);
    if (!id || !Number.isFinite(value)) continue;
    figures.set(id.replace(/`/g, ""), { id: id.replace(/`/g, ""), value, unit, target: target === "-" ? undefined : target, recorded });
  }
  return figures;
}

/** A figure as text: 3 significant digits or so, no exponent. */
export function formatValue(value) {
  if (!Number.isFinite(value)) return String(value);
  const size = Math.abs(value);
  return value.toFixed(size >= 100 ? 0 : size >= 10 ? 1 : size >= 1 ? 2 : 3);
}

/** `markdown` with the recorded table replaced by `figures` (the old rows kept where not measured again). */
export function renderRecorded(markdown, figures, stamp) {
  const rows = parseRecorded(markdown);
  for (const figure of figures) rows.set(figure.id, { ...figure, recorded: stamp });
  const lines = [...rows.values()]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((f) => `| ${f.id} | ${formatValue(f.value)} | ${f.unit} | ${f.target ?? "-"} | ${f.recorded} |`);
  const table = [START, ...HEADER, ...lines, END].join("\n");
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start < 0 || end < start) return `${markdown.trimEnd()}\n\n${table}\n`;
  return markdown.slice(0, start) + table + markdown.slice(end + END.length);
}

/** The line a figure prints, and whether it regressed: `{ line, regression, met }`. */
export function describeFigure(figure, recorded) {
  const { id, label, value, unit, target, note, better } = figure;
  const met = meetsTarget(value, target);
  const parts = [`${label ?? id}: ${formatValue(value)} ${unit}`];
  if (target !== undefined) parts.push(`[target ${target} ${unit}: ${met ? "ok" : "MISSED"}]`);
  const compared = compareWithRecorded(value, recorded?.value, target, TOLERANCE, better);
  if (compared) {
    const sign = compared.change > 0 ? "worse" : "better";
    parts.push(`(recorded ${formatValue(recorded.value)}: ${Math.abs(compared.change * 100).toFixed(0)} % ${sign})`);
  } else parts.push("(not recorded yet)");
  const line = `${parts.join(" ")}${note ? `; ${note}` : ""}  {${id}}`;
  return { line, regression: compared?.regression === true, met };
}

/** A report session: figures printed as they come, a summary at the end. */
export function createReporter({ file = RECORDED_FILE, log = console.log } = {}) {
  let recorded;
  const figures = [];
  const regressions = [];
  const read = () => {
    if (recorded) return recorded;
    try {
      recorded = parseRecorded(readFileSync(file, "utf8"));
    } catch {
      recorded = new Map();
    }
    return recorded;
  };
  return {
    report(figure) {
      if (!figure.id || typeof figure.value !== "number") throw new Error("report() needs an id and a numeric value");
      const reference = read().get(figure.id);
      const { line, regression, met } = describeFigure(figure, reference);
      figures.push({ ...figure, met });
      log(line);
      if (regression) {
        const text = `REGRESSION ${figure.id}: ${formatValue(figure.value)} ${figure.unit} against ${formatValue(reference.value)} recorded (${reference.recorded})`;
        regressions.push(text);
        log(text);
      }
    },
    finish({ record = false, title = "benchmark" } = {}) {
      const missed = figures.filter((f) => f.met === false).map((f) => f.id);
      const load = loadavg()
        .map((l) => l.toFixed(1))
        .join(" ");
      const targeted = figures.filter((f) => f.met !== undefined).length;
      const met = figures.filter((f) => f.met).length;
      log(`\n${title} summary (load average ${load}): ${figures.length} figures, ${targeted} with a target: ${met} met, ${missed.length} missed`);
      if (missed.length) log(`  missed: ${missed.join(", ")}`);
      if (regressions.length) {
        log(`  ${regressions.length} REGRESSION(S) of more than ${TOLERANCE * 100} % against ${file}:`);
        for (const text of regressions) log(`  ${text}`);
      } else log(`  no regression of more than ${TOLERANCE * 100} % against the recorded figures`);
      if (loadavg()[0] > availableParallelism())
        log(`  the load average is above the ${availableParallelism()} cores: timings are inflated (compare on a quiet machine)`);
      if (record && figures.length) {
        const stamp = `${new Date().toISOString().slice(0, 10)}, load ${load}`;
        writeFileSync(file, renderRecorded(readFileSync(file, "utf8"), figures, stamp));
        log(`  recorded ${figures.length} figures as the new reference in ${file}`);
      }
      return { figures, regressions, missed };
    },
  };
}

const session = createReporter();
/** Prints a figure against its target and its recorded figure (the process-wide session). */
export const report = (figure) => session.report(figure);
/** Prints the session's summary; with `record`, writes its figures as the new reference. */
export const finishReport = (options) => session.finish(options);
/** Whether the command line asks to record this run's figures (`--record`). */
export const recordRequested = (argv = process.argv) => argv.includes("--record");
