import { MAX_BODY_HEIGHT, PageCache, bodyHeight, pagesFor, rowScroll, rowTop, visibleRange } from "./paging";

describe("pagesFor", () => {
  it("covers the viewport and one page ahead, within the table", () => {
    expect(pagesFor(0, 30, 100, 1_000_000)).toEqual([0, 1]);
    expect(pagesFor(250, 290, 100, 1_000_000)).toEqual([2, 3]);
    expect(pagesFor(950, 999, 100, 1000)).toEqual([9]);
    expect(pagesFor(0, 10, 100, 0)).toEqual([]);
  });
});

describe("visibleRange", () => {
  it("turns a scroll position into rows", () => {
    expect(visibleRange(0, 280, 28)).toEqual({ first: 0, count: 11 });
    expect(visibleRange(2800, 280, 28)).toEqual({ first: 100, count: 11 });
  });
});

describe("PageCache", () => {
  it("drops the least recently used page", () => {
    const cache = new PageCache(2);
    cache.set(0, [["a"]]);
    cache.set(1, [["b"]]);
    cache.get(0);
    cache.set(2, [["c"]]);
    expect(cache.get(1)).toBeUndefined();
    expect(cache.get(0)).toEqual([["a"]]);
    expect(cache.size).toBe(2);
    expect(cache.row(200, 100)).toEqual(["c"]);
  });
});

describe("scaled scrolling", () => {
  it("keeps the body under the browser's limit and draws rows in view one row apart", () => {
    expect(rowScroll(1000, 28)).toBe(28);
    const perRow = rowScroll(10_000_000, 28, 280);
    expect(bodyHeight(10_000_000, 28)).toBe(MAX_BODY_HEIGHT);
    // At the end of the body, the last ten rows fill the viewport.
    expect(visibleRange(MAX_BODY_HEIGHT - 280, 280, 28, perRow).first).toBe(10_000_000 - 10);
    const scrollTop = 5_000_000 * perRow;
    expect(visibleRange(scrollTop, 280, 28, perRow).first).toBe(5_000_000);
    expect(rowTop(5_000_000, scrollTop, 28, perRow)).toBeCloseTo(scrollTop);
    expect(rowTop(5_000_001, scrollTop, 28, perRow) - rowTop(5_000_000, scrollTop, 28, perRow)).toBeCloseTo(28);
    expect(rowTop(7, 0, 28, 28)).toBe(196);
  });
});
