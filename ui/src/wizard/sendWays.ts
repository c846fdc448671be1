// How a run's rows are sent, in words: a batch job or on-demand calls (Standard or Flex), each way's cost, and the
// split the Model and Submit steps show. The rules (the batch minimum, which models offer Flex, the prices) are
// Rust's, through `send_ways`; this only words them.
import type { SendWays, Tier, TierEstimate, TierTotals } from "../backend";
import { count, usd } from "../format";

/** The way of sending, as a choice reads. */
export function tierWords(tier: Tier): string {
  switch (tier) {
    case "batch":
      return "batch job";
    case "on-demand":
      return "on demand (Standard)";
    case "flex":
      return "on demand (Flex)";
  }
}

/** "$0.01 – $0.20": from the input alone to every answer at its maximum. */
export function rangeText(estimate: TierEstimate | undefined): string {
  if (!estimate || estimate.most_usd === null) return "cost unknown";
  return `${usd(estimate.input_usd)} – ${usd(estimate.most_usd)}`;
}

/** The estimate of one way. */
export function estimateOf(ways: SendWays, tier: Tier): TierEstimate | undefined {
  return ways.estimates.find((e) => e.tier === tier);
}

/** What happens to the rows unless the user chooses otherwise, and what the other ways would cost. */
export function splitText(ways: SendWays): string {
  const onDemand: Tier = ways.flex_offered ? "flex" : "on-demand";
  if (!ways.batch_possible) {
    return `${count(ways.rows, "row")}: fewer than the ${ways.batch_minimum} a batch job takes, so they go ${tierWords(onDemand)}: ${rangeText(estimateOf(ways, onDemand))}.`;
  }
  return `${count(ways.rows, "row")} go in a ${tierWords("batch")}: ${rangeText(estimateOf(ways, "batch"))}; ${tierWords(onDemand)} would be ${rangeText(estimateOf(ways, onDemand))}.`;
}

/** ", estimated $a – $b" beside a tier's cost, when the estimate is known. */
function estimated(t: TierTotals): string {
  return t.estimated_usd ? `, estimated ${usd(t.estimated_usd[0])} – ${usd(t.estimated_usd[1])}` : "";
}

/** A results summary's cost beside its estimate: "batch cost $x" for a batch run, else the total with each tier's
 * share. */
export function costText(total: number | null, tiers: TierTotals[]): string {
  if (tiers.length <= 1 && tiers.every((t) => t.tier === "batch")) {
    // A job opened from elsewhere had no estimate: nothing to put beside the cost.
    const estimate = tiers[0] ? estimated(tiers[0]).slice(2) : "";
    return `batch cost ${usd(total)}${estimate ? ` (${estimate})` : ""}`;
  }
  const shares = tiers.map((t) => `${tierWords(t.tier)} ${count(t.rows, "row")}: ${usd(t.cost_usd)}${estimated(t)}`).join("; ");
  return `cost ${usd(total)} (${shares})`;
}
