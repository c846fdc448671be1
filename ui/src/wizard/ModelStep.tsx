// Step 4: the model and its answer budget, and what the run costs at batch prices beside on-demand.
import { useEffect, useState } from "react";

import * as backend from "../backend";
import type { CostEstimate } from "../backend";

export interface ModelStepProps {
  model: string;
  onModel: (model: string) => void;
  maxTokens: number;
  onMaxTokens: (maxTokens: number) => void;
  /** Estimated input tokens of every row (from the prompt preview). */
  inputTokens: number;
  rows: number;
}

/** US dollars, with cents (or more digits below a cent). */
export function usd(amount: number | null | undefined): string {
  if (amount === null || amount === undefined) return "—";
  return amount >= 0.01 || amount === 0 ? `$${amount.toFixed(2)}` : `$${amount.toPrecision(2)}`;
}

export function ModelStep({ model, onModel, maxTokens, onMaxTokens, inputTokens, rows }: ModelStepProps) {
  const [choices, setChoices] = useState<string[]>([]);
  const [cost, setCost] = useState<CostEstimate | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    backend.models().then(setChoices).catch((e) => setError(backend.errorText(e)));
  }, []);

  useEffect(() => {
    if (!model) return;
    let alive = true;
    backend
      .estimate(model, inputTokens, rows, maxTokens)
      .then((c) => alive && (setCost(c), setError(null)))
      .catch((e) => alive && setError(backend.errorText(e)));
    return () => {
      alive = false;
    };
  }, [model, inputTokens, rows, maxTokens]);

  return (
    <section aria-labelledby="model-title">
      <h2 id="model-title">Model</h2>
      <label>
        Model or inference profile
        <select id="model" value={model} onChange={(e) => onModel(e.target.value)}>
          <option value="">Choose a model…</option>
          {choices.map((id) => <option key={id} value={id}>{id}</option>)}
        </select>
      </label>
      <label>
        Most answer tokens per row
        <input id="max-tokens" type="number" min={1} value={maxTokens} onChange={(e) => onMaxTokens(Math.max(1, Number(e.target.value) || 1))} />
      </label>
      {error && <p role="alert" className="error">{error}</p>}
      {cost && (
        <p id="cost-estimate" role="status">
          {cost.batch_usd === null
            ? cost.note
            : `Batch: ${usd(cost.batch_input_usd)} – ${usd(cost.batch_usd)} for ${rows.toLocaleString()} rows (input only – every answer at max ${maxTokens} tokens); on-demand would be up to ${usd(cost.on_demand_usd)}. Prices as of ${cost.prices_as_of}.`}
        </p>
      )}
    </section>
  );
}
