// The window's way to Rust: the calls, events and types generated from the window contract (bindings.ts),
// and the native dialogs and file drops. Tests replace this module with a fake (vi.mock), so the rest of the
// UI never imports @tauri-apps/* directly.
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { open, save } from "@tauri-apps/plugin-dialog";

export * from "./bindings";
export { errorCode, errorText } from "./errors";

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


/** The native open dialog for a folder (of output lines); null when cancelled. */
export async function pickFolder(): Promise<string | null> {
  const chosen = await open({ multiple: false, directory: true });
  return typeof chosen === "string" ? chosen : null;
}
