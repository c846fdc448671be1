import { MAX_WIDTH, MIN_WIDTH, NARROW, WIDE, clampWidth, columnWidths, loadWidths, saveWidth } from "./columnWidths";

class MemoryStorage {
  items = new Map<string, string>();
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.items.set(k, v);
  }
}

describe("column widths", () => {
  it("gives answers a wide column and the rest a narrow one, unless a width is remembered", () => {
    expect(columnWidths(["row", "status", "output", "text"], ["output"], {})).toEqual([NARROW, NARROW, WIDE, NARROW]);
    expect(columnWidths(["status", "output"], ["output"], { output: 250, status: 5 })).toEqual([MIN_WIDTH, 250]);
  });

  it("holds a dragged width within bounds", () => {
    expect([clampWidth(10), clampWidth(99999), clampWidth(200.6), clampWidth(Number.NaN)]).toEqual([MIN_WIDTH, MAX_WIDTH, 201, NARROW]);
  });

  it("remembers widths per grid and ignores what it cannot read", () => {
    const storage = new MemoryStorage();
    expect(saveWidth("results", "output", 600, storage)).toEqual({ output: 600 });
    saveWidth("results", "status", 90, storage);
    expect(loadWidths("results", storage)).toEqual({ output: 600, status: 90 });
    expect(loadWidths("sheet", storage)).toEqual({});
    storage.setItem("grid-widths:broken", "{not json");
    expect(loadWidths("broken", storage)).toEqual({});
    storage.setItem("grid-widths:odd", JSON.stringify({ a: "wide", b: 130 }));
    expect(loadWidths("odd", storage)).toEqual({ b: 130 });
  });
});
