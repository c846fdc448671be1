// Jobs made elsewhere (a notebook, the console, a pipeline): the account's jobs listed beside the runs, and a
// job — or output lines on this computer — opened as a run, joined to the analyst's sheet when one is given.
import { useState } from "react";

import * as backend from "../backend";
import type { AccountJobRow, OpenJobForm, RunRow } from "../backend";
import { grouped } from "../format";

export interface OpenJobsProps {
  /** A job was opened: its results are ready, or it is followed until it ends. */
  onOpened: (run: RunRow) => void;
  /** Shows a run's results. */
  onOpenResults: (run: string) => void;
}

/** The statuses the account's jobs can be filtered by. */
const STATUSES = ["Completed", "PartiallyCompleted", "InProgress", "Scheduled", "Submitted", "Validating", "Failed", "Stopped", "Expired"];

/** Where each row of the joined sheet finds its record id. */
export type RowKeyChoice = "column" | "row0" | "row1";

/** The sheet part of an open form; none when no sheet is given. */
export function sheetJoin(sheet: string, key: RowKeyChoice, column: string): Pick<OpenJobForm, "sheet" | "id_column" | "row_number_from"> {
  if (!sheet.trim()) return { sheet: null, id_column: null, row_number_from: null };
  if (key === "column") return { sheet: sheet.trim(), id_column: column.trim() || null, row_number_from: null };
  return { sheet: sheet.trim(), id_column: null, row_number_from: key === "row0" ? 0 : 1 };
}

/** "1,200 / 1,500" or "-" before the service counts them. */
export function recordsText(job: AccountJobRow): string {
  if (job.total == null) return "-";
  return `${grouped(job.processed ?? 0)} / ${grouped(job.total)}`;
}

/** Whose a listed job is, in words. */
export function originText(job: AccountJobRow): string {
  if (job.origin === "own") return "this tool's";
  if (job.origin === "opened") return "opened here";
  return "made elsewhere";
}

export function OpenJobs({ onOpened, onOpenResults }: OpenJobsProps) {
  const [jobs, setJobs] = useState<AccountJobRow[] | null>(null);
  const [status, setStatus] = useState("");
  const [name, setName] = useState("");
  const [outputs, setOutputs] = useState("");
  const [requests, setRequests] = useState("");
  const [model, setModel] = useState("");
  const [sheet, setSheet] = useState("");
  const [key, setKey] = useState<RowKeyChoice>("column");
  const [column, setColumn] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function list() {
    setBusy("list");
    setError(null);
    try {
      setJobs(await backend.accountJobs({ status: status || null, name_contains: name.trim() || null, submitted_after: null, limit: 200 }));
    } catch (e) {
      setError(backend.errorText(e));
    } finally {
      setBusy(null);
    }
  }

  async function open(form: Pick<OpenJobForm, "job" | "outputs" | "requests" | "model">, what: string) {
    setBusy(what);
    setError(null);
    try {
      const run = await backend.openJob({ ...form, ...sheetJoin(sheet, key, column) });
      onOpened(run);
      if (run.has_results) onOpenResults(run.id);
      else if (jobs) await list();
    } catch (e) {
      setError(backend.errorText(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <details id="open-elsewhere" className="panel">
      <summary>Open a job made elsewhere (a notebook, the console, a pipeline)</summary>
      <p className="muted">
        Its records keep their own record ids; each becomes a row with what it asked, its answer, status and tokens. Failed and missing
        records can then be retried with the lines that were sent.
      </p>
      {error && <p role="alert" className="error">{error}</p>}

      <fieldset className="join-sheet">
        <legend>Join to a sheet (optional)</legend>
        <label>
          Sheet the requests were made from
          <input id="open-sheet" value={sheet} placeholder="/path/to/reviews.csv" onChange={(e) => setSheet(e.target.value)} />
        </label>
        <button type="button" className="secondary" onClick={() => void backend.pickSheet().then((p) => p && setSheet(p))}>Browse…</button>
        <label>
          Each row's record id is
          <select id="open-key" value={key} onChange={(e) => setKey(e.target.value as RowKeyChoice)} disabled={!sheet.trim()}>
            <option value="column">in a column</option>
            <option value="row0">its row number from 0 (a DataFrame's index)</option>
            <option value="row1">its row number from 1</option>
          </select>
        </label>
        {key === "column" && (
          <label>
            Column
            <input id="open-id-column" value={column} disabled={!sheet.trim()} onChange={(e) => setColumn(e.target.value)} />
          </label>
        )}
      </fieldset>

      <fieldset>
        <legend>Jobs in the account</legend>
        <label>
          Status
          <select id="account-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">any</option>
            {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>
          Name contains
          <input id="account-name" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button id="list-account-jobs" className="secondary" disabled={busy !== null} onClick={() => void list()}>
          {busy === "list" ? "Listing…" : "List jobs"}
        </button>
        {jobs && jobs.length === 0 && <p>No jobs match.</p>}
        {jobs && jobs.length > 0 && (
          <table id="account-jobs" className="runs">
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Status</th>
                <th scope="col">Records</th>
                <th scope="col">Whose</th>
                <th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <tr key={job.job_arn} data-job={job.job_id} data-origin={job.origin}>
                  <td>
                    <strong>{job.job_name}</strong>
                    <div className="muted">{job.model_id ?? "model not reported"} · {job.submit_time ?? ""}</div>
                    {job.message && <div className="muted">{job.message}</div>}
                  </td>
                  <td className="status">{job.status}</td>
                  <td>{recordsText(job)}</td>
                  <td>{originText(job)}</td>
                  <td className="row-actions">
                    {job.origin === "external" ? (
                      <button className="open-job" disabled={busy !== null} onClick={() => void open({ job: job.job_arn, outputs: null, requests: null, model: null }, job.job_id)}>
                        {busy === job.job_id ? "Opening…" : "Open"}
                      </button>
                    ) : (
                      job.run && <button className="secondary" onClick={() => onOpenResults(job.run as string)}>Results</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </fieldset>

      <fieldset>
        <legend>Output files on this computer (no AWS needed)</legend>
        <label>
          Folder (or file) of output lines
          <input id="open-outputs" value={outputs} placeholder="/path/to/downloads" onChange={(e) => setOutputs(e.target.value)} />
        </label>
        <button type="button" className="secondary" onClick={() => void backend.pickFolder().then((p) => p && setOutputs(p))}>Browse…</button>
        <label>
          The job's input lines (optional: records without an output line are then known too)
          <input id="open-requests" value={requests} onChange={(e) => setRequests(e.target.value)} />
        </label>
        <label>
          Model (optional, for the cost)
          <input id="open-model" value={model} placeholder="anthropic.claude-3-haiku-20240307-v1:0" onChange={(e) => setModel(e.target.value)} />
        </label>
        <button
          id="open-files"
          disabled={busy !== null || !outputs.trim()}
          onClick={() => void open({ job: null, outputs: outputs.trim(), requests: requests.trim() || null, model: model.trim() || null }, "files")}
        >
          {busy === "files" ? "Opening…" : "Open files"}
        </button>
      </fieldset>
    </details>
  );
}
