// The wizard's own state: the step shown, the connection, the open sheet, the rows chosen, the row previewed,
// the template's token count and the run whose results show — one reducer, so each change that touches several
// (a sheet opened resets the row and the selection) happens in one place.
import { useCallback, useReducer } from "react";

import type { ConnectionInfo, RowSelection, SheetSummary } from "../backend";
import type { StepId } from "../wizard/steps";

/** What the wizard holds between steps. */
export interface Wizard {
  step: StepId;
  connection: ConnectionInfo | null;
  summary: SheetSummary | null;
  selection: RowSelection;
  /** The 0-based row previewed and tested. */
  row: number;
  /** The rendered template's input tokens over the whole sheet. */
  sheetTokens: number;
  resultsRun: string | null;
  /** Other models the same rows also go to, a run each, to compare their answers (none: one run). */
  compareWith: string[];
}

/** A change to the wizard. */
export type WizardAction =
  | { kind: "go"; step: StepId }
  | { kind: "connected"; connection: ConnectionInfo; next?: StepId }
  | { kind: "connected_at_launch"; connection: ConnectionInfo }
  | { kind: "opened"; summary: SheetSummary }
  | { kind: "selection"; selection: RowSelection }
  | { kind: "row"; row: number }
  | { kind: "tokens"; total: number }
  | { kind: "compare_with"; models: string[] }
  | { kind: "results"; run: string | null; show?: boolean };

export const INITIAL_WIZARD: Wizard = {
  step: "connect",
  connection: null,
  summary: null,
  selection: { kind: "all" },
  row: 0,
  sheetTokens: 0,
  resultsRun: null,
  compareWith: [],
};

/** The wizard after `action`. */
export function wizardReducer(wizard: Wizard, action: WizardAction): Wizard {
  switch (action.kind) {
    case "go":
      return { ...wizard, step: action.step };
    case "connected":
      return { ...wizard, connection: action.connection, step: action.next ?? wizard.step };
    case "connected_at_launch":
      // A connection made while the app opened never replaces one the analyst chose meanwhile.
      return wizard.connection ? wizard : { ...wizard, connection: action.connection };
    case "opened":
      // The token count stays until the Prompt step counts the new sheet.
      return { ...wizard, summary: action.summary, row: 0, selection: { kind: "all" } };
    case "selection":
      return { ...wizard, selection: action.selection };
    case "row":
      return { ...wizard, row: action.row };
    case "tokens":
      return { ...wizard, sheetTokens: action.total };
    case "compare_with":
      return { ...wizard, compareWith: action.models.map((m) => m.trim()).filter((m) => m !== "") };
    case "results":
      return { ...wizard, resultsRun: action.run, step: action.show ? "results" : wizard.step };
  }
}

/** The rows the selection sends, as far as the window knows before preparing (a filter counts every row). */
export function rowsToSend(wizard: Wizard): number {
  const { summary, selection } = wizard;
  if (!summary) return 0;
  return selection.kind === "first" ? Math.min(selection.count, summary.rows) : summary.rows;
}

/** The input tokens of the rows to send, scaled from the whole sheet's count. */
export function inputTokensToSend(wizard: Wizard): number {
  const rows = wizard.summary?.rows ?? 0;
  return rows > 0 ? Math.round((wizard.sheetTokens * rowsToSend(wizard)) / rows) : 0;
}

/** The wizard's state and a stable function to change it. */
export function useWizard(): [Wizard, (action: WizardAction) => void] {
  const [wizard, dispatch] = useReducer(wizardReducer, INITIAL_WIZARD);
  return [wizard, useCallback((action: WizardAction) => dispatch(action), [])];
}
