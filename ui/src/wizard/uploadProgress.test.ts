import { NO_PROGRESS, uploadPercent, withBytes, withEvent } from "./uploadProgress";

describe("upload progress", () => {
  it("counts each part alike and reaches 100 only when every part is in S3", () => {
    let p = NO_PROGRESS;
    expect(uploadPercent(p, 2)).toBe(0);
    p = withEvent(p, { event: "upload_started", part: 1, target: "s3://b/p1", bytes: 1000 });
    p = withBytes(p, 500);
    expect(uploadPercent(p, 2)).toBe(25);
    // Every byte sent, not yet confirmed: the part is not counted whole.
    p = withBytes(p, 500);
    expect(uploadPercent(p, 2)).toBe(50);
    p = withEvent(p, { event: "uploaded", part: 1, sent: true });
    expect(uploadPercent(p, 2)).toBe(50);
    // The second part is smaller; half of it sent is three quarters of the run.
    p = withEvent(p, { event: "upload_started", part: 2, target: "s3://b/p2", bytes: 200 });
    expect(uploadPercent(p, 2)).toBe(50);
    p = withBytes(p, 100);
    expect(uploadPercent(p, 2)).toBe(75);
    p = withBytes(p, 100);
    expect(uploadPercent(p, 2)).toBe(99);
    p = withEvent(p, { event: "uploaded", part: 2, sent: true });
    expect(uploadPercent(p, 2)).toBe(100);
    expect(p.parts).toEqual({ 1: "uploaded", 2: "uploaded" });
  });

  it("counts a part already in S3 as done, and shows each part's last job status", () => {
    let p = withEvent(NO_PROGRESS, { event: "uploaded", part: 1, sent: false });
    p = withEvent(p, { event: "uploaded", part: 1, sent: false });
    expect(uploadPercent(p, 2)).toBe(50);
    p = withEvent(p, { event: "job_created", part: 1, job_arn: "arn:j1", repeated: false });
    expect(p.parts[1]).toBe("Submitted");
    p = withEvent(p, { event: "job_status", part: 1, job_arn: "arn:j1", status: "InProgress", message: null, processed: 40, total: 100 });
    expect(p.parts[1]).toBe("InProgress 40/100");
    p = withEvent(p, { event: "waiting", reason: "throttled", seconds: 2 });
    expect(p.parts[1]).toBe("InProgress 40/100");
  });
});
