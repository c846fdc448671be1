import { describe, expect, it } from "vitest";

import { shares, unfinishedRows } from "./charts";

describe("shares", () => {
  it("sums to 100 by largest remainders", () => {
    expect(shares({ succeeded: 1, failed: 1, missing: 1, invalid: 0, truncated: 0, empty: 0 }).map((s) => s.percent)).toEqual([34, 33, 33]);
    expect(shares({ succeeded: 995, failed: 5, missing: 0, invalid: 0, truncated: 0, empty: 0 }).map((s) => s.percent)).toEqual([99, 1, 0]);
  });
  it("shows the answer checks' statuses only when some row has one, and a retry counts them", () => {
    const checked = { succeeded: 90, failed: 2, missing: 0, invalid: 5, truncated: 3, empty: 0 };
    expect(shares(checked).map((s) => [s.status, s.percent])).toEqual([["succeeded", 90], ["failed", 2], ["missing", 0], ["invalid", 5], ["truncated", 3]]);
    expect(unfinishedRows(checked)).toBe(10);
  });
  it("is all zero without rows", () => {
    expect(shares({ succeeded: 0, failed: 0, missing: 0, invalid: 0, truncated: 0, empty: 0 }).map((s) => s.percent)).toEqual([0, 0, 0]);
  });
});
