// The Compare view with the backend faked: choose a run, see the agreement and the confusion matrix, export.
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { vi } from "vitest";

const backend = vi.hoisted(() => ({
  compareRuns: vi.fn(async (runs: string[], _exportTo: string | null) => ({
    comparison: {
      runs,
      rows: 4,
      fields: [
        {
          name: "label",
          compared: 3,
          agreed: 2,
          agreement: 2 / 3,
          confusion: [{ other_run: runs[1], cells: [{ first: "pos", other: "pos", rows: 1 }, { first: "neg", other: "neg", rows: 1 }, { first: "pos", other: "neg", rows: 1 }] }],
        },
      ],
      disagreements: [{ row: 2, values: [["pos", "neg"]] }, { row: 3, values: [["neg", ""]] }],
    },
    totals: runs.map((run) => ({ run, model_id: `model-${run}`, rows: 4, succeeded: 3, input_tokens: 100, output_tokens: 20, cost_usd: 0.001 })),
    warnings: [],
  })),
  errorText: (e: unknown) => String(e),
}));
vi.mock("../backend", () => backend);

import { CompareRuns, matrixLabels } from "./CompareRuns";

const runs = ["a", "b", "c"].map((id) => ({ id, job_name: `job-${id}`, created_at: "2026-12-03", has_results: true, retry_of: null, sandbox: true }));

describe("the Compare view", () => {
  it("compares the chosen runs with this one and exports the rows where they disagree", async () => {
    render(<CompareRuns run="a" runs={runs as never} />);
    expect(screen.queryByLabelText(/job-a/)).toBeNull();
    fireEvent.click(screen.getByLabelText(/job-b/));
    fireEvent.click(screen.getByRole("button", { name: "Compare" }));
    await screen.findByText("label: agree on 2 of 3 rows answered by every run (66.7%)");
    expect(backend.compareRuns).toHaveBeenCalledWith(["a", "b"], null);
    const matrix = screen.getByRole("table", { name: "a against b" });
    // Its caption names each run by its model first.
    expect(matrix.querySelector("caption")?.textContent).toBe("model-a (a) (rows) against model-b (b) (columns)");
    const cells = [...matrix.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(cells).toEqual([["neg", "1", "0"], ["pos", "1", "1"]]);
    expect(screen.getByText("2 rows where the runs disagree")).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Disagreements export path"), { target: { value: "/tmp/d.csv" } });
    fireEvent.click(screen.getByRole("button", { name: "Export the rows where they disagree" }));
    await screen.findByText("2 rows where the runs disagree written to /tmp/d.csv");
    await waitFor(() => expect(backend.compareRuns).toHaveBeenLastCalledWith(["a", "b"], "/tmp/d.csv"));
  });

  it("lists each label of a matrix once, sorted", () => {
    expect(matrixLabels({ other_run: "b", cells: [{ first: "z", other: "a", rows: 1 }, { first: "a", other: "a", rows: 2 }] })).toEqual(["a", "z"]);
  });
});
