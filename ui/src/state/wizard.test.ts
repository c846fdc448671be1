import { describe, expect, it } from "vitest";

import type { ConnectionInfo, SheetSummary } from "../backend";
import { INITIAL_WIZARD, inputTokensToSend, rowsToSend, wizardReducer } from "./wizard";

const sandbox: ConnectionInfo = { sandbox: true, caller: "c", account: "000000000000", region: "us-east-1", profile: null, reason: null };
const aws: ConnectionInfo = { ...sandbox, sandbox: false, account: "111122223333" };
const summary = { rows: 200, meta: { path: "/data/reviews.csv" } } as unknown as SheetSummary;

describe("the wizard's state", () => {
  it("opening a sheet starts its preview at the first row and sends every row; tokens scale with the rows sent", () => {
    let wizard = wizardReducer(INITIAL_WIZARD, { kind: "opened", summary });
    wizard = wizardReducer(wizard, { kind: "row", row: 7 });
    wizard = wizardReducer(wizard, { kind: "selection", selection: { kind: "first", count: 50 } });
    wizard = wizardReducer(wizard, { kind: "tokens", total: 10_000 });
    expect([wizard.row, rowsToSend(wizard), inputTokensToSend(wizard)]).toEqual([7, 50, 2_500]);
    wizard = wizardReducer(wizard, { kind: "opened", summary: { ...summary, rows: 10 } as SheetSummary });
    expect([wizard.row, wizard.selection.kind, rowsToSend(wizard)]).toEqual([0, "all", 10]);
  });

  it("keeps the other models the rows also go to, without blanks", () => {
    const wizard = wizardReducer(INITIAL_WIZARD, { kind: "compare_with", models: [" us.amazon.nova-pro-v1:0 ", ""] });
    expect(wizard.compareWith).toEqual(["us.amazon.nova-pro-v1:0"]);
    expect(wizardReducer(wizard, { kind: "compare_with", models: [] }).compareWith).toEqual([]);
  });

  it("a connection made at launch never replaces one chosen meanwhile, and connecting can move on", () => {
    let wizard = wizardReducer(INITIAL_WIZARD, { kind: "connected", connection: aws, next: "data" });
    wizard = wizardReducer(wizard, { kind: "connected_at_launch", connection: sandbox });
    expect([wizard.connection?.account, wizard.step]).toEqual(["111122223333", "data"]);
    expect(wizardReducer(INITIAL_WIZARD, { kind: "connected_at_launch", connection: sandbox }).connection?.sandbox).toBe(true);
  });

  it("opening a run's results shows the Results step; choosing another run there stays", () => {
    let wizard = wizardReducer(INITIAL_WIZARD, { kind: "results", run: "r1", show: true });
    expect([wizard.step, wizard.resultsRun]).toEqual(["results", "r1"]);
    wizard = wizardReducer({ ...wizard, step: "results" }, { kind: "results", run: "r2" });
    expect([wizard.step, wizard.resultsRun]).toEqual(["results", "r2"]);
    expect(rowsToSend(INITIAL_WIZARD)).toBe(0);
  });
});
