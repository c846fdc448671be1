// The Model step's cost check: CountTokens on up to 30 rows of the sheet (free), optionally a few rows answered on
// demand (billed) to measure the answers, and the model's past runs — each tier's cost low, expected and worst.
// The measuring is Rust's (`measure_cost`); this shows it.
import { useState } from "react";

import * as backend from "../backend";
import type { CostCheck as Checked, MeasureForm } from "../backend";
import { grouped, usd } from "../format";
import { tierWords } from "./sendWays";

export interface CostCheckProps {
  /** The form without the number of rows to answer on demand. */
  form: Omit<MeasureForm, "test_rows">;
}

/** "+8.0%" for a ratio of 1.08. */
export function percent(ratio: number): string {
  const change = (ratio - 1) * 100;
  return `${change >= 0 ? "+" : ""}${change.toFixed(1)}%`;
}

/** The measured input in a line. */
export function inputText(c: Checked): string {
  const i = c.input;
  const base = `Input: ~${grouped(i.estimated)} tokens estimated`;
  if (i.ratio === null) return `${base}; ${i.unavailable ?? "not measured"}.`;
  return `${base}; CountTokens on ${i.sampled} rows: ${percent(i.ratio)} → ${grouped(i.expected)} (${grouped(i.low)} – ${grouped(i.high)}).`;
}

/** The answers' tokens in a line. */
export function outputText(c: Checked): string {
  const o = c.output;
  const known = (n: number | null) => (n === null ? "?" : grouped(n));
  return `Output: low ${known(o.low)}, expected ${known(o.expected)}, worst ${grouped(o.worst)} tokens (${o.basis}).`;
}

export function CostCheck({ form }: CostCheckProps) {
  const [testRows, setTestRows] = useState(0);
  const [checked, setChecked] = useState<Checked | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function measure() {
    setBusy(true);
    setError(null);
    try {
      setChecked(await backend.measureCost({ ...form, test_rows: testRows }));
    } catch (e) {
      setError(backend.errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="cost-check">
      <div className="actions">
        <button id="measure-cost" className="secondary" disabled={!form.model || busy} onClick={() => void measure()}>
          {busy ? "Measuring…" : "Measure the cost (CountTokens on 30 rows, free)"}
        </button>
        <label className="inline">
          and answer
          <input id="measure-test-rows" type="number" min={0} max={20} value={testRows} onChange={(e) => setTestRows(Math.min(20, Math.max(0, Number(e.target.value) || 0)))} />
          rows on demand (billed) to measure the answers
        </label>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {checked && (
        <div id="cost-check" role="status">
          <p>{inputText(checked)}</p>
          {checked.past_ratio !== null && <p className="muted">This model's past runs were billed {percent(checked.past_ratio)} against their estimates.</p>}
          <p>{outputText(checked)}</p>
          <table className="cost-table">
            <thead>
              <tr><th scope="col">Way</th><th scope="col">Low</th><th scope="col">Expected</th><th scope="col">Worst</th></tr>
            </thead>
            <tbody>
              {checked.costs.map((c) => (
                <tr key={c.tier} data-tier={c.tier}>
                  <td>{tierWords(c.tier)}</td><td>{usd(c.low_usd)}</td><td>{usd(c.expected_usd)}</td><td>{usd(c.worst_usd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {checked.past_runs.length > 0 && (
            <ul className="muted" aria-label="Past runs of this model">
              {checked.past_runs.map((p) => (
                <li key={p.run_id}>
                  {p.run_id}: {grouped(p.estimated_input)} input tokens estimated, {grouped(p.billed_input)} billed ({percent(p.billed_input / Math.max(1, p.estimated_input))})
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
