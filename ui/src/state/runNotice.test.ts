import { describe, expect, it } from "vitest";

import { noticeText } from "./runNotice";

describe("the notice of a run's end", () => {
  it("gives the counts, says whether it was stopped, and the error when there are no counts", () => {
    const counts = { succeeded: 135, failed: 15, missing: 0, invalid: 0, truncated: 0, empty: 0 };
    expect(noticeText({ run: "r1", job_name: "reviews", stopped: false, counts, notice: null, error: null })).toBe(
      "reviews ended: 135 succeeded, 15 failed, 0 missing.",
    );
    expect(noticeText({ run: "r1", job_name: "reviews", stopped: true, counts, notice: null, error: null })).toBe(
      "reviews stopped: 135 succeeded, 15 failed, 0 missing.",
    );
    const big = { succeeded: 0, failed: 0, missing: 300000, invalid: 0, truncated: 0, empty: 0 };
    expect(noticeText({ run: "r2", job_name: "busy", stopped: true, counts: big, notice: null, error: null })).toBe(
      "busy stopped: 0 succeeded, 0 failed, 300,000 missing.",
    );
    const checked = { ...counts, succeeded: 120, invalid: 12, empty: 3 };
    expect(noticeText({ run: "r1", job_name: "labels", stopped: false, counts: checked, notice: null, error: null })).toBe(
      "labels ended: 120 succeeded, 15 failed, 0 missing, 12 invalid, 3 empty.",
    );
    expect(noticeText({ run: "r1", job_name: "reviews", stopped: false, counts: null, notice: null, error: "access denied" })).toBe(
      "reviews stopped: access denied",
    );
    const late = "stopped: its deadline 2026-12-03T18:00:00Z has passed; 40 rows are unanswered";
    expect(noticeText({ run: "r3", job_name: "late", stopped: true, counts, notice: late, error: null })).toBe(
      "late stopped: 135 succeeded, 15 failed, 0 missing. Stopped: its deadline 2026-12-03T18:00:00Z has passed; 40 rows are unanswered.",
    );
  });
});
