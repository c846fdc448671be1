// Column widths of a grid: wide for the columns worth reading (answers), narrow for the rest, each resizable
// and remembered per grid (in the window's local storage; nothing secret is in a width).

/** Narrowest and widest a column may be dragged to (px). */
export const MIN_WIDTH = 56;
export const MAX_WIDTH = 1600;
/** A column's width unless told otherwise, and a wide one's (an answer's). */
export const NARROW = 120;
export const WIDE = 420;

/** `width` held within [MIN_WIDTH, MAX_WIDTH], in whole pixels. */
export function clampWidth(width: number): number {
  if (!Number.isFinite(width)) return NARROW;
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width)));
}

/** Each column's width: the remembered one, else wide for `wide` columns and narrow for the others. */
export function columnWidths(columns: string[], wide: string[], saved: Record<string, number>): number[] {
  return columns.map((name) => (name in saved ? clampWidth(saved[name]) : wide.includes(name) ? WIDE : NARROW));
}

const key = (grid: string) => `grid-widths:${grid}`;

/** The widths remembered for grid `grid` (none when nothing, or something unreadable, is stored). */
export function loadWidths(grid: string, storage: Pick<Storage, "getItem"> | undefined = globalThis.localStorage): Record<string, number> {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(key(grid)) ?? "{}");
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === "number"),
    );
  } catch {
    return {};
  }
}

/** Remembers `name`'s width in grid `grid`; returns the widths now remembered. */
export function saveWidth(
  grid: string,
  name: string,
  width: number,
  storage: Pick<Storage, "getItem" | "setItem"> | undefined = globalThis.localStorage,
): Record<string, number> {
  const widths = { ...loadWidths(grid, storage), [name]: clampWidth(width) };
  try {
    storage?.setItem(key(grid), JSON.stringify(widths));
  } catch {
    // A full or refused storage only means the width is not remembered.
  }
  return widths;
}
