// Step 8: a run's joined results — outcome and token charts, cost, a virtualised table paged from Rust with
// a status filter and search, a row detail panel, exports (CSV, Excel-safe CSV, XLSX, Parquet) and retry.
import { useCallback, useEffect, useMemo, useState } from "react";

import * as backend from "../backend";
import type { AnswerField, FieldValue, RenderedPrompt, ResultsOverview, Revision, RowAttempt, RowFilter, RunRow, Status, Tier } from "../backend";
import { VirtualGrid } from "../grid/VirtualGrid";
import { CompareRuns } from "../results/CompareRuns";
import { FieldInsights } from "../results/FieldInsights";
import { NO_CHANGES, RetryChanges, changesText } from "../results/RetryChanges";
import { CHECK_STATUSES, OutcomeBar, TokenHistogram, unfinishedRows } from "../results/charts";
import { count, grouped } from "../format";
import { costText, tierWords } from "./sendWays";

export interface ResultsStepProps {
  run: string | null;
  onRun: (run: string) => void;
  onRetried: (run: RunRow) => void;
}

type Format = "csv" | "xlsx" | "parquet";

export function ResultsStep({ run, onRun, onRetried }: ResultsStepProps) {
  const [runs, setRuns] = useState<RunRow[]>([]);
  const [overview, setOverview] = useState<ResultsOverview | null>(null);
  const [status, setStatus] = useState<Status | "">("");
  const [search, setSearch] = useState("");
  const [filter, setFilter] = useState<RowFilter>({ status: null, search: null, field: null });
  // An answer field's value to filter on ("" for no field).
  const [fieldName, setFieldName] = useState("");
  const [fieldValue, setFieldValue] = useState("");
  const [matching, setMatching] = useState<number | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [detail, setDetail] = useState<{ row: number; cells: string[] } | null>(null);
  const [sent, setSent] = useState<RenderedPrompt | null>(null);
  const [attempts, setAttempts] = useState<RowAttempt[]>([]);
  const [format, setFormat] = useState<Format>("csv");
  const [excelSafe, setExcelSafe] = useState(true);
  const [exportPath, setExportPath] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  // An export or a retry in progress: its buttons wait (a second click must not export twice or retry twice).
  const [working, setWorking] = useState<"exporting" | "retrying" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [openedAt, setOpenedAt] = useState(0);
  const [firstRowsMs, setFirstRowsMs] = useState<number | null>(null);
  const [wrap, setWrap] = useState(false);
  const [changes, setChanges] = useState<Revision>(NO_CHANGES);

  useEffect(() => {
    backend.runs().then((r) => setRuns(r.filter((x) => x.has_results && !x.retry_of))).catch(() => setRuns([]));
  }, [run]);

  useEffect(() => {
    if (!run) return;
    setOpenedAt(performance.now());
    setFirstRowsMs(null);
    setOverview(null);
    setDetail(null);
    setSelected(null);
    setError(null);
    setFieldName("");
    setFieldValue("");
    backend.resultsOverview(run).then(setOverview).catch((e) => setError(backend.errorText(e)));
  }, [run]);

  // Search waits for a pause in typing. The filter keeps its identity when nothing changed: a new but equal
  // filter would recount the rows and put the table back at the top under a user who has started scrolling.
  useEffect(() => {
    const timer = setTimeout(() => setFilter((current) => nextFilter(current, status, search, fieldOf(fieldName, fieldValue))), 300);
    return () => clearTimeout(timer);
  }, [status, search, fieldName, fieldValue]);

  useEffect(() => {
    if (!run) return;
    let alive = true;
    setMatching(null);
    setSelected(null);
    backend
      .resultsPage(run, filter, 0, 1)
      .then((page) => alive && setMatching(page.matching))
      .catch((e) => alive && setError(backend.errorText(e)));
    return () => {
      alive = false;
    };
  }, [run, filter]);

  // The grid shows the outcome first (status, answer, error), then the input columns; exports and the detail
  // panel keep the joined file's order.
  const order = useMemo(() => displayOrder(overview?.columns ?? [], overview?.answer_fields.length ?? 0), [overview]);
  const wide = useMemo(() => answerColumns(overview?.columns ?? [], overview?.answer_fields.length ?? 0), [overview]);
  const fetchPage = useCallback(
    async (offset: number, limit: number) => {
      if (!run) return [];
      const page = await backend.resultsPage(run, filter, offset, limit);
      return page.rows.map(([number, cells]) => [String(number), ...order.map((i) => cells[i] ?? "")]);
    },
    [run, filter, order],
  );
  const onFirstRows = useCallback(() => {
    setFirstRowsMs((ms) => ms ?? Math.round(performance.now() - openedAt));
  }, [openedAt]);

  async function select(index: number) {
    setSelected(index);
    if (!run) return;
    try {
      const page = await backend.resultsPage(run, filter, index, 1);
      const found = page.rows[0];
      setDetail(found ? { row: found[0], cells: found[1] } : null);
      setSent(null);
      setAttempts([]);
      // A retried row's answers, the chosen one first (none for a row answered once).
      if (found) backend.rowAttempts(run, found[0]).then(setAttempts).catch(() => setAttempts([]));
      // The prompt that was sent, rendered in Rust from the run's templates; the detail shows without it if
      // it cannot be told (a run prepared elsewhere, its plan gone).
      if (found) setSent(await backend.rowPrompt(run, found[0]).catch(() => null));
    } catch (e) {
      setError(backend.errorText(e));
    }
  }

  async function exportTo(path: string) {
    if (!run || !path || working) return;
    setMessage(null);
    setError(null);
    setWorking("exporting");
    try {
      setMessage(await backend.exportResults(run, path, format === "csv" && excelSafe));
    } catch (e) {
      setError(backend.errorText(e));
    } finally {
      setWorking(null);
    }
  }

  async function chooseAndExport() {
    const name = `${runs.find((r) => r.id === run)?.file_name ?? "results"}.${format}`;
    const path = await backend.pickExportPath(name);
    if (path) {
      setExportPath(path);
      await exportTo(path);
    }
  }

  async function retry(send: Tier, matching: RowFilter | null = null) {
    if (!run || working) return;
    setMessage(null);
    setError(null);
    setWorking("retrying");
    try {
      const retried = await backend.retryRun(run, send, matching, changes);
      const how = send === "batch" ? "submitted" : `sent ${tierWords(retried.tier)}`;
      const changed = changesText(changes);
      const what = changed ? ` (${changed})` : "";
      setMessage(`Retry run ${retried.id} ${how} with ${count(retried.total, "row")}${what}; its results are merged here when it ends.`);
      onRetried(retried);
    } catch (e) {
      setError(backend.errorText(e));
    } finally {
      setWorking(null);
    }
  }

  const summary = overview?.summary ?? null;
  const filtered = filter.status !== null || filter.search !== null || filter.field !== null;
  const fieldShown = overview?.answer_fields.find((f) => f.name === fieldName) ?? null;
  const unfinished = overview ? unfinishedRows(overview.counts) : 0;
  const checked = overview ? CHECK_STATUSES.filter((s) => overview.counts[s] > 0) : [];
  const unfinishedWords = checked.length ? `${count(unfinished, "row")} not answered in full` : count(unfinished, "failed or missing row");
  return (
    <section aria-labelledby="results-title" className="fill">
      <h2 id="results-title">Results</h2>
      <label>
        Run
        <select id="results-run" value={run ?? ""} onChange={(e) => onRun(e.target.value)}>
          <option value="">Choose a run with results…</option>
          {runs.map((r) => <option key={r.id} value={r.id}>{r.job_name} · {r.created_at}{r.sandbox ? " · SANDBOX" : ""}</option>)}
        </select>
      </label>
      {error && <p role="alert" className="error">{error}</p>}
      {overview && (
        <div className="overview">
          {overview.sandbox && <p id="results-sandbox" className="badge warn">SANDBOX: these answers come from the sandbox model, not from Bedrock.</p>}
          <OutcomeBar counts={overview.counts} />
          <TokenHistogram bins={overview.output_tokens} />
          <FieldInsights insights={summary?.insights ?? []} />
          {overview.answer_fields.length > 0 && <CompareRuns run={overview.run} runs={runs} />}
          <p id="results-cost">
            Tokens: {(summary ? grouped(summary.tokens.input_from_outputs) : "?")} in, {(summary ? grouped(summary.tokens.output_from_outputs) : "?")} out{cacheNote(summary?.tokens)} · {costText(summary?.cost_usd ?? null, summary?.tiers ?? [])}
          </p>
          {(summary?.warnings ?? []).map((w) => <p key={w} className="hint">{w}</p>)}
        </div>
      )}
      {overview && (
        <>
          <div className="actions">
            <label>
              Status
              <select id="status-filter" value={status} onChange={(e) => setStatus(e.target.value as Status | "")}>
                <option value="">all</option>
                <option value="succeeded">succeeded</option>
                <option value="failed">failed</option>
                <option value="missing">missing</option>
                {checked.map((s) => (
                  <option key={s} value={s}>{s}</option>
                ))}
              </select>
            </label>
            {overview.answer_fields.length > 0 && (
              <>
                <label>
                  Field
                  <select id="field-filter" value={fieldName} onChange={(e) => setFieldName(e.target.value)}>
                    <option value="">any</option>
                    {overview.answer_fields.map((f) => <option key={f.name} value={f.name}>{f.name}</option>)}
                  </select>
                </label>
                {fieldName && (
                  <label>
                    is
                    <input id="field-value" list="field-values" value={fieldValue} placeholder="a value" onChange={(e) => setFieldValue(e.target.value)} />
                  </label>
                )}
                <datalist id="field-values">
                  {suggestedValues(fieldShown).map((v) => <option key={v} value={v} />)}
                </datalist>
              </>
            )}
            <label className="grow">
              Search
              <input id="results-search" type="search" value={search} placeholder="text in any column" onChange={(e) => setSearch(e.target.value)} />
            </label>
            <label className="inline">
              <input id="wrap-answers" type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} /> Wrap answers
            </label>
            <span id="results-matching" role="status">{matching === null ? "…" : count(matching, "row")}</span>
            {firstRowsMs !== null && <span id="first-rows-ms" className="muted" data-ms={firstRowsMs}>first rows in {firstRowsMs} ms</span>}
          </div>
          <div className="results-body">
            {matching !== null && (
              <VirtualGrid
                label="Results"
                columns={["row", ...order.map((i) => overview.columns[i])]}
                totalRows={matching}
                fetchPage={fetchPage}
                numbered={false}
                selected={selected ?? undefined}
                onSelect={(i) => void select(i)}
                onFirstRows={onFirstRows}
                widthsKey="results"
                wide={wide}
                wrap={wrap}
              />
            )}
            {detail && (
              <aside id="row-detail" aria-label={`Row ${detail.row}`} className="detail-panel">
                <h3>Row {detail.row} <button className="link" onClick={() => setDetail(null)} aria-label="Close the row detail">✕</button></h3>
                {sent && sent.row === detail.row && (
                  <details id="row-prompt" className="sent-prompt">
                    <summary>Prompt sent ({count(sent.tokens, "token")} estimated)</summary>
                    {sent.system && <p className="muted">System: {sent.system}</p>}
                    <p>{sent.prompt}</p>
                  </details>
                )}
                {attempts.length > 1 && (
                  <details id="row-attempts" open>
                    <summary>{attempts.length} attempts (the answer shown is the first)</summary>
                    <ol>
                      {attempts.map((a, i) => (
                        <li key={i} className="attempt" data-status={a.attempt.status}>
                          <strong>{a.attempt.status}</strong> · {a.model_id ?? "unknown model"} · run {a.run ?? a.attempt.folder}
                          <p>{a.attempt.output || a.attempt.error}</p>
                        </li>
                      ))}
                    </ol>
                  </details>
                )}
                <dl>
                  {/* The outcome first (status, the answer, the error), then the row's input. */}
                  {order.map((i) => (
                    <div key={i} className={wide.includes(overview.columns[i]) ? "answer" : undefined}>
                      <dt>{overview.columns[i]}</dt>
                      <dd>{detail.cells[i]}</dd>
                    </div>
                  ))}
                </dl>
              </aside>
            )}
          </div>
          <div className="actions export">
            <label>
              Export as
              <select id="export-format" value={format} onChange={(e) => setFormat(e.target.value as Format)}>
                <option value="csv">CSV</option>
                <option value="xlsx">Excel (XLSX)</option>
                <option value="parquet">Parquet</option>
              </select>
            </label>
            {format === "csv" && (
              <label className="inline">
                <input id="excel-safe" type="checkbox" checked={excelSafe} onChange={(e) => setExcelSafe(e.target.checked)} /> Excel-safe (cells starting with = + - @ cannot run as formulas)
              </label>
            )}
            <button id="export-choose" disabled={working !== null} onClick={() => void chooseAndExport()}>Export…</button>
            <label className="grow">
              <span className="visually-hidden">Export path</span>
              <input id="export-path" value={exportPath} placeholder="or type a path: /data/answers.csv" onChange={(e) => setExportPath(e.target.value)} />
            </label>
            <button id="export-run" className="secondary" disabled={!exportPath.trim() || working !== null} onClick={() => void exportTo(exportPath.trim())}>Export to path</button>
            {filtered && matching !== null && matching > 0 && (
              <>
                <button id="retry-matching" className="secondary" disabled={working !== null} title="Send the rows this filter shows again as a batch job, merged into these results (the newest answer in full wins)" onClick={() => void retry("batch", filter)}>
                  Retry the {count(matching, "row")} shown
                </button>
                <button id="retry-matching-on-demand" className="secondary" disabled={working !== null} title="No batch minimum and no queue; Flex where the model offers it" onClick={() => void retry("flex", filter)}>
                  … on demand
                </button>
              </>
            )}
            {unfinished > 0 && <button id="retry-failed" className="secondary" disabled={working !== null} onClick={() => void retry("batch")}>Retry {unfinishedWords}</button>}
            {unfinished > 0 && (
              <button id="retry-on-demand" className="secondary" disabled={working !== null} title="No batch minimum and no queue; Flex where the model offers it" onClick={() => void retry("flex")}>
                Retry on demand
              </button>
            )}
          </div>
          {(unfinished > 0 || filtered) && overview.asked && <RetryChanges key={overview.run} asked={overview.asked} onChange={setChanges} />}
          {working && (
            <p id="results-working" role="status" className="muted">
              {working === "exporting" ? "Exporting every row of the run…" : `Preparing the retry of the ${filtered ? "rows shown" : checked.length ? "rows not answered in full" : "failed and missing rows"}…`}
            </p>
          )}
          {message && <p id="results-message" role="status">{message}</p>}
        </>
      )}
    </section>
  );
}

