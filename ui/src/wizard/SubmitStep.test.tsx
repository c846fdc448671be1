// The Submit step with the backend faked: a run's first events arrive before its submit call answers (a
// small run is uploaded by then), and the progress must still count them.
import { fireEvent, render, screen } from "@testing-library/react";
import { vi } from "vitest";

import type { RunBytesMessage as RunBytes, RunEventMessage as RunEvent } from "../backend";

const handlers = vi.hoisted(() => ({ event: [] as ((e: RunEvent) => void)[], bytes: [] as ((e: RunBytes) => void)[] }));

const backend = vi.hoisted(() => ({
  onRunEvent: vi.fn(async (handler: (e: RunEvent) => void) => {
    handlers.event.push(handler);
    return () => undefined;
  }),
  onRunBytes: vi.fn(async (handler: (e: RunBytes) => void) => {
    handlers.bytes.push(handler);
    return () => undefined;
  }),
  submit: vi.fn(async (_form: unknown) => {
    const event = (e: RunEvent["event"]) => handlers.event.forEach((h) => h({ run: "r1", event: e }));
    event({ event: "upload_started", part: 1, target: "s3://in/r1/part-001.jsonl", bytes: 4000 });
    handlers.bytes.forEach((h) => h({ run: "r1", bytes: 4000 }));
    event({ event: "uploaded", part: 1, sent: true });
    // Another run's bytes are not this one's.
    handlers.bytes.forEach((h) => h({ run: "other", bytes: 999 }));
    event({ event: "upload_started", part: 2, target: "s3://in/r1/part-002.jsonl", bytes: 4000 });
    handlers.bytes.forEach((h) => h({ run: "r1", bytes: 1000 }));
    return {
      id: "r1", job_name: "reviews", model_id: "amazon.nova-lite-v1:0", state: "uploading", tier: "batch", sandbox: true,
      created_at: "2026-11-22", retry_of: null, parts: 2, statuses: [], processed: 0, total: 200,
      elapsed_seconds: 0, active: true, has_results: false,
    };
  }),
  submitToModels: vi.fn(async (_form: unknown, models: string[]) =>
    models.map((model, i) => ({
      id: `r${i + 1}`, job_name: `reviews-${i + 1}`, model_id: model, state: "uploading", tier: "batch", sandbox: true,
      created_at: "2026-12-03", retry_of: null, parts: 1, statuses: [], processed: 0, total: 200,
      elapsed_seconds: 0, active: true, has_results: false,
    })),
  ),
  sendWays: vi.fn(async (_model: string, rows: number) => {
    const estimate = (tier: "batch" | "on-demand") => ({ tier, rows, input_tokens: 10 * rows, max_output_tokens: 100 * rows, input_usd: 0.001, most_usd: 0.05 });
    return {
      rows, batch_minimum: 100, batch_possible: rows >= 100, flex_offered: false,
      suggested: rows >= 100 ? "batch" : "on-demand", estimates: [estimate("batch"), estimate("on-demand")],
    };
  }),
  errorText: (e: unknown) => String(e),
}));
vi.mock("../backend", () => backend);

import { SubmitStep } from "./SubmitStep";

const draft = {
  sheet: "/data/reviews.csv", worksheet: null, selection: { kind: "all" as const }, template: "{{review}}", system: null,
  model: "amazon.nova-lite-v1:0", invocation: null, max_tokens: 100, temperature: null, top_p: null, answer: { shape: "free_text" as const },
};

describe("the Submit step", () => {
  it("counts the upload events that arrive before the submit call answers", async () => {
    render(
      <SubmitStep sandbox target={{ roleArn: "", inputUri: "", outputUri: "" }} onTarget={() => undefined}
        draft={draft} rows={200} inputTokens={2000} onSubmitted={() => undefined} onOpenJobs={() => undefined} />,
    );
    // The listeners are in place before anything is submitted.
    await vi.waitFor(() => expect(handlers.event.length).toBeGreaterThan(0));
    fireEvent.click(screen.getByRole("button", { name: "Upload and submit" }));
    await screen.findByText(/records in 2 parts/);
    // Part 1 is in S3 (half of the run), and a quarter of part 2 is sent: 62%.
    expect(screen.getByLabelText("Upload").getAttribute("aria-valuetext")).toBe("62%");
    expect(screen.getByText("part 1: uploaded")).toBeTruthy();
    expect(screen.getByText("part 2: uploading")).toBeTruthy();
    expect(backend.submit.mock.calls[0][0]).toMatchObject({ send: "batch", max_cost: null, deadline: null, fallback_budget: null });
  });

  it("sends rows below the batch minimum on demand, with the cap given", async () => {
    backend.submit.mockClear();
    render(
      <SubmitStep sandbox target={{ roleArn: "", inputUri: "", outputUri: "" }} onTarget={() => undefined}
        draft={draft} rows={60} inputTokens={600} onSubmitted={() => undefined} onOpenJobs={() => undefined} />,
    );
    await screen.findByText(/fewer than the 100 a batch job takes/);
    // Batch cannot take them: its choice is disabled and says why; on demand is chosen.
    expect((document.getElementById("send-batch") as HTMLInputElement).disabled).toBe(true);
    expect((document.getElementById("send-on-demand") as HTMLInputElement).checked).toBe(true);
    expect(screen.queryByLabelText(/Timeout/)).toBeNull();
    fireEvent.change(screen.getByLabelText(/Spend cap/), { target: { value: "0.5" } });
    fireEvent.click(screen.getByRole("button", { name: "Send on demand (Standard)" }));
    await vi.waitFor(() => expect(backend.submit).toHaveBeenCalledTimes(1));
    expect(backend.submit.mock.calls[0][0]).toMatchObject({ send: "on-demand", max_cost: 0.5, deadline: null });
    expect(document.getElementById("deadline")).toBeNull();
  });

  it("sends the same rows to each model to compare, a run each", async () => {
    backend.submit.mockClear();
    const submitted: string[] = [];
    render(
      <SubmitStep sandbox target={{ roleArn: "", inputUri: "", outputUri: "" }} onTarget={() => undefined}
        draft={draft} rows={200} inputTokens={2000} compareWith={["us.amazon.nova-pro-v1:0"]}
        onSubmitted={(r) => submitted.push(r.id)} onOpenJobs={() => undefined} />,
    );
    expect(screen.getByText("a run for each of amazon.nova-lite-v1:0 and us.amazon.nova-pro-v1:0")).toBeTruthy();
    fireEvent.click(await screen.findByRole("button", { name: "Upload and submit to 2 models" }));
    const list = await screen.findByRole("list", { name: "Runs to compare" });
    expect(list.textContent).toBe("amazon.nova-lite-v1:0: run r1 (reviews-1)us.amazon.nova-pro-v1:0: run r2 (reviews-2)");
    expect(backend.submitToModels.mock.calls[0][1]).toEqual(["amazon.nova-lite-v1:0", "us.amazon.nova-pro-v1:0"]);
    expect(backend.submit).not.toHaveBeenCalled();
    expect(submitted).toEqual(["r1", "r2"]);
  });
});
