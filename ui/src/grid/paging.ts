// Which pages of rows a viewport needs, and a small cache of fetched pages: the grid asks Rust for pages,
// never for the whole table.

/** The page numbers covering rows [first, last] (inclusive), plus one page ahead for smooth scrolling. */
export function pagesFor(first: number, last: number, pageSize: number, totalRows: number): number[] {
  if (totalRows <= 0 || last < first) return [];
  const lastRow = Math.min(last, totalRows - 1);
  const start = Math.floor(Math.max(0, first) / pageSize);
  const end = Math.min(Math.floor(lastRow / pageSize) + 1, Math.floor((totalRows - 1) / pageSize));
  const pages: number[] = [];
  for (let page = start; page <= end; page += 1) pages.push(page);
  return pages;
}

/** The tallest scrolling body (px): browsers lose precision and stop drawing past about 33 million px. */
export const MAX_BODY_HEIGHT = 8_000_000;

/** The scrolling body's height: every row at full height, or `maxHeight` for taller tables. */
export function bodyHeight(totalRows: number, rowHeight: number, maxHeight = MAX_BODY_HEIGHT): number {
  return Math.min(totalRows * rowHeight, maxHeight);
}

/** Scroll pixels per row: the row height, or less when the table would be taller than `maxHeight` — then
 * scrolling to the end of the body shows the last rows in a viewport of `viewport` px. */
export function rowScroll(totalRows: number, rowHeight: number, viewport = 0, maxHeight = MAX_BODY_HEIGHT): number {
  if (totalRows * rowHeight <= maxHeight) return rowHeight;
  const visible = Math.floor(viewport / rowHeight);
  return (maxHeight - viewport) / Math.max(1, totalRows - visible);
}

/** The rows [first, first + count) visible in a viewport of `height` pixels scrolled to `scrollTop`. */
export function visibleRange(scrollTop: number, height: number, rowHeight: number, perRow = rowHeight): { first: number; count: number } {
  const first = Math.max(0, Math.floor(scrollTop / perRow));
  const count = Math.ceil(height / rowHeight) + 1;
  return { first, count };
}

/** Where row `index` is drawn (px from the body's top) when scrolled to `scrollTop`: rows in view sit one
 * row height apart from the scrolled-to position, whatever the scroll scale. */
export function rowTop(index: number, scrollTop: number, rowHeight: number, perRow: number): number {
  if (perRow === rowHeight) return index * rowHeight;
  return scrollTop + (index - scrollTop / perRow) * rowHeight;
}

/** Fetched pages, least recently used dropped first. */
export class PageCache {
  private pages = new Map<number, string[][]>();

  constructor(private readonly capacity: number) {}

  get(page: number): string[][] | undefined {
    const rows = this.pages.get(page);
    if (rows !== undefined) {
      this.pages.delete(page);
      this.pages.set(page, rows);
    }
    return rows;
  }

  set(page: number, rows: string[][]): void {
    this.pages.delete(page);
    this.pages.set(page, rows);
    while (this.pages.size > this.capacity) {
      const oldest = this.pages.keys().next().value;
      if (oldest === undefined) break;
      this.pages.delete(oldest);
    }
  }

  get size(): number {
    return this.pages.size;
  }

  /** The cell at an absolute row, when its page is cached. */
  row(index: number, pageSize: number): string[] | undefined {
    return this.pages.get(Math.floor(index / pageSize))?.[index % pageSize];
  }
}
