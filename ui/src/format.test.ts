import { count, grouped } from "./format";

describe("counts in words", () => {
  it("say one row, two rows and grouped thousands", () => {
    expect(count(1, "row")).toBe("1 row");
    expect(count(0, "row")).toBe("0 rows");
    expect(count(11, "row")).toBe("11 rows");
    expect(count(1_000_000, "row")).toBe("1,000,000 rows");
    expect(count(2, "match", "matches")).toBe("2 matches");
  });
});

describe("grouped figures", () => {
  it("puts a comma between groups of three digits whatever the webview's locale", () => {
    expect([grouped(0), grouped(999), grouped(1000), grouped(100000), grouped(1234567), grouped(-2500), grouped(1234.5)]).toEqual([
      "0", "999", "1,000", "100,000", "1,234,567", "-2,500", "1,234.5",
    ]);
  });
});
