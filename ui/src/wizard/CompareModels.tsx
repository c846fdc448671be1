// The Model step's preset for comparing models: the same rows (a sample of the first N, or the rows chosen in the
// Data step) go to the chosen model and another, a run each; when both are fetched, Results compares them.
import { useEffect, useState } from "react";

import * as backend from "../backend";
import type { ModelChoice, RowSelection } from "../backend";
import { count } from "../format";

/** The sample the preset suggests. */
export const SAMPLE_ROWS = 200;

export interface CompareModelsProps {
  /** The model chosen above. */
  model: string;
  /** The other model the rows also go to ("" for none). */
  other: string;
  onOther: (model: string) => void;
  /** The rows chosen, and how many the sheet has. */
  selection: RowSelection;
  sheetRows: number;
  onSelection: (selection: RowSelection) => void;
  /** True when the answer has fields (labels or extracted fields): runs are compared on them. */
  answerHasFields: boolean;
}

/** What the preset will send, in words: "200 rows to A and to B, a run each". */
export function presetText(model: string, other: string, rows: number): string {
  return `${count(rows, "row")} to ${model || "the model above"} and to ${other}, a run each; compare them in Results once both are fetched`;
}

/** A folded "Compare with another model" panel with the sample preset. */
export function CompareModels({ model, other, onOther, selection, sheetRows, onSelection, answerHasFields }: CompareModelsProps) {
  const [choices, setChoices] = useState<ModelChoice[]>([]);
  useEffect(() => {
    backend.models().then((list) => setChoices(list.models)).catch(() => setChoices([]));
  }, []);
  const sample = Math.min(SAMPLE_ROWS, sheetRows);
  const sampled = selection.kind === "first";
  const rows = selection.kind === "first" ? Math.min(selection.count, sheetRows) : sheetRows;
  return (
    <details id="compare-models" className="compare-models" open={other !== "" || undefined}>
      <summary>Compare with another model on the same rows{other ? `: ${other}` : ""}</summary>
      <div className="fields">
        <label className="grow">
          Also send to
          <input id="compare-model" list="compare-models-list" value={other} placeholder="another model id" onChange={(e) => onOther(e.target.value)} />
        </label>
        {/* Outside the label: the options' text is not the field's name. */}
        <datalist id="compare-models-list">
          {choices.filter((c) => c.id !== model).map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </datalist>
        <label className="inline">
          <input
            id="compare-sample"
            type="checkbox"
            checked={sampled}
            onChange={(e) => onSelection(e.target.checked ? { kind: "first", count: sample } : { kind: "all" })}
          />{" "}
          only a sample: the first {count(sample, "row")}
        </label>
      </div>
      {other && !answerHasFields && (
        <p className="error" role="alert">Runs are compared on the answer's fields: define labels or fields in the Prompt step first.</p>
      )}
      {other && answerHasFields && <p id="compare-preset" className="hint">{presetText(model, other, rows)}.</p>}
    </details>
  );
}
