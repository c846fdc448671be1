// The Results step with the backend faked: charts, paging through a filter, the row detail, export, retry.
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { vi } from "vitest";

import type { RowFilter } from "../backend";

const rows: [number, string[]][] = [
  [1, ["great", "R1", "succeeded", "positive", "", "10", "3", "end_turn"]],
  [2, ["=cmd()", "R2", "failed", "", "ValidationException", "", "", ""]],
  [3, ["bad", "R3", "succeeded", "negative", "", "9", "4", "end_turn"]],
];

const backend = vi.hoisted(() => ({
  runs: vi.fn(async () => [{ id: "r1", job_name: "reviews", has_results: true, retry_of: null, sandbox: true, created_at: "2026-11-22" }]),
  resultsOverview: vi.fn(async () => ({
    run: "r1",
    sandbox: true,
    columns: ["review", "record_id", "status", "output", "error", "input_tokens", "output_tokens", "stop_reason"],
    answer_fields: [],
    counts: { succeeded: 2, failed: 1, missing: 0, invalid: 0, truncated: 0, empty: 0 },
    output_tokens: [{ from: 3, to: 4, rows: 2 }],
    summary: { tokens: { input_from_outputs: 19, output_from_outputs: 7, cache_read_from_outputs: 2048, cache_write_from_outputs: 0 }, batch_cost_usd: 0.00002, warnings: [] },
    asked: { model_id: "amazon.nova-lite-v1:0", max_tokens: 50, template: "Rate review {{review}}" },
  })),
  resultsPage: vi.fn(async (_run: string, filter: RowFilter, offset: number, limit: number) => {
    const matching = rows.filter((r) => !filter.status || r[1][2] === filter.status);
    return { matching: matching.length, rows: matching.slice(offset, offset + limit) };
  }),
  exportResults: vi.fn(async (_run: string, path: string) => `3 rows written to ${path} (csv)`),
  rowPrompt: vi.fn(async (_run: string, row: number) => ({ row, prompt: `Rate review ${row}`, system: null, tokens: 4 })),
  rowAttempts: vi.fn(async (_run: string, row: number) =>
    row === 2
      ? [
          { run: "r1-retry1", model_id: "amazon.nova-lite-v1:0", attempt: { folder: "job2", status: "failed", output: "", error: "ValidationException" } },
          { run: "r1", model_id: "amazon.nova-lite-v1:0", attempt: { folder: "job1", status: "failed", output: "", error: "ThrottlingException" } },
        ]
      : [],
  ),
  retryRun: vi.fn(async () => { throw "1 row failed or is missing, fewer than the 100 records a Bedrock batch job accepts"; }),
  models: vi.fn(async () => ({ models: [{ id: "amazon.nova-pro-v1:0", name: "Nova Pro" }], note: null })),
  pickExportPath: vi.fn(async () => null),
  errorText: (e: unknown) => String(e),
}));
vi.mock("../backend", () => backend);

import { ResultsStep, answerColumns, displayOrder, nextFilter, suggestedValues } from "./ResultsStep";

