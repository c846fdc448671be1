// The only module that talks to Tauri: every command the UI calls, typed. Tests replace this module with
// a fake (vi.mock), so the rest of the UI never imports @tauri-apps/* directly.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { open, save } from "@tauri-apps/plugin-dialog";

import type {
  AccessForm,
  AccessView,
  AppInfo,
  ConnectionInfo,
  CostEstimate,
  ModelFacts,
  ModelList,
  PromptTotals,
  ProfileInfo,
  PromptAnalysis,
  RenderedPrompt,
  ResultsOverview,
  ResultsPage,
  RowFilter,
  RunBytes,
  RunEvent,
  RunOutcome,
  RunRow,
  S3Listing,
  SheetProgress,
  SheetSummary,
  SubmitForm,
  TestRowForm,
  TestRowView,
} from "./types";

export type * from "./types";
export { errorCode, errorText } from "./errors";

/** The build's version and bundled data. */
export function appInfo(): Promise<AppInfo> {
  return invoke<AppInfo>("app_info");
}

/** The named AWS profiles with their regions and SSO sign-in state. */
export function profiles(): Promise<ProfileInfo[]> {
  return invoke<ProfileInfo[]>("profiles");
}

/** Connects to AWS (or, with `sandbox`, to the offline sandbox); without credentials the answer is the sandbox. */
export function connect(sandbox: boolean, profile: string | null = null, region: string | null = null): Promise<ConnectionInfo> {
  return invoke<ConnectionInfo>("connect", { sandbox, profile, region });
}

/** Summarizes a sheet: format, worksheets, columns, rows. Rejects with a "cancelled" message when
 * `cancelOpenSheet` (or a newer opening) stops it. */
export function openSheet(path: string, sheet: string | null): Promise<SheetSummary> {
  return invoke<SheetSummary>("open_sheet", { path, sheet });
}

/** Stops the sheet opening in progress; the sheet open before stays open. */
export function cancelOpenSheet(): Promise<void> {
  return invoke<void>("cancel_open_sheet");
}

/** Calls `handler` with the rows read so far while a sheet opens. */
export function onSheetProgress(handler: (progress: SheetProgress) => void): Promise<() => void> {
  return listen<SheetProgress>("sheet-progress", (e) => handler(e.payload));
}

/** A page of the open sheet's rows, 0-based. */
export function sheetRows(offset: number, limit: number): Promise<string[][]> {
  return invoke<string[][]>("sheet_rows", { offset, limit });
}

/** One row's prompt, rendered from the open sheet's cache (fast at any size). */
export function renderRow(template: string, system: string | null, row: number): Promise<RenderedPrompt> {
  return invoke<RenderedPrompt>("render_row", { template, system, row });
}

/** What the templates do with the open sheet's columns: pieces to highlight, columns read, unknown names. */
export function analyzeTemplate(template: string, system: string | null): Promise<PromptAnalysis> {
  return invoke<PromptAnalysis>("analyze_template", { template, system });
}

/** Every row's prompt estimated in one pass over the sheet; a newer call stops this one (it then rejects). */
export function promptTotals(template: string, system: string | null): Promise<PromptTotals> {
  return invoke<PromptTotals>("prompt_totals", { template, system });
}

/** What Rust knows of a model id: its family and context window. Rejects an id that cannot be a model's. */
export function modelFacts(model: string): Promise<ModelFacts> {
  return invoke<ModelFacts>("model_facts", { model });
}

/** The models and inference profiles of the connection (the bundled list, with a note, when unavailable). */
export function models(): Promise<ModelList> {
  return invoke<ModelList>("models");
}

/** Renders the open sheet's row (from its cache) and sends it through an on-demand Converse call. */
export function testRow(form: TestRowForm): Promise<TestRowView> {
  return invoke<TestRowView>("test_row", { form });
}

/** The cost of `rows` records of `inputTokens` in total and at most `maxTokens` answer tokens each. */
export function estimate(model: string, inputTokens: number, rows: number, maxTokens: number): Promise<CostEstimate> {
  return invoke<CostEstimate>("estimate", { model, inputTokens, rows, maxTokens });
}

