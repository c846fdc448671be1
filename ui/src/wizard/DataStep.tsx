// Step 2: open a sheet (native dialog or a typed path), see its columns and page through its rows.
import { useCallback, useState } from "react";

import * as backend from "../backend";
import type { SheetSummary } from "../backend";
import { VirtualGrid } from "../grid/VirtualGrid";

export interface DataStepProps {
  summary: SheetSummary | null;
  onOpened: (summary: SheetSummary) => void;
  selectedRow: number;
  onSelectRow: (row: number) => void;
}

export function DataStep({ summary, onOpened, selectedRow, onSelectRow }: DataStepProps) {
  const [path, setPath] = useState(summary?.meta.path ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function load(target: string, sheet: string | null = null) {
    if (!target.trim()) return;
    setBusy(true);
    setError(null);
    try {
      onOpened(await backend.openSheet(target.trim(), sheet));
    } catch (e) {
      setError(backend.errorText(e));
    } finally {
      setBusy(false);
    }
  }

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
    (offset: number, limit: number) => backend.sheetRows(sheetPath, sheet, offset, limit),
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
          <input id="sheet-path" value={path} placeholder="or type a path: /data/reviews.csv" onChange={(e) => setPath(e.target.value)} />
        </label>
        <button id="sheet-load" type="submit" disabled={busy}>Load</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {summary && (
        <>
          <p id="sheet-summary" role="status">
            {summary.rows.toLocaleString()} rows · {summary.columns.length} columns · {summary.meta.format.toUpperCase()}
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
