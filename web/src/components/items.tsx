import { useState } from "preact/hooks";
import { type ItemsView, type Location, getJson, runPath } from "../api.js";
import { formatMs, num } from "../format.js";
import { useDebounced, useLoad } from "../hooks.js";
import { Counts, StatusBadge } from "./status.js";

const PAGE = 100;

/** The items of a map (or branches of a parallel): counts by status, a search, a page of items to open. */
export function ItemsList(props: { runId: string; location: Location; stepKey: string; live: boolean; onOpen: (location: Location) => void }) {
  const [text, setText] = useState("");
  const [status, setStatus] = useState("");
  const [offset, setOffset] = useState(0);
  const q = useDebounced(text, 250);
  const key = JSON.stringify([props.runId, props.location, props.stepKey, q, status, offset]);
  const loc = JSON.stringify(props.location);
  const page = useLoad<ItemsView>(
    key,
    () => getJson(runPath(props.runId, "items"), { loc, key: props.stepKey, q, status, offset, limit: PAGE }),
    props.live ? 1000 : undefined,
  );
  const data = page.data;
  return (
    <div class="items" data-testid="items">
      <div class="toolbar">
        <strong>{data ? `${num(data.total)} branches` : "branches"}</strong>
        {data && <Counts counts={data.counts} />}
      </div>
      <div class="toolbar">
        <input
          type="search"
          data-testid="items-search"
          placeholder="search items…"
          value={text}
          onInput={(e) => {
            setText((e.target as HTMLInputElement).value);
            setOffset(0);
          }}
        />
        <select
          data-testid="items-status"
          value={status}
          onChange={(e) => {
            setStatus((e.target as HTMLSelectElement).value);
            setOffset(0);
          }}
        >
          <option value="">any status</option>
          {Object.keys(data?.counts ?? {}).map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        {data && (
          <span class="muted" data-testid="items-count">
            {num(data.matched)} shown by filter
          </span>
        )}
      </div>
      {page.error && <p class="error">{page.error}</p>}
      <table>
        <tbody>
          {data?.items.map((item) => (
            <tr key={item.key} data-testid="item-row" data-item={item.label}>
              <td>
                <button type="button" class="link" data-testid="item-open" onClick={() => props.onOpen(item.location)}>
                  {item.label}
                </button>
              </td>
              <td>
                <StatusBadge status={item.status} />
              </td>
              <td class="num">{formatMs(item.duration_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && data.matched > PAGE && (
        <div class="pager">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            ‹
          </button>
          <span class="muted">
            {num(offset + 1)}–{num(Math.min(offset + PAGE, data.matched))} of {num(data.matched)}
          </span>
          <button type="button" disabled={offset + PAGE >= data.matched} onClick={() => setOffset(offset + PAGE)}>
            ›
          </button>
        </div>
      )}
    </div>
  );
}
