import { describe, expect, it } from "vitest";

import { shares } from "./charts";

describe("shares", () => {
  it("sums to 100 by largest remainders", () => {
    expect(shares({ succeeded: 1, failed: 1, missing: 1 }).map((s) => s.percent)).toEqual([34, 33, 33]);
    expect(shares({ succeeded: 995, failed: 5, missing: 0 }).map((s) => s.percent)).toEqual([99, 1, 0]);
  });
  it("is all zero without rows", () => {
    expect(shares({ succeeded: 0, failed: 0, missing: 0 }).map((s) => s.percent)).toEqual([0, 0, 0]);
  });
});
