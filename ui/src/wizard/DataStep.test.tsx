// The Data step with the backend faked: a long opening shows the rows read so far and can be cancelled,
// keeping the sheet open before; a newer opening supersedes an older one.
import { act, fireEvent, render, screen } from "@testing-library/react";
import { vi } from "vitest";

import type { SheetProgress, SheetSummary } from "../backend";

const pending = vi.hoisted(() => ({
  progress: [] as ((p: SheetProgress) => void)[],
  openings: [] as { path: string; resolve: (s: SheetSummary) => void; reject: (e: unknown) => void }[],
}));

const backend = vi.hoisted(() => ({
  openSheet: vi.fn((path: string) => new Promise<SheetSummary>((resolve, reject) => pending.openings.push({ path, resolve, reject }))),
  cancelOpenSheet: vi.fn(async () => {
    pending.openings.shift()?.reject({ code: "cancelled", message: "opening the sheet was cancelled after 20000 rows; nothing was kept of it", fix: null });
  }),
  onSheetProgress: vi.fn(async (handler: (p: SheetProgress) => void) => {
    pending.progress.push(handler);
    return () => undefined;
  }),
  onFileDrop: vi.fn(async (_handler: (path: string) => void) => () => undefined),
  sheetRows: vi.fn(async () => [["1", "great"]]),
  pickSheet: vi.fn(async () => null),
  errorText: (e: unknown) => (typeof e === "object" && e !== null && "message" in e ? String(e.message) : String(e)),
  errorCode: (e: unknown) => (typeof e === "object" && e !== null && "code" in e ? e.code : null),
}));
vi.mock("../backend", () => backend);

import { DataStep } from "./DataStep";

const summary = (path: string, rows: number): SheetSummary => ({
  meta: { path, format: "csv", sheet: null, delimiter: 44, headers: ["id", "review"] },
  sheets: [],
  rows,
  columns: [
    { name: "id", kind: "number", empty_cells: 0 },
    { name: "review", kind: "text", empty_cells: 0 },
  ],
});

function open(path: string) {
  fireEvent.change(screen.getByLabelText("Sheet path"), { target: { value: path } });
  fireEvent.click(screen.getByRole("button", { name: "Load" }));
}

/** Lets every promise callback already queued run (an ordering, not a wait: a macrotask runs after them). */
async function settled() {
  await act(() => new Promise<void>((done) => setTimeout(done, 0)));
}

/** A Data step with two openings in flight: a typed one, then a dropped file that supersedes it. */
async function twoOpenings() {
  const onOpened = vi.fn();
  pending.openings.length = 0;
  render(
    <DataStep summary={null} onOpened={onOpened} selectedRow={0} onSelectRow={() => undefined}
      selection={{ kind: "all" }} onSelection={() => undefined} />,
  );
  open("/data/first.csv");
  await vi.waitFor(() => expect(pending.openings.length).toBe(1));
  const drop = backend.onFileDrop.mock.calls.at(-1)?.[0];
  drop?.("/data/second.csv");
  await vi.waitFor(() => expect(pending.openings.length).toBe(2));
  return onOpened;
}

describe("the Data step", () => {
  it("shows the rows read, cancels on request and keeps the sheet open before", async () => {
    const onOpened = vi.fn();
    render(
      <DataStep summary={summary("/data/small.csv", 3)} onOpened={onOpened} selectedRow={0} onSelectRow={() => undefined}
        selection={{ kind: "all" }} onSelection={() => undefined} />,
    );
    await vi.waitFor(() => expect(pending.progress.length).toBe(1));
    open("/data/huge.csv");
    await screen.findByText(/Reading the sheet/);
    pending.progress[0]({ rows: 20000 });
    await screen.findByText(/20,?000 rows so far/);
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await screen.findByText("Opening /data/huge.csv was cancelled; the sheet open before is still open.");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByText(/Reading the sheet/)).toBeNull();
    expect(onOpened).not.toHaveBeenCalled();
    expect(screen.getByText(/3 rows · 2 columns/)).toBeTruthy();
  });

  it("takes only the newest opening's answer when an older one succeeds late", async () => {
    const onOpened = await twoOpenings();
    const [first, second] = pending.openings;
    second.resolve(summary("/data/second.csv", 7));
    await vi.waitFor(() => expect(onOpened).toHaveBeenCalledWith(summary("/data/second.csv", 7)));
    // The older opening finishes after the newer one: its answer must not replace the sheet.
    first.resolve(summary("/data/first.csv", 5));
    await settled();
    expect(onOpened).toHaveBeenCalledTimes(1);
    expect(onOpened).not.toHaveBeenCalledWith(summary("/data/first.csv", 5));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows no error for an older opening that fails late", async () => {
    const onOpened = await twoOpenings();
    const [first, second] = pending.openings;
    second.resolve(summary("/data/second.csv", 7));
    await vi.waitFor(() => expect(onOpened).toHaveBeenCalledTimes(1));
    first.reject({ code: "cancelled", message: "opening the sheet was cancelled after 10000 rows; nothing was kept of it", fix: null });
    await settled();
    expect(onOpened).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
