// Opening jobs made elsewhere with the backend faked: the account's jobs listed with whose they are, one opened
// joined to a sheet by its DataFrame index, and output files on this computer opened.
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { vi } from "vitest";

import type { AccountJobRow, OpenJobForm } from "../backend";

const job = (over: Partial<AccountJobRow>): AccountJobRow => ({
  job_arn: "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abc123", job_id: "abc123", job_name: "notebook-reviews",
  status: "Completed", message: null, model_id: "anthropic.claude-3-haiku-20240307-v1:0", submit_time: "2026-12-01T10:00:00Z",
  end_time: null, processed: 1200, total: 1500, origin: "external", run: null, ...over,
});

const backend = vi.hoisted(() => ({
  accountJobs: vi.fn(),
  openJob: vi.fn(async (form: OpenJobForm) => ({
    id: form.job ? "run-opened" : "run-files", job_name: "notebook-reviews", model_id: "m", state: "fetched", tier: "batch",
    sandbox: false, created_at: "2026-12-03", retry_of: null, parts: 1, statuses: ["Completed"], processed: 0, total: 0,
    elapsed_seconds: 0, active: false, stopped: false, has_results: true, opened: true,
    progress: { processed: 0, total: 0, queued_seconds: 0, queued_jobs: 0, eta: null, deadline: null, backlog: null },
  })),
  pickSheet: vi.fn(async () => null),
  pickFolder: vi.fn(async () => null),
  errorText: (e: unknown) => String(e),
}));
vi.mock("../backend", () => backend);

import { OpenJobs, recordsText, sheetJoin } from "./OpenJobs";

describe("opening jobs made elsewhere", () => {
  it("says where a joined sheet's record ids are, or joins none", () => {
    expect(sheetJoin("  ", "row0", "")).toEqual({ sheet: null, id_column: null, row_number_from: null });
    expect(sheetJoin(" /d/reviews.csv ", "column", " key ")).toEqual({ sheet: "/d/reviews.csv", id_column: "key", row_number_from: null });
    expect(sheetJoin("/d/reviews.csv", "row1", "key")).toEqual({ sheet: "/d/reviews.csv", id_column: null, row_number_from: 1 });
    expect(recordsText(job({}))).toBe("1,200 / 1,500");
    expect(recordsText(job({ total: null }))).toBe("-");
  });

  it("lists the account's jobs and opens one made elsewhere joined to a sheet by its DataFrame index", async () => {
    backend.accountJobs.mockResolvedValue([job({}), job({ job_arn: "arn:own", job_id: "own1", job_name: "reviews-p001", origin: "own", run: "run-own" })]);
    const onOpened = vi.fn();
    const onOpenResults = vi.fn();
    render(<OpenJobs onOpened={onOpened} onOpenResults={onOpenResults} />);
    fireEvent.change(screen.getByLabelText("Sheet the requests were made from"), { target: { value: "/d/reviews.csv" } });
    fireEvent.change(screen.getByLabelText("Each row's record id is"), { target: { value: "row0" } });
    fireEvent.change(screen.getByLabelText("Status"), { target: { value: "Completed" } });
    fireEvent.click(screen.getByRole("button", { name: "List jobs" }));
    await screen.findByText("notebook-reviews");
    expect(backend.accountJobs).toHaveBeenCalledWith({ status: "Completed", name_contains: null, submitted_after: null, limit: 200 });
    expect(screen.getByText("made elsewhere")).toBeTruthy();
    expect(screen.getByText("this tool's")).toBeTruthy();
    // The tool's own job shows its results instead of an Open button.
    fireEvent.click(screen.getByRole("button", { name: "Results" }));
    expect(onOpenResults).toHaveBeenCalledWith("run-own");

    fireEvent.click(screen.getByRole("button", { name: "Open" }));
    await waitFor(() => expect(onOpenResults).toHaveBeenCalledWith("run-opened"));
    expect(backend.openJob).toHaveBeenCalledWith({
      job: "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abc123", outputs: null, requests: null, model: null,
      sheet: "/d/reviews.csv", id_column: null, row_number_from: 0,
    });
    expect(onOpened).toHaveBeenCalledTimes(1);
  });

  it("opens output files on this computer once a folder is given", async () => {
    backend.openJob.mockClear();
    render(<OpenJobs onOpened={vi.fn()} onOpenResults={vi.fn()} />);
    const button = screen.getByRole("button", { name: "Open files" }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText("Folder (or file) of output lines"), { target: { value: " /d/downloads " } });
    fireEvent.change(screen.getByLabelText("Model (optional, for the cost)"), { target: { value: "amazon.nova-lite-v1:0" } });
    fireEvent.click(button);
    await waitFor(() => expect(backend.openJob).toHaveBeenCalled());
    expect(backend.openJob).toHaveBeenCalledWith({
      job: null, outputs: "/d/downloads", requests: null, model: "amazon.nova-lite-v1:0", sheet: null, id_column: null, row_number_from: null,
    });
  });
});
