// Step 6: how the rows are sent (a batch job, or on demand when they are too few or the user prefers), where the
// job reads and writes, its name, timeout, tags and spend cap; then upload progress and the jobs as they are
// created.
import { useEffect, useState } from "react";

import * as backend from "../backend";
import type { RunRow, SendWays, SubmitForm, Tier } from "../backend";
import { grouped } from "../format";
import { estimateOf, rangeText, splitText, tierWords } from "./sendWays";
import { parseTags } from "./tags";
import { type JobTarget, TargetFields } from "./TargetFields";
import { NO_PROGRESS, type UploadProgress, uploadPercent, withBytes, withEvent } from "./uploadProgress";

export interface SubmitStepProps {
  sandbox: boolean;
  target: JobTarget;
  onTarget: (target: JobTarget) => void;
  /** The form without the fields of this step. */
  draft: Omit<
    SubmitForm,
    "role_arn" | "input_uri" | "output_uri" | "job_name" | "timeout_hours" | "tags" | "send" | "max_cost" | "deadline" | "max_queue" | "fallback_budget" | "local_offset_minutes"
  >;
  /** Rows to send and their estimated input tokens (for the ways of sending and their costs). */
  rows: number;
  inputTokens: number;
  /** Other models the same rows also go to, a run each (none: one run). */
  compareWith?: string[];
  onSubmitted: (run: RunRow) => void;
  onOpenJobs: () => void;
}