/** The answer field's value a filter asks for: none until both a field and a value are given. */
export function fieldOf(name: string, value: string): FieldValue | null {
  return name && value.trim() ? { name, value: value.trim() } : null;
}

/** The filter the status choice, the search box and the field's value ask for — `current` itself when it already
 * is that filter (a new but equal one would recount the rows and put the table back at the top). */
export function nextFilter(current: RowFilter, status: Status | "", search: string, field: FieldValue | null): RowFilter {
  const wanted: RowFilter = { status: status || null, search: search.trim() || null, field };
  const same = current.status === wanted.status && current.search === wanted.search
    && current.field?.name === wanted.field?.name && current.field?.value === wanted.field?.value;
  return same ? current : wanted;
}

/** Values worth suggesting for a field's filter: its labels, or true and false. */
export function suggestedValues(field: AnswerField | null): string[] {
  if (!field) return [];
  if (field.kind.kind === "one_of" || field.kind.kind === "some_of") return field.kind.values;
  return field.kind.kind === "boolean" ? ["true", "false"] : [];
}

/** The result columns of the joined table, after the input's and the answer's fields. */
const RESULT_COLUMNS = 8;

/** The columns worth reading, drawn wide: the answer's fields, else the answer text. */
export function answerColumns(columns: string[], fields: number): string[] {
  const start = columns.length - RESULT_COLUMNS - fields;
  return fields > 0 && start >= 0 ? columns.slice(start, start + fields) : ["output"];
}

/** " (prompt cache: N read, M written)" when the records report prompt-cache tokens, else nothing. */
function cacheNote(tokens: { cache_read_from_outputs: number; cache_write_from_outputs: number } | undefined): string {
  if (!tokens || tokens.cache_read_from_outputs + tokens.cache_write_from_outputs === 0) return "";
  return ` (prompt cache: ${grouped(tokens.cache_read_from_outputs)} read, ${grouped(tokens.cache_write_from_outputs)} written)`;
}

/** The grid's column order as indexes into `columns`: the outcome first (status, the answer's `fields`
 * columns, the answer text, the error), then the rest as joined. */
export function displayOrder(columns: string[], fields = 0): number[] {
  // The result columns are the last ones, so an input column with the same name is not taken for one.
  const results = columns.length - RESULT_COLUMNS;
  const at = (name: string) => columns.lastIndexOf(name);
  const fieldColumns = results - fields >= 0 ? Array.from({ length: fields }, (_, i) => results - fields + i) : [];
  const first = [at("status"), ...fieldColumns, at("output"), at("error")].filter((i) => i >= 0);
  return [...first, ...columns.map((_, i) => i).filter((i) => !first.includes(i))];
}
