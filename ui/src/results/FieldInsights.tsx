// What the answers' fields hold, field by field: label bars, a numeric field's spread and histogram, the most
// frequent values of text — as computed in Rust when the run was fetched (the summary's insights).
import type { FieldInsight, HistogramBin, ValueCount } from "../backend";
import { grouped } from "../format";

/** A number as the insights show it: whole numbers as they are, others to 3 decimals. */
export function shortNumber(x: number): string {
  return Number.isInteger(x) ? grouped(x) : x.toFixed(3).replace(/0+$/, "");
}

function LabelBars({ counts, values }: { counts: ValueCount[]; values: number }) {
  const most = Math.max(1, ...counts.map((c) => c.rows));
  return (
    <ul className="label-bars">
      {counts.map((c) => (
        <li key={c.value} data-label={c.value} data-rows={c.rows}>
          <span className="label-name">{c.value}</span>
          <span className="label-bar" style={{ width: `${(c.rows * 100) / most}%` }} />
          <span className="label-count">
            {grouped(c.rows)} ({values ? Math.round((c.rows * 100) / values) : 0}%)
          </span>
        </li>
      ))}
    </ul>
  );
}

function NumberHistogram({ bins, name }: { bins: HistogramBin[]; name: string }) {
  const most = Math.max(1, ...bins.map((b) => b.rows));
  const width = 100 / bins.length;
  return (
    <svg viewBox="0 0 100 24" preserveAspectRatio="none" role="img" aria-label={`${name}: rows by value`} className="chart">
      {bins.map((b, i) => {
        const h = (b.rows / most) * 22;
        return (
          <rect key={i} x={i * width + 0.5} y={24 - h} width={width - 1} height={h} className="bar tokens">
            <title>{`${shortNumber(b.from)}–${shortNumber(b.to)}: ${b.rows} rows`}</title>
          </rect>
        );
      })}
    </svg>
  );
}

export function FieldInsights({ insights }: { insights: FieldInsight[] }) {
  if (insights.length === 0) return null;
  return (
    <div id="field-insights" className="field-insights">
      {insights.map((field) => (
        <section key={field.name} className="field-insight" data-field={field.name} aria-label={`Field ${field.name}`}>
          <h4>
            {field.name} <span className="muted">{grouped(field.values)} {field.values === 1 ? "row" : "rows"} with a value</span>
          </h4>
          {field.summary?.summary === "labels" && <LabelBars counts={field.summary.counts} values={field.values} />}
          {field.summary?.summary === "numbers" && (
            <>
              <p className="muted">
                min {shortNumber(field.summary.min)} · q1 {shortNumber(field.summary.q1)} · median {shortNumber(field.summary.median)} · q3{" "}
                {shortNumber(field.summary.q3)} · max {shortNumber(field.summary.max)} · mean {shortNumber(field.summary.mean)}
              </p>
              <NumberHistogram bins={field.summary.histogram} name={field.name} />
            </>
          )}
          {field.summary?.summary === "top_values" && (
            <>
              <p className="muted">{grouped(field.summary.distinct)} distinct; most frequent:</p>
              <ol className="top-values">
                {field.summary.top.map((c) => (
                  <li key={c.value}>
                    {c.value} <span className="muted">({grouped(c.rows)})</span>
                  </li>
                ))}
              </ol>
            </>
          )}
        </section>
      ))}
    </div>
  );
}
