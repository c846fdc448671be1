// Runs compared over the same rows, as Rust compares them (`compare_runs`): per field the agreement, a
// confusion matrix of labels (this run against each other), the rows where they disagree (exportable), and
// each run's tokens and cost.
import { useState } from "react";

import * as backend from "../backend";
import type { Confusion, RunComparison, RunRow } from "../backend";
import { count, grouped } from "../format";

/** The labels of a confusion matrix, sorted, each once. */
export function matrixLabels(confusion: Confusion): string[] {
  return [...new Set(confusion.cells.flatMap((c) => [c.first, c.other]))].sort();
}

/** A run as a matrix names it: its model, then its id. */
export function runName(compared: RunComparison, run: string): string {
  const model = compared.totals.find((t) => t.run === run)?.model_id;
  return model ? `${model} (${run})` : run;
}

function Matrix({ confusion, reference, name }: { confusion: Confusion; reference: string; name: (run: string) => string }) {
  const labels = matrixLabels(confusion);
  const rows = (first: string, other: string) => confusion.cells.find((c) => c.first === first && c.other === other)?.rows ?? 0;
  return (
    <table className="confusion" aria-label={`${reference} against ${confusion.other_run}`}>
      <caption>
        {name(reference)} (rows) against {name(confusion.other_run)} (columns)
      </caption>
      <thead>
        <tr>
          <th />
          {labels.map((l) => <th key={l} scope="col">{l}</th>)}
        </tr>
      </thead>
      <tbody>
        {labels.map((first) => (
          <tr key={first}>
            <th scope="row">{first}</th>
            {labels.map((other) => (
              <td key={other} className={first === other ? "agree" : undefined}>{grouped(rows(first, other))}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CompareRuns({ run, runs }: { run: string; runs: RunRow[] }) {
  const others = runs.filter((r) => r.id !== run);
  const [chosen, setChosen] = useState<string[]>([]);
  const [compared, setCompared] = useState<RunComparison | null>(null);
  const [exportPath, setExportPath] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function compare(exportTo: string | null) {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const result = await backend.compareRuns([run, ...chosen], exportTo);
      setCompared(result);
      if (exportTo) setMessage(`${count(result.comparison.disagreements.length, "row")} where the runs disagree written to ${exportTo}`);
    } catch (e) {
      setError(backend.errorText(e));
    } finally {
      setBusy(false);
    }
  }

  if (others.length === 0) return null;
  const toggle = (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));
  return (
    <details id="compare-runs" className="compare-runs">
      <summary>Compare with other runs over the same rows</summary>
      <fieldset>
        <legend>Runs to compare with this one</legend>
        {others.map((r) => (
          <label key={r.id} className="inline">
            <input type="checkbox" value={r.id} checked={chosen.includes(r.id)} onChange={() => toggle(r.id)} /> {r.job_name} · {r.created_at}
          </label>
        ))}
      </fieldset>
      <button id="compare-run" disabled={busy || chosen.length === 0} onClick={() => void compare(null)}>Compare</button>
      {error && <p role="alert" className="error">{error}</p>}
      {compared && (
        <div id="comparison">
          <ul className="compare-totals">
            {compared.totals.map((t) => (
              <li key={t.run}>
                {t.run} · {t.model_id}: {grouped(t.succeeded)} of {count(t.rows, "row")} answered in full, {grouped(t.input_tokens)} in + {grouped(t.output_tokens)} out
                {t.cost_usd !== null ? `, $${t.cost_usd.toFixed(4)}` : ""}
              </li>
            ))}
          </ul>
          {compared.comparison.fields.map((f) => (
            <section key={f.name} className="field-agreement" data-field={f.name}>
              <h4>
                {f.name}: agree on {grouped(f.agreed)} of {count(f.compared, "row")} answered by every run
                {f.agreement !== null ? ` (${(f.agreement * 100).toFixed(1)}%)` : ""}
              </h4>
              {f.confusion.map((c) => <Matrix key={c.other_run} confusion={c} reference={compared.comparison.runs[0]} name={(r) => runName(compared, r)} />)}
            </section>
          ))}
          <p id="disagreements">{count(compared.comparison.disagreements.length, "row")} where the runs disagree</p>
          <div className="actions">
            <label className="grow">
              <span className="visually-hidden">Disagreements export path</span>
              <input id="disagreements-path" value={exportPath} placeholder="/data/disagreements.csv" onChange={(e) => setExportPath(e.target.value)} />
            </label>
            <button id="disagreements-export" className="secondary" disabled={busy || !exportPath.trim()} onClick={() => void compare(exportPath.trim())}>
              Export the rows where they disagree
            </button>
          </div>
          {message && <p role="status">{message}</p>}
        </div>
      )}
    </details>
  );
}
