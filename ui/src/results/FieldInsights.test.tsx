// The field insights as the Results step draws them from the summary's insights.
import { render, screen } from "@testing-library/react";

import { FieldInsights, shortNumber } from "./FieldInsights";

describe("the field insights", () => {
  it("draws label bars with counts and shares, a numeric spread with its histogram, and top values", () => {
    render(
      <FieldInsights
        insights={[
          { name: "label", values: 4, summary: { summary: "labels", counts: [{ value: "pos", rows: 3 }, { value: "neg", rows: 1 }, { value: "mixed", rows: 0 }] } },
          {
            name: "score",
            values: 3,
            summary: { summary: "numbers", min: 0, q1: 0.25, median: 0.5, q3: 0.75, max: 1, mean: 0.5, histogram: [{ from: 0, to: 0.5, rows: 1 }, { from: 0.5, to: 1, rows: 2 }] },
          },
          { name: "city", values: 2, summary: { summary: "top_values", distinct: 2, top: [{ value: "Oslo", rows: 1 }, { value: "Rome", rows: 1 }] } },
          { name: "empty", values: 0, summary: null },
        ]}
      />,
    );
    const bars = [...document.querySelectorAll(".label-bars li")].map((li) => [li.getAttribute("data-label"), li.textContent]);
    expect(bars).toEqual([["pos", "pos3 (75%)"], ["neg", "neg1 (25%)"], ["mixed", "mixed0 (0%)"]]);
    expect(screen.getByText(/min 0 · q1 0.25 · median 0.5/)).toBeTruthy();
    expect(screen.getByRole("img", { name: "score: rows by value" }).querySelectorAll("rect")).toHaveLength(2);
    expect(screen.getByText("2 distinct; most frequent:")).toBeTruthy();
    expect(screen.getByRole("region", { name: "Field empty" }).textContent).toBe("empty 0 rows with a value");
  });

  it("shows nothing for free-text runs and numbers briefly", () => {
    const { container } = render(<FieldInsights insights={[]} />);
    expect(container.textContent).toBe("");
    expect([shortNumber(1200), shortNumber(0.12345), shortNumber(2.5)]).toEqual(["1,200", "0.123", "2.5"]);
  });
});
