// Step 6: where the job reads and writes, its name, timeout and tags; then upload progress and the jobs
// as they are created.
import { useEffect, useState } from "react";

import * as backend from "../backend";
import type { RunRow, SubmitForm } from "../backend";
import { parseTags } from "./tags";
import { type JobTarget, TargetFields } from "./TargetFields";

export interface SubmitStepProps {
  sandbox: boolean;
  target: JobTarget;
  onTarget: (target: JobTarget) => void;
  /** The form without the fields of this step. */
  draft: Omit<SubmitForm, "role_arn" | "input_uri" | "output_uri" | "job_name" | "timeout_hours" | "tags">;
  onSubmitted: (run: RunRow) => void;
  onOpenJobs: () => void;
}

interface Progress {
  sent: number;
  total: number;
  parts: Record<number, string>;
}

export function SubmitStep({ sandbox, target, onTarget, draft, onSubmitted, onOpenJobs }: SubmitStepProps) {
  const [jobName, setJobName] = useState("");
  const [timeout, setTimeoutHours] = useState(24);
  const [tags, setTags] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [run, setRun] = useState<RunRow | null>(null);
  const [progress, setProgress] = useState<Progress>({ sent: 0, total: 0, parts: {} });

  useEffect(() => {
    const stops: Promise<() => void>[] = [
      backend.onRunBytes((e) => run && e.run === run.id && setProgress((p) => ({ ...p, sent: p.sent + e.bytes }))),
      backend.onRunEvent(({ run: id, event }) => {
        if (!run || id !== run.id) return;
        setProgress((p) => {
          if (event.event === "upload_started") return { ...p, total: p.total + (event.bytes ?? 0) };
          if (event.event === "job_created" && event.part) return { ...p, parts: { ...p.parts, [event.part]: "Submitted" } };
          if (event.event === "job_status" && event.part) {
            const counts = event.processed != null && event.total != null ? ` ${event.processed}/${event.total}` : "";
            return { ...p, parts: { ...p.parts, [event.part]: `${event.status ?? ""}${counts}` } };
          }
          return p;
        });
      }),
    ];
    return () => stops.forEach((s) => void s.then((stop) => stop()).catch(() => undefined));
  }, [run]);

  async function submit() {
    const parsed = parseTags(tags);
    if ("error" in parsed) {
      setError(parsed.error);
      return;
    }
    setBusy(true);
    setError(null);
    setProgress({ sent: 0, total: 0, parts: {} });
    try {
      const row = await backend.submit({
        ...draft,
        role_arn: target.roleArn || null,
        input_uri: target.inputUri || null,
        output_uri: target.outputUri || null,
        job_name: jobName.trim() || null,
        timeout_hours: timeout,
        tags: parsed.tags,
      });
      setRun(row);
      onSubmitted(row);
    } catch (e) {
      setError(backend.errorText(e));
    } finally {
      setBusy(false);
    }
  }

  const percent = progress.total > 0 ? Math.min(100, Math.round((progress.sent / progress.total) * 100)) : run ? 100 : 0;
  return (
    <section aria-labelledby="submit-title">
      <h2 id="submit-title">Submit</h2>
      <TargetFields sandbox={sandbox} target={target} onTarget={onTarget} />
      <div className="form-grid">
        <label>
          Job name
          <input id="job-name" value={jobName} placeholder="from the sheet's name and the time" maxLength={63} onChange={(e) => setJobName(e.target.value)} />
        </label>
        <label>
          Timeout (hours, 24–168)
          <input id="timeout-hours" type="number" min={24} max={168} value={timeout} onChange={(e) => setTimeoutHours(Math.min(168, Math.max(24, Number(e.target.value) || 24)))} />
        </label>
      </div>
      <label>
        Tags (one key=value a line)
        <textarea id="tags" rows={2} value={tags} placeholder="team=analytics" onChange={(e) => setTags(e.target.value)} />
      </label>
      <div className="actions">
        <button id="submit-run" disabled={busy} onClick={() => void submit()}>{busy ? "Preparing the parts…" : "Upload and submit"}</button>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {run && (
        <div id="submitted" role="status">
          <p>
            Run <strong>{run.id}</strong> recorded: {run.total.toLocaleString()} records in {run.parts} part{run.parts === 1 ? "" : "s"}
            {run.sandbox ? " (SIMULATION)" : ""}.
          </p>
          <label>
            Upload
            <progress id="upload-progress" max={100} value={percent} aria-valuetext={`${percent}%`} />
          </label>
          <ul aria-label="Jobs of this run">
            {Object.entries(progress.parts).map(([part, status]) => <li key={part}>part {part}: {status}</li>)}
          </ul>
          <button id="open-jobs" className="secondary" onClick={onOpenJobs}>Follow it in Jobs</button>
        </div>
      )}
    </section>
  );
}
