import type { CostCheck } from "../backend";
import { inputText, outputText, percent } from "./CostCheck";

const check = (over: Partial<CostCheck["input"]>): CostCheck => ({
  input: { records: 120, estimated: 10_000, sampled: 30, ratio: 1.08, expected: 10_800, low: 10_500, high: 11_100, unavailable: null, ...over },
  past_ratio: null,
  past_runs: [],
  output: { rows: 120, low: 1_200, expected: 2_400, worst: 36_000, basis: "answers of a sample of 5 rows" },
  output_sample: null,
  costs: [],
});

describe("the cost check, in words", () => {
  it("says the measured input with its band, or why it is not measured", () => {
    expect(inputText(check({}))).toBe("Input: ~10,000 tokens estimated; CountTokens on 30 rows: +8.0% → 10,800 (10,500 – 11,100).");
    const refused = check({ ratio: null, sampled: 0, unavailable: "CountTokens could not be used (CountTokens: denied)" });
    expect(inputText(refused)).toBe("Input: ~10,000 tokens estimated; CountTokens could not be used (CountTokens: denied).");
    expect(percent(0.95)).toBe("-5.0%");
  });

  it("says the output low, expected and worst, and where they come from", () => {
    expect(outputText(check({}))).toBe("Output: low 1,200, expected 2,400, worst 36,000 tokens (answers of a sample of 5 rows).");
  });
});
