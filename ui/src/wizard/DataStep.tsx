// Step 2: open a sheet (native dialog, a dropped file or a typed path), see its columns, page through its
// rows and choose which rows to send.
import { useCallback, useEffect, useRef, useState } from "react";

import * as backend from "../backend";
import type { RowSelection, SheetSummary } from "../backend";
import { VirtualGrid } from "../grid/VirtualGrid";
import { count } from "../format";

export interface DataStepProps {
  summary: SheetSummary | null;
  onOpened: (summary: SheetSummary) => void;
  selectedRow: number;
  onSelectRow: (row: number) => void;
  selection: RowSelection;
  onSelection: (selection: RowSelection) => void;
}

/** How many rows a selection sends, when it is known before reading the sheet. */
export function selectedRows(selection: RowSelection, rows: number): number | null {
  if (selection.kind === "all") return rows;
  if (selection.kind === "first") return Math.min(rows, Math.max(0, selection.count));
  return null;
}

function SelectionEditor({ summary, selection, onSelection }: { summary: SheetSummary; selection: RowSelection; onSelection: (s: RowSelection) => void }) {
  const column = selection.kind === "filter" ? selection.column : summary.meta.headers[0] ?? "";
  return (
    <fieldset className="selection">
      <legend>Rows to send</legend>
      <label>
        <input type="radio" name="selection" id="select-all" checked={selection.kind === "all"} onChange={() => onSelection({ kind: "all" })} /> all
      </label>
      <label>
        <input type="radio" name="selection" id="select-first" checked={selection.kind === "first"} onChange={() => onSelection({ kind: "first", count: Math.min(100, summary.rows) })} /> the first
        {selection.kind === "first" && (
          <input id="first-count" type="number" min={1} aria-label="How many rows" value={selection.count} onChange={(e) => onSelection({ kind: "first", count: Math.max(1, Number(e.target.value) || 1) })} />
        )}
      </label>
      <label>
        <input type="radio" name="selection" id="select-filter" checked={selection.kind === "filter"} onChange={() => onSelection({ kind: "filter", column, op: "contains", value: "" })} /> rows where
      </label>
      {selection.kind === "filter" && (
        <span className="filter">
          <select aria-label="Filter column" value={selection.column} onChange={(e) => onSelection({ ...selection, column: e.target.value })}>
            {summary.meta.headers.map((h) => <option key={h}>{h}</option>)}
          </select>
          <select aria-label="Filter comparison" value={selection.op} onChange={(e) => onSelection({ ...selection, op: e.target.value as "contains" })}>
            <option value="contains">contains</option>
            <option value="equals">equals</option>
            <option value="not_empty">is not empty</option>
          </select>
          {selection.op !== "not_empty" && (
            <input aria-label="Filter text" value={selection.value} onChange={(e) => onSelection({ ...selection, value: e.target.value })} />
          )}
        </span>
      )}
    </fieldset>
  );
}

export function DataStep({ summary, onOpened, selectedRow, onSelectRow, selection, onSelection }: DataStepProps) {
  const [path, setPath] = useState(summary?.meta.path ?? "");
  const [busy, setBusy] = useState(false);
  const [readRows, setReadRows] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  // Only the latest opening's answer counts: a newer one (a second drop, another worksheet) supersedes it.
  const latest = useRef(0);

  async function load(target: string, sheet: string | null = null) {
    if (!target.trim()) return;
    const opening = ++latest.current;
    setBusy(true);
    setReadRows(0);
    setError(null);
    setNote(null);
    try {
      const opened = await backend.openSheet(target.trim(), sheet);
      if (opening === latest.current) onOpened(opened);
    } catch (e) {
      if (opening !== latest.current) return;
      if (backend.errorCode(e) === "cancelled") setNote(`Opening ${target.trim()} was cancelled${summary ? "; the sheet open before is still open" : ""}.`);
      else setError(backend.errorText(e));
    } finally {
      if (opening === latest.current) setBusy(false);
    }
  }

  function cancel() {
    void backend.cancelOpenSheet().catch(() => undefined);
  }

  useEffect(() => {
    const stop = backend.onSheetProgress((p) => setReadRows(p.rows));
    return () => void stop.then((s) => s()).catch(() => undefined);
  }, []);

  useEffect(() => {
    let unlisten: (() => void) | null = null;
    backend
      .onFileDrop((dropped) => {
        setPath(dropped);
        void load(dropped);
      })
      .then((u) => (unlisten = u))
      .catch(() => undefined);
    return () => unlisten?.();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  async function browse() {
    const chosen = await backend.pickSheet();
    if (chosen) {
      setPath(chosen);
      await load(chosen);
    }
  }

  const sheetPath = summary?.meta.path ?? "";
  const sheet = summary?.meta.sheet ?? null;
  const fetchPage = useCallback(
    // A new sheet or worksheet gives a new function, so the grid drops its cached pages and refetches.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    (offset: number, limit: number) => backend.sheetRows(offset, limit),
    [sheetPath, sheet],
  );

  return (
    <section aria-labelledby="data-title" className="fill">
      <h2 id="data-title">Data</h2>
      <form
        className="actions"
        onSubmit={(e) => {
          e.preventDefault();
          void load(path);
        }}
      >
        <button type="button" onClick={() => void browse()} disabled={busy}>Open a sheet…</button>
        <label className="grow">
          <span className="visually-hidden">Sheet path</span>
          <input id="sheet-path" value={path} placeholder="or drop a file here, or type a path: /data/reviews.csv" onChange={(e) => setPath(e.target.value)} />
        </label>
        <button id="sheet-load" type="submit" disabled={busy}>Load</button>
      </form>
      {busy && (
        <p id="sheet-reading" role="status" className="muted">
          Reading the sheet (every row is counted and cached for paging)…{readRows > 0 ? ` ${count(readRows, "row")} so far` : ""}{" "}
          <button id="sheet-cancel" type="button" className="secondary" onClick={cancel}>Cancel</button>
        </p>
      )}
      {note && <p id="sheet-note" role="status" className="muted">{note}</p>}
      {error && <p role="alert" className="error">{error}</p>}
      {summary && (
        <>
          <p id="sheet-summary" role="status">
            {count(summary.rows, "row")} · {count(summary.columns.length, "column")} · {summary.meta.format.toUpperCase()}
            {summary.sheets.length > 1 && (
              <label>
                {" "}· worksheet{" "}
                <select value={sheet ?? ""} onChange={(e) => void load(sheetPath, e.target.value)}>
                  {summary.sheets.map((name) => <option key={name}>{name}</option>)}
                </select>
              </label>
            )}
          </p>
          <ul className="columns" aria-label="Columns">
            {summary.columns.map((c) => (
              <li key={c.name}>
                <strong>{c.name}</strong> <span className="muted">{c.kind}{c.empty_cells ? `, ${c.empty_cells} empty` : ""}</span>
              </li>
            ))}
          </ul>
          <SelectionEditor summary={summary} selection={selection} onSelection={onSelection} />
          <VirtualGrid
            label="Sheet rows"
            columns={summary.meta.headers}
            totalRows={summary.rows}
            fetchPage={fetchPage}
            selected={selectedRow}
            onSelect={onSelectRow}
          />
        </>
      )}
    </section>
  );
}
