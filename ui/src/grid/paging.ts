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

/** The rows [first, first + count) visible in a viewport of `height` pixels scrolled to `scrollTop`. */
export function visibleRange(scrollTop: number, height: number, rowHeight: number): { first: number; count: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight));
  const count = Math.ceil(height / rowHeight) + 1;
  return { first, count };
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
