import type { StatusCounts } from "../api.js";
import { num, statusClass } from "../format.js";

/** A status badge; PROCESSING runs whose orchestrator is gone show as stale. */
export function StatusBadge({ status, stale }: { status: string | null | undefined; stale?: boolean }) {
  const shown = stale ? "stale" : (status ?? "not run");
  return <span class={`badge ${statusClass(stale ? "stale" : status)}`}>{shown}</span>;
}

/** Counts by status as small badges: `9,998 SUCCESS · 2 FAIL`. */
export function Counts({ counts }: { counts: StatusCounts | Record<string, number> }) {
  const order = ["FAIL", "PROCESSING", "CREATED", "TRIGGERED", "SUCCESS"];
  const entries = Object.entries(counts).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  return (
    <span class="counts">
      {entries.map(([status, n]) => (
        <span key={status} class={`count ${statusClass(status)}`} title={status}>
          {num(n ?? 0)} {status.toLowerCase()}
        </span>
      ))}
    </span>
  );
}