/** Records per job for `rows` rows under the default quotas. */
export function jobPlan(rows: number): Promise<number[]> {
  return invoke<number[]>("job_plan", { rows });
}

/** The access check of the job about to be submitted. */
export function checkAccess(form: AccessForm): Promise<AccessView> {
  return invoke<AccessView>("check_access", { form });
}

/** The buckets (empty location) or one folder level of S3. */
export function browseS3(location: string): Promise<S3Listing> {
  return invoke<S3Listing>("browse_s3", { location });
}

/** Prepares and submits a run; it is then followed in the background. */
export function submit(form: SubmitForm): Promise<RunRow> {
  return invoke<RunRow>("submit", { form });
}

/** Every run with its live counts, newest first. */
export function runs(): Promise<RunRow[]> {
  return invoke<RunRow[]>("runs");
}

/** Stops a run's jobs. */
export function stopRun(run: string): Promise<RunRow> {
  return invoke<RunRow>("stop_run", { run });
}

/** Retries a run's failed and missing rows. */
export function retryRun(run: string): Promise<RunRow> {
  return invoke<RunRow>("retry_run", { run });
}

/** Columns, counts, token bins and summary of a run's results. */
export function resultsOverview(run: string): Promise<ResultsOverview> {
  return invoke<ResultsOverview>("results_overview", { run });
}

/** A page of a run's results. */
export function resultsPage(run: string, filter: RowFilter, offset: number, limit: number): Promise<ResultsPage> {
  return invoke<ResultsPage>("results_page", { run, filter, offset, limit });
}

/** Exports a run's results; the format follows the extension. */
export function exportResults(run: string, path: string, excelSafe: boolean): Promise<string> {
  return invoke<string>("export_results", { run, path, excelSafe });
}

/** The remembered choices. */
export function loadChoices(): Promise<Record<string, unknown>> {
  return invoke<Record<string, unknown>>("load_choices");
}

/** Remembers choices (null forgets one). */
export function rememberChoices(choices: Record<string, unknown>): Promise<void> {
  return invoke<void>("remember_choices", { choices });
}

/** Calls `handler` for every run event; returns the unsubscribe function. */
export function onRunEvent(handler: (event: RunEvent) => void): Promise<() => void> {
  return listen<RunEvent>("run-event", (e) => handler(e.payload));
}

/** Calls `handler` as bytes of a run are uploaded or downloaded. */
export function onRunBytes(handler: (event: RunBytes) => void): Promise<() => void> {
  return listen<RunBytes>("run-bytes", (e) => handler(e.payload));
}

/** Calls `handler` when a run ends. */
export function onRunEnded(handler: (outcome: RunOutcome) => void): Promise<() => void> {
  return listen<RunOutcome>("run-ended", (e) => handler(e.payload));
}

/** Calls `handler` with the path of a file dropped on the window. */
export function onFileDrop(handler: (path: string) => void): Promise<() => void> {
  return getCurrentWebview().onDragDropEvent((e) => {
    if (e.payload.type === "drop" && e.payload.paths.length > 0) handler(e.payload.paths[0]);
  });
}

/** The native save dialog for an export; null when cancelled. */
export async function pickExportPath(defaultName: string): Promise<string | null> {
  const chosen = await save({
    defaultPath: defaultName,
    filters: [
      { name: "CSV", extensions: ["csv"] },
      { name: "Excel", extensions: ["xlsx"] },
      { name: "Parquet", extensions: ["parquet"] },
    ],
  });
  return chosen ?? null;
}

/** The native open dialog for sheets; null when cancelled. */
export async function pickSheet(): Promise<string | null> {
  const chosen = await open({
    multiple: false,
    directory: false,
    filters: [{ name: "Sheets", extensions: ["csv", "tsv", "txt", "xlsx", "xls", "ods", "parquet", "jsonl"] }],
  });
  return typeof chosen === "string" ? chosen : null;
}

