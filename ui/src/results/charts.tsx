// Small SVG charts for the Results step: outcomes as one stacked bar, output tokens as a histogram.
import type { StatusCounts, TokenBin } from "../backend";
import { grouped } from "../format";

/** The statuses of answers checked against the run's answer shape. */
export const CHECK_STATUSES = ["invalid", "truncated", "empty"] as const;

/** Rows a retry sends again: every row without an answer in full. */
export function unfinishedRows(counts: StatusCounts): number {
  return counts.failed + counts.missing + CHECK_STATUSES.reduce((sum, status) => sum + counts[status], 0);
}

/** Each status's share of the rows, in percent (rounded so they sum to 100 when there are rows). */
export function shares(counts: StatusCounts): { status: keyof StatusCounts; rows: number; percent: number }[] {
  // The answer checks' statuses show when some row has one (a run with an answer shape).
  const checks = CHECK_STATUSES.filter((status) => counts[status] > 0);
  const order: (keyof StatusCounts)[] = ["succeeded", "failed", "missing", ...checks];
  const total = order.reduce((sum, status) => sum + counts[status], 0);
  const raw = order.map((status) => ({ status, rows: counts[status], percent: total ? (counts[status] * 100) / total : 0 }));
  const rounded = raw.map((r) => ({ ...r, percent: Math.floor(r.percent) }));
  let left = total ? 100 - rounded.reduce((sum, r) => sum + r.percent, 0) : 0;
  // Largest remainders get the leftover points; on a tie the smaller group, so a non-empty one never shows 0%.
  const byRemainder = raw
    .map((r, i) => ({ i, rest: r.percent - Math.floor(r.percent), rows: r.rows }))
    .sort((a, b) => b.rest - a.rest || a.rows - b.rows);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    if (rounded[i].rows > 0) {
      rounded[i].percent += 1;
      left -= 1;
    }
  }
  return rounded;
}

export function OutcomeBar({ counts }: { counts: StatusCounts }) {
  const parts = shares(counts);
  let x = 0;
  return (
    <figure className="chart" aria-labelledby="outcome-caption">
      <svg viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label={parts.map((p) => `${p.rows} ${p.status}`).join(", ")}>
        {parts.map((p) => {
          const rect = <rect key={p.status} x={x} y={0} width={p.percent} height={8} className={`bar ${p.status}`} />;
          x += p.percent;
          return rect;
        })}
      </svg>
      <figcaption id="outcome-caption">
        {parts.map((p) => (
          <span key={p.status} className={`legend ${p.status}`}>
            {grouped(p.rows)} {p.status} ({p.percent}%)
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

export function TokenHistogram({ bins }: { bins: TokenBin[] }) {
  if (bins.length === 0) return <p className="muted">No row reported output tokens.</p>;
  const most = Math.max(...bins.map((b) => b.rows));
  const width = 100 / bins.length;
  return (
    <figure className="chart" aria-labelledby="tokens-caption">
      <svg viewBox="0 0 100 40" preserveAspectRatio="none" role="img" aria-label="Rows by output tokens">
        {bins.map((b, i) => {
          const h = (b.rows / most) * 38;
          return (
            <rect key={b.from} x={i * width + 0.5} y={40 - h} width={width - 1} height={h} className="bar tokens">
              <title>{`${b.from}–${b.to} tokens: ${b.rows} rows`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption id="tokens-caption">
        Output tokens per row: {grouped(bins[0].from)} to {grouped(bins[bins.length - 1].to)}
      </figcaption>
    </figure>
  );
}
