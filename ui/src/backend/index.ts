// The only module that talks to Tauri: every command the UI calls, typed. Tests replace this module with
// a fake (vi.mock), so the rest of the UI never imports @tauri-apps/* directly.
import { invoke } from "@tauri-apps/api/core";
import { open } from "@tauri-apps/plugin-dialog";

import type { AppInfo, ConnectionInfo, CostEstimate, Preview, SheetSummary } from "./types";

export type * from "./types";

/** The build's version and bundled data. */
export function appInfo(): Promise<AppInfo> {
  return invoke<AppInfo>("app_info");
}

/** Connects to AWS (or, with `sandbox`, to the offline sandbox); without credentials the answer is the sandbox. */
export function connect(sandbox: boolean): Promise<ConnectionInfo> {
  return invoke<ConnectionInfo>("connect", { sandbox });
}

/** Summarizes a sheet: format, worksheets, columns, rows. */
export function openSheet(path: string, sheet: string | null): Promise<SheetSummary> {
  return invoke<SheetSummary>("open_sheet", { path, sheet });
}

/** A page of rows, 0-based. */
export function sheetRows(path: string, sheet: string | null, offset: number, limit: number): Promise<string[][]> {
  return invoke<string[][]>("sheet_rows", { path, sheet, offset, limit });
}

/** Renders one row's prompt and estimates tokens. */
export function previewPrompt(args: {
  path: string;
  sheet: string | null;
  template: string;
  system: string | null;
  row: number;
}): Promise<Preview> {
  return invoke<Preview>("preview_prompt", args);
}

/** The model ids of the bundled price table. */
export function models(): Promise<string[]> {
  return invoke<string[]>("models");
}

/** The cost of `rows` records of `inputTokens` in total and at most `maxTokens` answer tokens each. */
export function estimate(model: string, inputTokens: number, rows: number, maxTokens: number): Promise<CostEstimate> {
  return invoke<CostEstimate>("estimate", { model, inputTokens, rows, maxTokens });
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

/** A readable message from whatever a command rejected with. */
export function errorText(error: unknown): string {
  if (typeof error === "string") return error;
  if (error instanceof Error) return error.message;
  return JSON.stringify(error);
}
