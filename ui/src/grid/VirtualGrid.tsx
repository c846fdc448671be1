// A table that renders only the rows in view and asks for pages of rows as it scrolls.
import { useEffect, useRef, useState } from "react";

import { clampWidth, columnWidths, loadWidths, saveWidth } from "./columnWidths";
import { PageCache, bodyHeight, pagesFor, rowScroll, rowTop, visibleRange } from "./paging";

const ROW_HEIGHT = 28;
/** A row's height when cells wrap: three lines of text. */
const WRAPPED_ROW_HEIGHT = 68;
const NUMBER_WIDTH = 64;
const PAGE_SIZE = 200;

export interface VirtualGridProps {
  columns: string[];
  totalRows: number;
  /** Fetches rows [offset, offset + limit). */
  fetchPage: (offset: number, limit: number) => Promise<string[][]>;
  /** Called with the 0-based row a user selects. */
  onSelect?: (row: number) => void;
  selected?: number;
  label: string;
  /** Show the 1-based position as the first column (default true). */
  numbered?: boolean;
  /** Called once when the first page has arrived (for the first-rows timing). */
  onFirstRows?: () => void;
  /** The name column widths are remembered under (default: the label). */
  widthsKey?: string;
  /** Columns drawn wide until resized (answers). */
  wide?: string[];
  /** Cells wrap onto three lines (taller rows). */
  wrap?: boolean;
}

export function VirtualGrid(props: VirtualGridProps) {
  const { columns, totalRows, fetchPage, onSelect, selected, label, numbered = true, onFirstRows } = props;
  const { widthsKey = label, wide = [], wrap = false } = props;
  const rowHeight = wrap ? WRAPPED_ROW_HEIGHT : ROW_HEIGHT;
  const [saved, setSaved] = useState<Record<string, number>>(() => loadWidths(widthsKey));
  const widths = columnWidths(columns, wide, saved);
  const viewport = useRef<HTMLDivElement>(null);
  const cache = useRef(new PageCache(20));
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const [, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    cache.current = new PageCache(20);
    setVersion((v) => v + 1);
  }, [fetchPage, totalRows]);

  useEffect(() => {
    const element = viewport.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // The viewport's height less the sticky header's row.
  const perRow = rowScroll(totalRows, rowHeight, Math.max(0, height - ROW_HEIGHT));
  const { first, count } = visibleRange(scrollTop, height, rowHeight, perRow);
  useEffect(() => {
    let alive = true;
    for (const page of pagesFor(first, first + count, PAGE_SIZE, totalRows)) {
      if (cache.current.get(page)) continue;
      fetchPage(page * PAGE_SIZE, PAGE_SIZE)
        .then((rows) => {
          if (!alive) return;
          cache.current.set(page, rows);
          setVersion((v) => v + 1);
          if (page === 0) onFirstRows?.();
        })
        .catch((e: unknown) => alive && setError(e instanceof Error ? e.message : String(e)));
    }
    return () => {
      alive = false;
    };
  }, [first, count, totalRows, fetchPage, onFirstRows]);

  // Wide tables scroll sideways instead of squeezing every column.
  const minWidth = widths.reduce((sum, w) => sum + w, 0) + (numbered ? NUMBER_WIDTH : 0);
  const cellStyle = (c: number) => ({ flex: `0 0 ${widths[c]}px`, width: widths[c] });

  /** Drags column `c`'s right edge; the width is remembered when the drag ends. */
  function startResize(c: number, event: React.MouseEvent) {
    event.preventDefault();
    event.stopPropagation();
    const name = columns[c];
    const [startX, startWidth] = [event.clientX, widths[c]];
    const move = (e: MouseEvent) => setSaved((s) => ({ ...s, [name]: clampWidth(startWidth + e.clientX - startX) }));
    const end = (e: MouseEvent) => {
      window.removeEventListener("mousemove", move);
      window.removeEventListener("mouseup", end);
      setSaved(saveWidth(widthsKey, name, startWidth + e.clientX - startX));
    };
    window.addEventListener("mousemove", move);
    window.addEventListener("mouseup", end);
  }
  const rows = [];
  for (let index = first; index < Math.min(first + count, totalRows); index += 1) {
    const cells = cache.current.row(index, PAGE_SIZE);
    rows.push(
      <div
        key={index}
        role="row"
        aria-rowindex={index + 2}
        aria-selected={selected === index}
        className={selected === index ? "grid-row selected" : "grid-row"}
        style={{ top: rowTop(index, scrollTop, rowHeight, perRow), minWidth, height: rowHeight }}
        onClick={() => onSelect?.(index)}
        onKeyDown={(e) => e.key === "Enter" && onSelect?.(index)}
        tabIndex={-1}
      >
        {numbered && <span role="rowheader" className="grid-cell number">{index + 1}</span>}
        {columns.map((_, c) => (
          <span role="gridcell" key={c} className="grid-cell" style={cellStyle(c)} title={cells?.[c] ?? ""}>
            {cells ? cells[c] : "…"}
          </span>
        ))}
      </div>,
    );
  }
  return (
    <div className={wrap ? "grid wrap" : "grid"} role="grid" aria-label={label} aria-rowcount={totalRows + 1}>
      {error && <p role="alert" className="error">Rows could not be read: {error}</p>}
      <div
        className="grid-viewport"
        ref={viewport}
        data-row-scroll={perRow}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        tabIndex={0}
        aria-label={`${label}: arrow keys move the selection`}
        onKeyDown={(e) => {
          if (!onSelect || totalRows === 0 || !["ArrowDown", "ArrowUp", "PageDown", "PageUp"].includes(e.key)) return;
          e.preventDefault();
          const step = e.key.startsWith("Page") ? count - 1 : 1;
          const next = Math.min(totalRows - 1, Math.max(0, (selected ?? -1) + (e.key.endsWith("Down") ? step : -step)));
          onSelect(next);
          const element = viewport.current;
          if (element && (next < first + 1 || next > first + count - 3)) {
            element.scrollTop = Math.max(0, next * perRow - height / 2);
          }
        }}
      >
        {/* The header scrolls sideways with the rows and stays on top when scrolling down. */}
        <div role="row" className="grid-row header" style={{ minWidth }}>
          {numbered && <span role="columnheader" className="grid-cell number">#</span>}
          {columns.map((name, c) => (
            <span role="columnheader" key={name} className="grid-cell" style={cellStyle(c)} data-width={widths[c]}>
              {name}
              <span
                className="col-resize"
                role="separator"
                aria-orientation="vertical"
                aria-label={`Resize ${name}`}
                onMouseDown={(e) => startResize(c, e)}
                onDoubleClick={() => setSaved(saveWidth(widthsKey, name, widths[c] < 300 ? 420 : 120))}
              />
            </span>
          ))}
        </div>
        <div className="grid-body" style={{ height: bodyHeight(totalRows, rowHeight), minWidth }}>{rows}</div>
      </div>
    </div>
  );
}
