import type { SweepTable } from "../../../src/ui/sweep-api.js";
import { getJson, runPath } from "../api.js";
import { useLoad } from "../hooks.js";
import { navigate } from "../router.js";
import { SweepSection, type SweepSort } from "./sweep.js";

/** `loss:desc` → the sort; anything else → none. */
function parseSort(text: string | undefined): SweepSort | undefined {
  const match = /^(.+):(asc|desc)$/.exec(text ?? "");
  return match ? { column: match[1]!, descending: match[2] === "desc" } : undefined;
}

/** The run page's sweeps tab: one section per map or parallel step; the sort is in the address (`sort=loss:asc`). */
export function SweepsTab({ runId, params, live }: { runId: string; params: Record<string, string>; live: boolean }) {
  const loaded = useLoad<{ sweeps: SweepTable[] }>(`${runId}\u0000sweeps`, () => getJson(runPath(runId, "sweeps")), live ? 2000 : undefined);
  const sort = parseSort(params.sort);
  const setSort = (next: SweepSort) => navigate(["run", runId], { ...params, sort: `${next.column}:${next.descending ? "desc" : "asc"}` }, true);
  if (loaded.error) return <p class="error">{loaded.error}</p>;
  if (!loaded.data) return <p class="muted">loading…</p>;
  if (loaded.data.sweeps.length === 0)
    return (
      <p class="muted" data-testid="no-sweeps">
        This run has no map or parallel step.
      </p>
    );
  return (
    <div data-testid="sweeps">
      {loaded.data.sweeps.map((sweep) => (
        <SweepSection key={sweep.step} runId={runId} sweep={sweep} sort={sort} setSort={setSort} />
      ))}
    </div>
  );
}
