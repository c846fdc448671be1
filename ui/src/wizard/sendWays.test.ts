import type { SendWays, TierEstimate } from "../backend";
import { costText, splitText, tierWords } from "./sendWays";

const estimate = (tier: TierEstimate["tier"], input: number, most: number): TierEstimate => ({
  tier, rows: 60, input_tokens: 6000, max_output_tokens: 6000, input_usd: input, most_usd: most,
});

const ways = (over: Partial<SendWays>): SendWays => ({
  rows: 60, batch_minimum: 100, batch_possible: false, flex_offered: true, suggested: "flex",
  estimates: [estimate("batch", 0.01, 0.1), estimate("on-demand", 0.02, 0.2), estimate("flex", 0.01, 0.1)], ...over,
});

describe("the ways of sending, in words", () => {
  it("says rows below the batch minimum go on demand, on Flex where the model offers it", () => {
    expect(splitText(ways({}))).toBe("60 rows: fewer than the 100 a batch job takes, so they go on demand (Flex): $0.01 – $0.10.");
    const standard = ways({ flex_offered: false, suggested: "on-demand", estimates: [estimate("on-demand", 0.02, 0.2)] });
    expect(splitText(standard)).toContain("so they go on demand (Standard): $0.02 – $0.20");
  });

  it("says enough rows go in a batch job, with what on demand would cost", () => {
    expect(splitText(ways({ batch_possible: true, suggested: "batch" }))).toBe(
      "60 rows go in a batch job: $0.01 – $0.10; on demand (Flex) would be $0.01 – $0.10.",
    );
    expect(tierWords("on-demand")).toBe("on demand (Standard)");
  });

  it("words a results cost by tier, and a batch run's as before", () => {
    const batch = {
      tier: "batch" as const, rows: 97, succeeded: 97, input_tokens: 1, output_tokens: 1, basis: "manifests", cost_usd: 0.5,
      estimated_input_tokens: 1, estimated_usd: [0.4, 0.6] as [number, number],
    };
    expect(costText(0.5, [batch])).toBe("batch cost $0.50 (estimated $0.40 – $0.60)");
    // A job opened from elsewhere was never estimated here.
    expect(costText(0.5, [{ ...batch, estimated_usd: null }])).toBe("batch cost $0.50");
    const flex = { ...batch, tier: "flex" as const, rows: 1, cost_usd: 0.001, estimated_usd: null };
    expect(costText(0.501, [batch, flex])).toBe(
      "cost $0.50 (batch job 97 rows: $0.50, estimated $0.40 – $0.60; on demand (Flex) 1 row: $0.0010)",
    );
  });
});