describe("the Results step", () => {
  it("pages, filters, shows a row, exports and explains a refused retry", async () => {
    render(<ResultsStep run="r1" onRun={() => undefined} onRetried={() => undefined} />);
    await screen.findByText("2 succeeded (67%)");
    expect(screen.getByText("1 failed (33%)")).toBeTruthy();
    expect(screen.getByText(/7 out \(prompt cache: 2,048 read, 0 written\)/)).toBeTruthy();
    await screen.findByText("3 rows");
    await waitFor(() => expect(screen.getAllByRole("gridcell").some((c) => c.textContent === "negative")).toBe(true));
    // The outcome comes first in the grid, then the input columns.
    const headers = screen.getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers.slice(0, 5)).toEqual(["row", "status", "output", "error", "review"]);
    const third = screen.getAllByRole("row").find((r) => r.getAttribute("aria-rowindex") === "4");
    expect([...(third?.querySelectorAll("[role=gridcell]") ?? [])].slice(0, 5).map((c) => c.textContent)).toEqual(["3", "succeeded", "negative", "", "bad"]);
    expect(screen.getByText(/first rows in \d+ ms/)).toBeTruthy();

    fireEvent.change(screen.getByLabelText("Status"), { target: { value: "failed" } });
    await screen.findByText("1 row", {}, { timeout: 2000 });
    expect(backend.resultsPage).toHaveBeenCalledWith("r1", { status: "failed", search: null, field: null }, 0, 1);
    await waitFor(() => expect(screen.getAllByRole("gridcell").some((c) => c.textContent === "ValidationException")).toBe(true));
    fireEvent.click(screen.getAllByRole("row").find((r) => r.textContent?.includes("ValidationException"))!);
    const detail = await screen.findByRole("complementary", { name: "Row 2" });
    expect(detail.textContent).toContain("=cmd()");
    // The prompt that was sent, asked of Rust for that row, comes first; then the outcome before the input.
    await waitFor(() => expect(detail.textContent).toContain("Prompt sent (4 tokens estimated)Rate review 2"));
    expect(backend.rowPrompt).toHaveBeenCalledWith("r1", 2);
    const terms = [...detail.querySelectorAll("dt")].map((t) => t.textContent);
    expect(terms.slice(0, 4)).toEqual(["status", "output", "error", "review"]);
    // A retried row lists its attempts, the chosen one first.
    await waitFor(() => expect(detail.querySelector("#row-attempts summary")?.textContent).toBe("2 attempts (the answer shown is the first)"));
    expect([...detail.querySelectorAll(".attempt")].map((a) => a.textContent)).toEqual([
      "failed · amazon.nova-lite-v1:0 · run r1-retry1ValidationException",
      "failed · amazon.nova-lite-v1:0 · run r1ThrottlingException",
    ]);
    // The filter's rows can be sent again as they are shown.
    fireEvent.click(screen.getByRole("button", { name: "Retry the 1 row shown" }));
    const unchanged = { model: null, max_tokens: null, template: null };
    await waitFor(() => expect(backend.retryRun).toHaveBeenCalledWith("r1", "batch", { status: "failed", search: null, field: null }, unchanged));

    fireEvent.change(screen.getByLabelText("Export path"), { target: { value: "/tmp/a.csv" } });
    fireEvent.click(screen.getByRole("button", { name: "Export to path" }));
    await screen.findByText("3 rows written to /tmp/a.csv (csv)");
    expect(backend.exportResults).toHaveBeenCalledWith("r1", "/tmp/a.csv", true);

    fireEvent.click(screen.getByRole("button", { name: "Retry 1 failed or missing row" }));
    await screen.findByText(/fewer than the 100 records/);
  });

  it("retries with another model, more tokens and another template, sending only what changed", async () => {
    backend.retryRun.mockImplementationOnce(async () => { throw "refused"; });
    backend.retryRun.mockClear();
    render(<ResultsStep run="r1" onRun={() => undefined} onRetried={() => undefined} />);
    // It starts from what the run asked.
    expect(((await screen.findByLabelText("Model")) as HTMLInputElement).value).toBe("amazon.nova-lite-v1:0");
    const panel = document.querySelector("#retry-changes") as HTMLDetailsElement;
    expect((screen.getByLabelText("Prompt template") as HTMLTextAreaElement).value).toBe("Rate review {{review}}");
    fireEvent.change(screen.getByLabelText("Model"), { target: { value: "amazon.nova-pro-v1:0" } });
    fireEvent.change(screen.getByLabelText("Most answer tokens"), { target: { value: "400" } });
    await waitFor(() => expect(panel.querySelector("summary")?.textContent).toBe("Retry with changes: model amazon.nova-pro-v1:0, 400 answer tokens"));
    fireEvent.click(screen.getByRole("button", { name: "Retry on demand" }));
    await waitFor(() =>
      expect(backend.retryRun).toHaveBeenCalledWith("r1", "flex", null, { model: "amazon.nova-pro-v1:0", max_tokens: 400, template: null }),
    );
    // Back to the run's own: nothing changes.
    fireEvent.click(screen.getByRole("button", { name: "Back to the run's own" }));
    await waitFor(() => expect(panel.querySelector("summary")?.textContent).toBe("Retry with changes (another model, more tokens, another template)"));
  });

  it("filters the rows by an answer field's value, suggesting its labels", async () => {
    const base = await backend.resultsOverview();
    const label = { name: "label", kind: { kind: "one_of", values: ["bug", "question"] }, description: "", required: true, nullable: false };
    backend.resultsOverview.mockResolvedValueOnce({
      ...base,
      columns: ["review", "label", ...base.columns.slice(1)],
      answer_fields: [label],
    } as never);
    backend.resultsPage.mockClear();
    render(<ResultsStep run="r1" onRun={() => undefined} onRetried={() => undefined} />);
    fireEvent.change(await screen.findByLabelText("Field"), { target: { value: "label" } });
    expect([...document.querySelectorAll("#field-values option")].map((o) => o.getAttribute("value"))).toEqual(["bug", "question"]);
    fireEvent.change(screen.getByLabelText("is"), { target: { value: "bug " } });
    await waitFor(() =>
      expect(backend.resultsPage).toHaveBeenCalledWith("r1", { status: null, search: null, field: { name: "label", value: "bug" } }, 0, 1),
    );
    // The rows shown can be retried, as any filter's.
    await screen.findByRole("button", { name: /Retry the \d+ rows? shown/ });
  });

  it("keeps a filter's identity when nothing changed, and suggests true and false for a yes/no field", () => {
    const current = { status: null, search: "x", field: { name: "label", value: "bug" } };
    expect(nextFilter(current, "", " x ", { name: "label", value: "bug" })).toBe(current);
    expect(nextFilter(current, "", "x", null)).toEqual({ status: null, search: "x", field: null });
    const flag = { name: "urgent", kind: { kind: "boolean" as const }, description: "", required: true, nullable: false };
    expect(suggestedValues(flag)).toEqual(["true", "false"]);
    expect(suggestedValues(null)).toEqual([]);
  });

  it("keeps the table where the user is when the search pause ends with nothing changed", async () => {
    backend.resultsPage.mockClear();
    // The clock is the test's: the 300 ms search pause ends when the test says, not when the machine gets to it.
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      render(<ResultsStep run="r1" onRun={() => undefined} onRetried={() => undefined} />);
      await screen.findByText("3 rows");
      const grid = await screen.findByRole("grid", { name: "Results" });
      await act(() => vi.advanceTimersByTimeAsync(450));
      expect(vi.getTimerCount()).toBe(0);
      expect(screen.getByRole("grid", { name: "Results" })).toBe(grid);
      const counts = backend.resultsPage.mock.calls.filter(([, , offset, limit]) => offset === 0 && limit === 1);
      expect(counts).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("orders the grid's columns outcome first, and keeps an input column named like one in place", () => {
    expect(displayOrder(["a", "record_id", "status", "output", "error", "input_tokens"])).toEqual([2, 3, 4, 0, 1, 5]);
    expect(displayOrder(["output", "record_id", "status", "output", "error"])).toEqual([2, 3, 4, 0, 1]);
    expect(displayOrder(["x", "y"])).toEqual([0, 1]);
  });

  it("puts the answer's typed fields right after the status, wide, when the run has an answer shape", () => {
    const columns = ["review", "label", "score", "record_id", "status", "output", "error", "input_tokens", "output_tokens", "stop_reason", "tier"];
    expect(displayOrder(columns, 2)).toEqual([4, 1, 2, 5, 6, 0, 3, 7, 8, 9, 10]);
    expect(answerColumns(columns, 2)).toEqual(["label", "score"]);
    expect(answerColumns(columns, 0)).toEqual(["output"]);
  });

  it("exports once however often the button is clicked while the export runs", async () => {
    let finish: (text: string) => void = () => undefined;
    backend.exportResults.mockImplementationOnce(() => new Promise<string>((done) => (finish = done)));
    backend.exportResults.mockClear();
    render(<ResultsStep run="r1" onRun={() => undefined} onRetried={() => undefined} />);
    await screen.findByText("3 rows");
    fireEvent.change(screen.getByLabelText("Export path"), { target: { value: "/tmp/b.csv" } });
    const button = screen.getByRole("button", { name: "Export to path" }) as HTMLButtonElement;
    fireEvent.click(button);
    await screen.findByText("Exporting every row of the run…");
    expect(button.disabled).toBe(true);
    fireEvent.click(button);
    expect(backend.exportResults).toHaveBeenCalledTimes(1);
    finish("3 rows written to /tmp/b.csv (csv)");
    await screen.findByText("3 rows written to /tmp/b.csv (csv)");
    expect(button.disabled).toBe(false);
    expect(screen.queryByText("Exporting every row of the run…")).toBeNull();
  });
});
