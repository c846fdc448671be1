import { describe, expect, it } from "vitest";

import { noticeText } from "./runNotice";

describe("the notice of a run's end", () => {
  it("gives the counts, says whether it was stopped, and the error when there are no counts", () => {
    const counts = { succeeded: 135, failed: 15, missing: 0 };
    expect(noticeText({ run: "r1", job_name: "reviews", stopped: false, counts, error: null })).toBe(
      "reviews ended: 135 succeeded, 15 failed, 0 missing.",
    );
    expect(noticeText({ run: "r1", job_name: "reviews", stopped: true, counts, error: null })).toBe(
      "reviews stopped: 135 succeeded, 15 failed, 0 missing.",
    );
    const big = { succeeded: 0, failed: 0, missing: 300000 };
    expect(noticeText({ run: "r2", job_name: "busy", stopped: true, counts: big, error: null })).toBe(
      "busy stopped: 0 succeeded, 0 failed, 300,000 missing.",
    );
    expect(noticeText({ run: "r1", job_name: "reviews", stopped: false, counts: null, error: "access denied" })).toBe(
      "reviews stopped: access denied",
    );
  });
});
