import { count } from "./format";

describe("counts in words", () => {
  it("say one row, two rows and grouped thousands", () => {
    expect(count(1, "row")).toBe("1 row");
    expect(count(0, "row")).toBe("0 rows");
    expect(count(11, "row")).toBe("11 rows");
    expect(count(1_000_000, "row")).toBe("1,000,000 rows");
    expect(count(2, "match", "matches")).toBe("2 matches");
  });
});
