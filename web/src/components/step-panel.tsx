import { useState } from "preact/hooks";
import { type Location, type StepView, fileUrl, getJson, runPath } from "../api.js";
import { cellText } from "../format.js";
import { useLoad } from "../hooks.js";
import { Chart, ChartTable } from "./chart.js";
import { LogView } from "./log-view.js";
import { StatusBadge } from "./status.js";

function Attempts({ step }: { step: StepView["step"] }) {
  if (step.attempts.length === 0) return <p class="muted">No attempts (stubs, terminal and skipped steps have none).</p>;
  return (
    <table data-testid="attempts">
      <thead>
        <tr>
          <th>#</th>
          <th>status</th>
          <th>start</th>
          <th>end</th>
          <th>duration</th>
          <th>message</th>
        </tr>
      </thead>
      <tbody>
        {step.attempts.map((a) => (
          <tr key={a.attempt_number}>
            <td>{a.attempt_number}</td>
            <td>
              <StatusBadge status={a.status} />
            </td>
            <td class="nowrap">{a.start_time}</td>
            <td class="nowrap">{a.end_time}</td>
            <td class="num">{a.duration}</td>
            <td class="message">{a.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function KeyValues({ values, kinds, testid }: { values: Record<string, unknown>; kinds?: Record<string, string> | undefined; testid: string }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <p class="muted">(none)</p>;
  return (
    <table data-testid={testid}>
      <tbody>
        {entries.map(([key, value]) => (
          <tr key={key}>
            <th>{key}</th>
            <td class="value">
              {cellText(value, 300)}
              {kinds?.[key] && <span class="muted"> ({kinds[key]})</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Catalog({ runId, view }: { runId: string; view: StepView }) {
  const entries = view.step.data_catalog;
  if (entries.length === 0) return <p class="muted">No catalog entries.</p>;
  return (
    <table data-testid="catalog">
      <thead>
        <tr>
          <th>stage</th>
          <th>name</th>
          <th>SHA-256</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {entries.map((e, i) => (
          <tr key={i} data-testid="catalog-entry" data-name={e.name}>
            <td>{e.stage}</td>
            <td class="path">{e.name}</td>
            <td class="hash" title={e.data_hash}>
              {e.data_hash}
            </td>
            <td>
              <a href={fileUrl(runId, e.name)} download data-testid="catalog-download">
                download
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StepMetrics({ view }: { view: StepView }) {
  const entries = Object.entries(view.metrics);
  if (entries.length === 0) return <p class="muted">No metrics.</p>;
  const numeric = entries.filter(([, points]) => points.length > 0 && points.every((p) => typeof p.value === "number"));
  const lines = numeric.map(([key, points]) => ({ label: key, points: points.map((p) => [p.step, p.value as number] as [number, number]) }));
  return (
    <>
      {lines.some((l) => l.points.length > 1) && <Chart title="metrics by step" series={lines} height={200} testid="step-chart" />}
      {lines.length > 0 && <ChartTable series={lines} />}
      <KeyValues values={view.step.user_defined_metrics} testid="step-metrics" />
    </>
  );
}

/** Everything about one step log: attempts, parameters, catalog (with downloads), execution log, metrics. */
export function StepPanel({ runId, location, stepKey, live }: { runId: string; location: Location; stepKey: string; live: boolean }) {
  const key = JSON.stringify([runId, location, stepKey]);
  const loaded = useLoad<StepView>(key, () => getJson(runPath(runId, "step"), { loc: JSON.stringify(location), key: stepKey }), live ? 1000 : undefined);
  const [log, setLog] = useState<string | undefined>(undefined);
  const view = loaded.data;
  if (loaded.error) return <p class="error">{loaded.error}</p>;
  if (!view) return <p class="muted">loading…</p>;
  const step = view.step;
  const shownLog = log && view.execution_logs.includes(log) ? log : view.execution_logs[0];
  return (
    <div class="step-panel" data-testid="step-panel" data-step={step.internal_name}>
      <h2>
        {step.name} <StatusBadge status={step.status} />
      </h2>
      <p class="muted">
        {step.internal_name} · {step.step_type}
        {step.mock ? " · mocked/skipped" : ""}
        {view.branch_count ? ` · ${view.branch_count} branches` : ""}
      </p>
      {step.message && <p class="message">{step.message}</p>}
      <h3>Attempts</h3>
      <Attempts step={step} />
      <h3>Parameters</h3>
      <KeyValues values={step.attempts.at(-1)?.parameters ?? {}} kinds={step.attempts.at(-1)?.parameter_kinds} testid="step-parameters" />
      {step.attempts.at(-1)?.output_parameters && (
        <>
          <h3>Returned</h3>
          <KeyValues values={step.attempts.at(-1)!.output_parameters!} kinds={step.attempts.at(-1)!.output_parameter_kinds} testid="step-returned" />
        </>
      )}
      <h3>Metrics</h3>
      <StepMetrics view={view} />
      <h3>Catalog</h3>
      <Catalog runId={runId} view={view} />
      {shownLog && (
        <>
          <h3>Execution log</h3>
          {view.execution_logs.length > 1 && (
            <select value={shownLog} onChange={(e) => setLog((e.target as HTMLSelectElement).value)}>
              {view.execution_logs.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          )}
          <LogView runId={runId} name={shownLog} />
        </>
      )}
    </div>
  );
}
