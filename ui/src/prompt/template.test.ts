import { describe, expect, it } from "vitest";

import type { SheetSummary } from "../backend";
import { complete, completions, openPlaceholder, placeholders, problems, segments } from "./template";

const summary: SheetSummary = {
  meta: { path: "/s.csv", format: "csv", sheet: null, delimiter: 44, headers: ["id", "review text", "rating"] },
  sheets: [],
  rows: 10,
  columns: [
    { name: "id", kind: "number", empty_cells: 0 },
    { name: "review text", kind: "text", empty_cells: 3 },
    { name: "rating", kind: "number", empty_cells: 1 },
  ],
};

describe("template", () => {
  it("splits placeholders for highlighting", () => {
    expect(placeholders("Rate {{ review text }} ({{nope}})")).toEqual(["review text", "nope"]);
    expect(segments("A {{id}} b {{x}}", summary.meta.headers)).toEqual([
      { text: "A " },
      { text: "{{id}}", column: "id", known: true },
      { text: " b " },
      { text: "{{x}}", column: "x", known: false },
    ]);
  });

  it("completes an open placeholder at the caret", () => {
    const text = "Say {{re";
    const open = openPlaceholder(text, text.length);
    expect(open).toEqual({ start: 6, typed: "re" });
    expect(completions(summary.meta.headers, "t")).toEqual(["review text", "rating"]);
    expect(completions(summary.meta.headers, "R")).toEqual(["review text", "rating"]);
    expect(completions(summary.meta.headers, "ra")).toEqual(["rating"]);
    expect(complete(text, text.length, 6, "review text")).toEqual({ text: "Say {{review text}}", caret: 19 });
    expect(openPlaceholder("{{id}} done", 11)).toBeNull();
  });

  it("lists unknown columns, empty cells and over-long prompts", () => {
    const totals = { rows: 10, total_tokens: 100, min_row_tokens: 5, max_row_tokens: 9000, columns_used: [] };
    const found = problems(summary, "{{review text}} {{stars}}", totals, 8000).map((p) => p.text);
    expect(found[0]).toContain("{{stars}} is not a column");
    expect(found[1]).toBe("3 rows have an empty review text: their prompts will have a gap there");
    expect(found[2]).toContain("over the model's 8,000-token context");
    expect(problems(summary, "{{id}}", totals, 200000)).toEqual([]);
  });
});
