import type { RunRow } from "../backend";
import { backlogText, elapsed, statusText, timingText } from "./JobsStep";

const run = (over: Partial<RunRow>): RunRow => ({
  id: "run-1", job_name: "reviews", file_name: "reviews", model_id: "amazon.nova-lite-v1:0", state: "running", tier: "batch", sandbox: false,
  created_at: "2026-11-22T10:00:00Z", retry_of: null, parts: 3, statuses: [], processed: 0, total: 300,
  elapsed_seconds: 0, active: true, stopped: false, has_results: false, opened: false,
  progress: { processed: 0, total: 300, queued_seconds: 0, queued_jobs: 0, eta: null, deadline: null, backlog: null }, ...over,
});

describe("the Jobs step's wording", () => {
  it("says a run's status from its jobs, and that a stopped run is stopping until it ends", () => {
    expect(statusText(run({ statuses: ["InProgress", "InProgress", "InProgress"] }))).toBe("InProgress");
    expect(statusText(run({ statuses: ["Completed", "InProgress", "not submitted"] }))).toBe("1× Completed, 1× InProgress, 1× not submitted");
    const stopping = run({ stopped: true, statuses: ["Stopping", "not submitted", "not submitted"] });
    expect(statusText(stopping)).toBe("Stopping (1× Stopping, 2× not submitted)");
    expect(statusText({ ...stopping, state: "fetched", statuses: ["Stopped", "not submitted"] })).toBe("Results ready (stopped; Stopped, not submitted)");
  });

  it("says how an on-demand run is doing without jobs", () => {
    const flex = run({ tier: "flex", parts: 0 });
    expect(statusText(flex)).toBe("Sending on demand (Flex)");
    expect(statusText({ ...flex, stopped: true })).toBe("Stopping (on demand (Flex))");
    expect(statusText({ ...flex, state: "fetched" })).toBe("Results ready (on demand (Flex))");
  });

  it("says how long the jobs queued, when the run is likely to end and its deadline", () => {
    const progress = { processed: 1500, total: 4000, queued_seconds: 3 * 3600 + 300, queued_jobs: 0, eta: "2026-12-03T16:00:00Z", deadline: "2026-12-04T09:30:00Z", backlog: null };
    expect(timingText(run({ progress }), "2026-12-03")).toBe("waited 3 h 05 min in the queue · ends about 16:00 UTC · deadline 2026-12-04 09:30 UTC");
    const queued = { ...progress, queued_jobs: 2, queued_seconds: 600, eta: null, deadline: null };
    expect(timingText(run({ progress: queued }), "2026-12-03")).toBe("queued 10 min 00 s");
    expect(timingText(run({}), "2026-12-03")).toBe("");
  });

  it("says the model's backlog from CloudWatch, when it clears, or that it cannot be read", () => {
    const backlog = { records_pending: 12000.4, tokens_pending: null, input_tokens_per_minute: 90000, output_tokens_per_minute: 4000 };
    const reading = { read_at: "2026-12-03T12:00:00Z", backlog, clears_at: "2026-12-03T14:20:00Z", unreadable: null };
    const progress = { ...run({}).progress, eta: "2026-12-03T16:00:00Z", backlog: reading };
    expect(timingText(run({ progress }), "2026-12-03")).toBe("ends about 16:00 UTC · model backlog 12,000 records, clears about 14:20 UTC");
    expect(backlogText({ ...reading, clears_at: null }, "2026-12-03")).toBe("model backlog 12,000 records");
    const denied = { read_at: reading.read_at, backlog: null, clears_at: null, unreadable: "GetMetricData: AccessDeniedException" };
    expect(backlogText(denied, "2026-12-03")).toBe("model backlog not readable (CloudWatch)");
    expect(backlogText(null, "2026-12-03")).toBe("");
  });

  it("says elapsed time in hours, minutes or seconds", () => {
    expect([elapsed(12), elapsed(185), elapsed(3720)]).toEqual(["12 s", "3 min 05 s", "1 h 02 min"]);
  });
});
