import { useState } from "preact/hooks";
import { type LogPage, fileUrl, getJson, runPath } from "../api.js";
import { num } from "../format.js";
import { useDebounced, useLoad } from "../hooks.js";

const PAGE = 500;

/** An execution log from the catalog: searchable, paged by lines (secrets stay masked as stored). */
export function LogView({ runId, name }: { runId: string; name: string }) {
  const [text, setText] = useState("");
  const q = useDebounced(text, 250);
  const [offset, setOffset] = useState(0);
  const key = `${runId}\u0000${name}\u0000${q}\u0000${offset}`;
  const page = useLoad<LogPage>(key, () => getJson(runPath(runId, "log"), { name, q, offset, limit: PAGE }));
  const data = page.data;
  return (
    <div class="log" data-testid="log-view" data-log={name}>
      <div class="toolbar">
        <strong>{name}</strong>
        <input
          type="search"
          data-testid="log-search"
          placeholder="search the log…"
          value={text}
          onInput={(e) => {
            setText((e.target as HTMLInputElement).value);
            setOffset(0);
          }}
        />
        <a href={fileUrl(runId, name)} download>
          download
        </a>
        {data && (
          <span class="muted" data-testid="log-count">
            {q ? `${num(data.matched)} of ${num(data.total_lines)} lines match` : `${num(data.total_lines)} lines`}
          </span>
        )}
      </div>
      {page.error && <p class="error">{page.error}</p>}
      {data && data.total_lines === 0 && <p class="muted">(empty)</p>}
      {data && data.lines.length > 0 && (
        <pre data-testid="log-lines">
          {data.lines.map(([n, line]) => (
            <div key={n}>
              <span class="ln">{n}</span>
              {line}
            </div>
          ))}
        </pre>
      )}
      {data && data.matched > PAGE && (
        <div class="pager">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            ‹ earlier
          </button>
          <span class="muted">
            lines {num(offset + 1)}–{num(Math.min(offset + PAGE, data.matched))}
          </span>
          <button type="button" data-testid="log-next" disabled={offset + PAGE >= data.matched} onClick={() => setOffset(offset + PAGE)}>
            later ›
          </button>
        </div>
      )}
    </div>
  );
}
