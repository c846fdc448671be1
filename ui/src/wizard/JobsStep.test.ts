import type { RunRow } from "../backend";
import { elapsed, statusText } from "./JobsStep";

const run = (over: Partial<RunRow>): RunRow => ({
  id: "run-1", job_name: "reviews", model_id: "amazon.nova-lite-v1:0", state: "running", tier: "batch", sandbox: false,
  created_at: "2026-11-22T10:00:00Z", retry_of: null, parts: 3, statuses: [], processed: 0, total: 300,
  elapsed_seconds: 0, active: true, stopped: false, has_results: false, ...over,
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

  it("says elapsed time in hours, minutes or seconds", () => {
    expect([elapsed(12), elapsed(185), elapsed(3720)]).toEqual(["12 s", "3 min 05 s", "1 h 02 min"]);
  });
});
