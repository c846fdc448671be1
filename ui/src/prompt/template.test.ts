import { describe, expect, it } from "vitest";

import type { PromptAnalysis, SheetSummary, TemplateAnalysis } from "../backend";
import { complete, completions, openPlaceholder, problems, segments } from "./template";

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
  it("highlights Rust's pieces only while they are the template's", () => {
    const analysis: TemplateAnalysis = {
      pieces: [
        { text: "A ", kind: "text" },
        { text: "{{ id | int }}", kind: "expression" },
        { text: " b ", kind: "text" },
        { text: "{{x}}", kind: "unknown" },
      ],
      columns: ["id"],
      unknown: [{ name: "x", suggestion: null }],
      error: null,
    };
    expect(segments("A {{ id | int }} b {{x}}", analysis)).toBe(analysis.pieces);
    // Typed on since: the old pieces would misplace the marks, so the text is drawn plain until Rust answers.
    expect(segments("A {{ id | int }} b {{x}}!", analysis)).toEqual([{ text: "A {{ id | int }} b {{x}}!", kind: "text" }]);
    expect(segments("", null)).toEqual([]);
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

  it("lists unknown names with the closest column, errors, empty cells in the columns read and over-long prompts", () => {
    const totals = { rows: 10, total_tokens: 100, min_row_tokens: 5, max_row_tokens: 9000, columns_used: [] };
    const analysis: PromptAnalysis = {
      prompt: { pieces: [], columns: ["review text"], unknown: [{ name: "stars", suggestion: null }, { name: "ratng", suggestion: "rating" }], error: null },
      system: { pieces: [], columns: ["rating"], unknown: [{ name: "ratng", suggestion: "rating" }], error: "system template: line 1: `{% set %}` is not supported" },
    };
    const found = problems(summary, "{{review text}} {{stars}} {{ratng}}", analysis, totals, 8000).map((p) => p.text);
    expect(found).toEqual([
      '"stars" is not a column of the sheet; pick one of: id, review text, rating',
      '"ratng" is not a column of the sheet; did you mean "rating"?',
      "system template: line 1: `{% set %}` is not supported",
      "3 rows have an empty review text: their prompts will have a gap there",
      "1 row has an empty rating: their prompts will have a gap there",
      "the longest prompt is ~9,000 tokens, over the model's 8,000-token context; shorten the template or the column",
    ]);
    const clean: PromptAnalysis = { prompt: { pieces: [], columns: ["id"], unknown: [], error: null }, system: null };
    expect(problems(summary, "{{id}}", clean, totals, 200000)).toEqual([]);
    const constant: PromptAnalysis = { prompt: { pieces: [], columns: [], unknown: [], error: null }, system: null };
    expect(problems(summary, "Hello", constant, null, 200000).map((p) => p.text)).toEqual(["the template uses no column: every row gets the same prompt"]);
    // Before Rust has answered, nothing is claimed.
    expect(problems(summary, "{{nope}}", null, null, 200000)).toEqual([]);
  });
});
