// What a retry changes from the run it retries: another model, more answer tokens, another prompt template.
// Left as the run asked, the rows are sent again as they were; changed, they are rendered anew from the sheet
// under the same record ids, and their answers join into the same rows and columns.
import { useEffect, useState } from "react";

import * as backend from "../backend";
import type { ModelChoice, Revision, RunAsked } from "../backend";

/** No change: the rows go again as they were. */
export const NO_CHANGES: Revision = { model: null, max_tokens: null, template: null };

/** The revision a form's values make against what the run asked: only what differs is sent. */
export function revisionOf(asked: RunAsked, model: string, maxTokens: string, template: string): Revision {
  const tokens = Number.parseInt(maxTokens, 10);
  return {
    model: model.trim() && model.trim() !== asked.model_id ? model.trim() : null,
    max_tokens: Number.isFinite(tokens) && tokens > 0 && tokens !== asked.max_tokens ? tokens : null,
    template: template.trim() && template !== asked.template ? template : null,
  };
}

/** "model X, 2,048 answer tokens, a changed template", or "" when nothing changes. */
export function changesText(revision: Revision): string {
  const parts = [
    revision.model && `model ${revision.model}`,
    revision.max_tokens && `${revision.max_tokens.toLocaleString("en-US")} answer tokens`,
    revision.template && "a changed template",
  ].filter(Boolean);
  return parts.join(", ");
}

export interface RetryChangesProps {
  /** What the run asked. */
  asked: RunAsked;
  /** Called with the changes whenever a field changes. */
  onChange: (revision: Revision) => void;
}

/** A folded "Change for the retry" panel: model, answer tokens and template, starting from the run's own. Keyed
 * by the run where it is shown, so another run's results start from that run's own, while an equal overview fetched
 * again changes nothing typed. (Resetting in an effect instead raced the first keystrokes: a mount's effect could
 * run after them and put the run's own values back.) */
export function RetryChanges({ asked, onChange }: RetryChangesProps) {
  const [model, setModel] = useState(asked.model_id);
  const [maxTokens, setMaxTokens] = useState(String(asked.max_tokens));
  const [template, setTemplate] = useState(asked.template);
  const [choices, setChoices] = useState<ModelChoice[]>([]);

  useEffect(() => {
    backend.models().then((list) => setChoices(list.models)).catch(() => setChoices([]));
  }, []);

  const revision = revisionOf(asked, model, maxTokens, template);
  const described = changesText(revision);
  useEffect(() => onChange(revision), [revision.model, revision.max_tokens, revision.template]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <details id="retry-changes" className="retry-changes">
      <summary>Retry with changes{described ? `: ${described}` : " (another model, more tokens, another template)"}</summary>
      <div className="fields">
        <label>
          Model
          <input id="retry-model" list="retry-models" value={model} onChange={(e) => setModel(e.target.value)} />
        </label>
        {/* Outside the label: the options' text is not the field's name. */}
        <datalist id="retry-models">
          {choices.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </datalist>
        <label>
          Most answer tokens
          <input id="retry-max-tokens" type="number" min={1} value={maxTokens} onChange={(e) => setMaxTokens(e.target.value)} />
        </label>
        <label className="grow">
          Prompt template
          <textarea id="retry-template" rows={3} value={template} onChange={(e) => setTemplate(e.target.value)} />
        </label>
        {described && (
          <button className="link" id="retry-changes-reset" onClick={() => { setModel(asked.model_id); setMaxTokens(String(asked.max_tokens)); setTemplate(asked.template); }}>
            Back to the run's own
          </button>
        )}
      </div>
      <p className="hint">
        The retried rows are rendered again from the sheet with these, under the same record ids; their answers join
        into the same rows and columns (the answer's shape stays). Each row keeps every answer it got.
      </p>
    </details>
  );
}
