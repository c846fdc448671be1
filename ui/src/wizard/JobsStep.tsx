// Step 7: the job history with live status, records processed, elapsed time, stop, and the way to results.
import { useEffect, useState } from "react";

import * as backend from "../backend";
import type { BacklogReading, RunRow } from "../backend";
import { grouped } from "../format";
import { OpenJobs } from "./OpenJobs";
import { tierWords } from "./sendWays";

export interface JobsStepProps {
  onOpenResults: (run: string) => void;
}

/** "1 h 02 min", "3 min 05 s", "12 s". */
export function elapsed(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, "0")} s`;
  return `${s} s`;
}

/** "HH:MM UTC" of an RFC 3339 time, with the date when it is not `today` (YYYY-MM-DD). */
function clock(time: string, today: string): string {
  const [date, rest] = time.split("T");
  const hm = (rest ?? "").slice(0, 5);
  return date === today ? `${hm} UTC` : `${date} ${hm} UTC`;
}

/** When a run waited, is likely to end and must end by, in a line; empty when there is nothing to say. */
export function timingText(run: RunRow, today: string): string {
  const p = run.progress;
  const parts: string[] = [];
  if (p.queued_jobs > 0) parts.push(`queued ${elapsed(p.queued_seconds)}`);
  else if (p.queued_seconds > 0) parts.push(`waited ${elapsed(p.queued_seconds)} in the queue`);
  if (p.eta) parts.push(`ends about ${clock(p.eta, today)}`);
  const backlog = backlogText(p.backlog, today);
  if (backlog) parts.push(backlog);
  if (p.deadline) parts.push(`deadline ${clock(p.deadline, today)}`);
  return parts.join(" · ");
}

/** The model's batch backlog (CloudWatch's, the whole account's) in a phrase; empty without a reading. */
export function backlogText(reading: BacklogReading | null, today: string): string {
  if (!reading) return "";
  const pending = reading.backlog?.records_pending;
  if (pending == null) return reading.unreadable ? "model backlog not readable (CloudWatch)" : "";
  const records = `model backlog ${grouped(Math.round(pending))} records`;
  return reading.clears_at ? `${records}, clears about ${clock(reading.clears_at, today)}` : records;
}

/** The states of a run that still has work (uploads, jobs to create or to follow). */
const UNFINISHED = ["uploading", "submitting", "running"];

/** The run's status in a word or two: its state, or its jobs' statuses when they differ. */
export function statusText(run: RunRow): string {
  if (run.tier !== "batch") {
    const how = tierWords(run.tier);
    if (run.state === "fetched") return `Results ready (${run.stopped ? "stopped; " : ""}${how})`;
    if (UNFINISHED.includes(run.state)) return run.stopped ? `Stopping (${how})` : `Sending ${how}`;
    return `Answered ${how}`;
  }
  const distinct = [...new Set(run.statuses)];
  if (run.state === "fetched") return `Results ready (${run.stopped ? "stopped; " : ""}${distinct.join(", ")})`;
  const jobs = distinct.length === 1 ? distinct[0] : distinct.map((s) => `${run.statuses.filter((x) => x === s).length}× ${s}`).join(", ");
  return run.stopped && UNFINISHED.includes(run.state) ? `Stopping (${jobs})` : jobs;
}

export function JobsStep({ onOpenResults }: JobsStepProps) {
  const [runs, setRuns] = useState<RunRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const [opened, setOpened] = useState(0);
  useEffect(() => {
    let alive = true;
    const refresh = () =>
      backend
        .runs()
        .then((r) => alive && (setRuns(r), setError(null)))
        .catch((e) => alive && setError(backend.errorText(e)));
    void refresh();
    const timer = setInterval(refresh, 1500);
    const ended = backend.onRunEnded(() => void refresh());
    return () => {
      alive = false;
      clearInterval(timer);
      void ended.then((stop) => stop()).catch(() => undefined);
    };
  }, [opened]);

  async function act(run: string, action: (run: string) => Promise<RunRow>) {
    setBusy(run);
    setError(null);
    try {
      await action(run);
      setRuns(await backend.runs());
    } catch (e) {
      setError(backend.errorText(e));
    } finally {
      setBusy(null);
    }
  }

  const today = new Date().toISOString().slice(0, 10);
  return (
    <section aria-labelledby="jobs-title" className="fill">
      <h2 id="jobs-title">Jobs</h2>
      <p className="muted">Runs are followed in the background and taken up again when the app restarts; a desktop notification says when one ends.</p>
      {error && <p role="alert" className="error">{error}</p>}
      {runs.length === 0 ? (
        <p>No runs yet: submit one in the Submit step, or open a job made elsewhere below.</p>
      ) : (
        <table id="runs" className="runs">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Status</th>
              <th scope="col">Records</th>
              <th scope="col">Elapsed</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-run={run.id} data-state={run.state}>
                <td>
                  <strong>{run.job_name}</strong>
                  {run.sandbox && <span className="badge warn small">SANDBOX</span>}
                  {run.retry_of && <span className="badge small">retry</span>}
                  {run.opened && <span className="badge small">opened</span>}
                  <div className="muted">{run.model_id} · {run.created_at}</div>
                </td>
                <td className="status">{statusText(run)}</td>
                <td>
                  <progress max={Math.max(1, run.total)} value={run.processed} aria-label={`${run.processed} of ${run.total} records`} />{" "}
                  {grouped(run.processed)} / {grouped(run.total)}
                </td>
                <td>
                  {elapsed(run.elapsed_seconds)}
                  {timingText(run, today) && (
                    <div className="muted timing" title={run.progress.backlog?.unreadable ?? undefined}>{timingText(run, today)}</div>
                  )}
                </td>
                <td className="row-actions">
                  {UNFINISHED.includes(run.state) && !run.stopped && (
                    <button className="secondary stop-run" disabled={busy === run.id} onClick={() => void act(run.id, backend.stopRun)}>Stop</button>
                  )}
                  {run.has_results && !run.retry_of && (
                    <button className="open-results" onClick={() => onOpenResults(run.id)}>Results</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <OpenJobs onOpened={() => setOpened((n) => n + 1)} onOpenResults={onOpenResults} />
    </section>
  );
}