export function SubmitStep({ sandbox, target, onTarget, draft, rows, inputTokens, compareWith = [], onSubmitted, onOpenJobs }: SubmitStepProps) {
  const [ways, setWays] = useState<SendWays | null>(null);
  /** The way chosen; none until the user picks one (then Rust's suggestion stands). */
  const [chosen, setChosen] = useState<Tier | null>(null);
  const [maxCost, setMaxCost] = useState("");
  const [deadline, setDeadline] = useState("");
  const [maxQueue, setMaxQueue] = useState("");
  const [fallbackBudget, setFallbackBudget] = useState("");
  const [jobName, setJobName] = useState("");
  const [timeout, setTimeoutHours] = useState(24);
  const [tags, setTags] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [run, setRun] = useState<RunRow | null>(null);
  /** The runs of a comparison (one per model), when the rows went to several models. */
  const [siblings, setSiblings] = useState<RunRow[]>([]);
  const [progress, setProgress] = useState<Record<string, UploadProgress>>({});

  // Listening starts with the step, for every run: a run's first events can arrive before its submit call
  // has answered with the run's id.
  useEffect(() => {
    const update = (run: string, change: (p: UploadProgress) => UploadProgress) =>
      setProgress((all) => ({ ...all, [run]: change(all[run] ?? NO_PROGRESS) }));
    const stops: Promise<() => void>[] = [
      backend.onRunBytes((e) => update(e.run, (p) => withBytes(p, e.bytes))),
      backend.onRunEvent(({ run, event }) => update(run, (p) => withEvent(p, event))),
    ];
    return () => stops.forEach((s) => void s.then((stop) => stop()).catch(() => undefined));
  }, []);

  useEffect(() => {
    if (!draft.model) return;
    let alive = true;
    backend
      .sendWays(draft.model, rows, inputTokens, draft.max_tokens)
      .then((w) => alive && setWays(w))
      .catch(() => alive && setWays(null));
    return () => {
      alive = false;
    };
  }, [draft.model, rows, inputTokens, draft.max_tokens]);

  const send: Tier = chosen ?? ways?.suggested ?? "batch";
  const onDemand = send !== "batch";

  async function submit() {
    const parsed = parseTags(tags);
    if ("error" in parsed) {
      setError(parsed.error);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const form: SubmitForm = {
        ...draft,
        role_arn: target.roleArn || null,
        input_uri: target.inputUri || null,
        output_uri: target.outputUri || null,
        job_name: jobName.trim() || null,
        timeout_hours: timeout,
        tags: parsed.tags,
        send,
        max_cost: maxCost.trim() === "" ? null : Math.max(0, Number(maxCost)),
        deadline: onDemand ? null : deadline.trim() || null,
        max_queue: onDemand ? null : maxQueue.trim() || null,
        fallback_budget: onDemand || fallbackBudget.trim() === "" ? null : Math.max(0, Number(fallbackBudget)),
        local_offset_minutes: -new Date().getTimezoneOffset(),
      };
      const runs = compareWith.length > 0 ? await backend.submitToModels(form, [draft.model, ...compareWith]) : [await backend.submit(form)];
      setSiblings(runs.length > 1 ? runs : []);
      setRun(runs[0]);
      runs.forEach(onSubmitted);
    } catch (e) {
      setError(backend.errorText(e));
    } finally {
      setBusy(false);
    }
  }

  const models = 1 + compareWith.length;
  const current = (run && progress[run.id]) || NO_PROGRESS;
  const percent = run ? uploadPercent(current, run.parts) : 0;
  return (
    <section aria-labelledby="submit-title">
      <h2 id="submit-title">Submit</h2>
      {ways && (
        <fieldset id="send-ways" className="send-ways">
          <legend>How to send</legend>
          <p id="send-split" className="muted">{splitText(ways)}</p>
          {ways.estimates.map((estimate) => {
            const disabled = estimate.tier === "batch" && !ways.batch_possible;
            return (
              <label key={estimate.tier} className={disabled ? "muted" : undefined}>
                <input type="radio" name="send" id={`send-${estimate.tier}`} value={estimate.tier} checked={send === estimate.tier} disabled={disabled} onChange={() => setChosen(estimate.tier)} />
                {" "}{tierWords(estimate.tier)}: {rangeText(estimate)}
                {disabled ? ` (a batch job takes at least ${grouped(ways.batch_minimum)} rows)` : ""}
              </label>
            );
          })}
        </fieldset>
      )}
      {!onDemand && <TargetFields sandbox={sandbox} target={target} onTarget={onTarget} />}
      <div className="form-grid">
        <label>
          Job name
          <input id="job-name" value={jobName} placeholder="from the sheet's name and the time" maxLength={63} onChange={(e) => setJobName(e.target.value)} />
        </label>
        {!onDemand && (
          <label>
            Timeout (hours, 24–168)
            <input id="timeout-hours" type="number" min={24} max={168} value={timeout} onChange={(e) => setTimeoutHours(Math.min(168, Math.max(24, Number(e.target.value) || 24)))} />
          </label>
        )}
        <label>
          Spend cap (USD, optional)
          <input id="max-cost" type="number" min={0} step={0.01} value={maxCost} placeholder={ways ? `most: ${rangeText(estimateOf(ways, send)).split(" – ")[1] ?? "?"}` : "no cap"} onChange={(e) => setMaxCost(e.target.value)} />
        </label>
      </div>
      {!onDemand && (
        <fieldset id="deadline-fields" className="deadline">
          <legend>Deadline (optional)</legend>
          <div className="form-grid">
            <label>
              Finish by
              <input id="deadline" value={deadline} placeholder="18:00, +6h or 2026-12-03T18:00Z" onChange={(e) => setDeadline(e.target.value)} />
            </label>
            <label>
              Longest wait in Bedrock's queue
              <input id="max-queue" value={maxQueue} placeholder="6h" onChange={(e) => setMaxQueue(e.target.value)} />
            </label>
            <label>
              Approved budget for the rows left (USD)
              <input id="fallback-budget" type="number" min={0} step={0.01} value={fallbackBudget} placeholder="ask me" onChange={(e) => setFallbackBudget(e.target.value)} />
            </label>
          </div>
          <p className="muted">
            Jobs not ended by then (or queued longer) are stopped and what they wrote is kept; the rows left are sent on
            demand at once when they fit the approved budget, otherwise the cost is shown and Results offers Retry on demand.
          </p>
        </fieldset>
      )}
      {!onDemand && (
        <label>
          Tags (one key=value a line)
          <textarea id="tags" rows={2} value={tags} placeholder="team=analytics" onChange={(e) => setTags(e.target.value)} />
        </label>
      )}
      <div className="actions">
        <button id="submit-run" disabled={busy} onClick={() => void submit()}>
          {busy ? "Preparing the rows…" : `${onDemand ? `Send ${tierWords(send)}` : "Upload and submit"}${models > 1 ? ` to ${models} models` : ""}`}
        </button>
        {models > 1 && <span id="submit-models" className="muted">a run for each of {[draft.model, ...compareWith].join(" and ")}</span>}
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {run && (
        <div id="submitted" role="status">
          <p>
            Run <strong>{run.id}</strong> recorded: {grouped(run.total)} records
            {run.tier === "batch" ? ` in ${run.parts} part${run.parts === 1 ? "" : "s"}` : `, sent ${tierWords(run.tier)}`}
            {run.sandbox ? " (SANDBOX)" : ""}.
          </p>
          {run.tier === "batch" && (
          <div className="upload-line">
            <label>
              Upload
              <progress id="upload-progress" max={100} value={percent} aria-valuetext={`${percent}%`} />
            </label>
            <span id="upload-percent" className="muted">{percent}%</span>
          </div>
          )}
          <ul aria-label="Jobs of this run">
            {Object.entries(current.parts).map(([part, status]) => <li key={part}>part {part}: {status}</li>)}
          </ul>
          {siblings.length > 1 && (
            <ul id="compared-runs" aria-label="Runs to compare">
              {siblings.map((r) => <li key={r.id}>{r.model_id}: run <strong>{r.id}</strong> ({r.job_name})</li>)}
            </ul>
          )}
          <button id="open-jobs" className="secondary" onClick={onOpenJobs}>Follow {siblings.length > 1 ? "them" : "it"} in Jobs</button>
        </div>
      )}
    </section>
  );
}
