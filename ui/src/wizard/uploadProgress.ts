// A run's upload and jobs as its events tell them: bytes sent of the parts started, which parts are in S3,
// and each part's last status. Kept per run from the moment the step opens, so the events that arrive
// before the submit call has even answered are not lost.
import type { Event } from "../backend";

/** What the events of one run have said so far. */
export interface UploadProgress {
  /** Size of each part whose upload started, by 1-based part. */
  sizes: Record<number, number>;
  /** Bytes sent so far. */
  sent: number;
  /** Parts that are in S3 (sent now, or already there). */
  uploaded: number[];
  /** Each part's last status, by 1-based part. */
  parts: Record<number, string>;
}

/** Nothing heard yet. */
export const NO_PROGRESS: UploadProgress = { sizes: {}, sent: 0, uploaded: [], parts: {} };

/** The progress after `event`. */
export function withEvent(progress: UploadProgress, event: Event): UploadProgress {
  switch (event.event) {
    case "upload_started":
      return { ...progress, sizes: { ...progress.sizes, [event.part]: event.bytes }, parts: { ...progress.parts, [event.part]: "uploading" } };
    case "uploaded": {
      const uploaded = progress.uploaded.includes(event.part) ? progress.uploaded : [...progress.uploaded, event.part];
      return { ...progress, uploaded, parts: { ...progress.parts, [event.part]: event.sent ? "uploaded" : "already in S3" } };
    }
    case "job_created":
      return { ...progress, parts: { ...progress.parts, [event.part]: "Submitted" } };
    case "job_status": {
      const counts = event.processed != null && event.total != null ? ` ${event.processed}/${event.total}` : "";
      return { ...progress, parts: { ...progress.parts, [event.part]: `${event.status}${counts}` } };
    }
    default:
      return progress;
  }
}

/** The progress after `bytes` more were sent. */
export function withBytes(progress: UploadProgress, bytes: number): UploadProgress {
  return { ...progress, sent: progress.sent + bytes };
}

/** How much of a run of `parts` parts is uploaded, 0–100: each part counts alike; a part in S3 is whole, the
 * parts being sent share the bytes sent beyond the finished ones; 100 only once every part is in S3. */
export function uploadPercent(progress: UploadProgress, parts: number): number {
  if (parts <= 0) return 0;
  const done = progress.uploaded.length;
  if (done >= parts) return 100;
  const sizeOf = (part: number) => progress.sizes[part] ?? 0;
  const doneBytes = progress.uploaded.reduce((sum, part) => sum + sizeOf(part), 0);
  const inFlight = Object.keys(progress.sizes).map(Number).filter((part) => !progress.uploaded.includes(part));
  const inFlightBytes = inFlight.reduce((sum, part) => sum + sizeOf(part), 0);
  const share = inFlightBytes > 0 ? Math.min(1, Math.max(0, progress.sent - doneBytes) / inFlightBytes) : 0;
  return Math.min(99, Math.floor((100 * (done + share * inFlight.length)) / parts));
}
