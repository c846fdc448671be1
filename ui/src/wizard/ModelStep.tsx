// Step 4: the model, how it is invoked and its parameters, what the run costs at batch prices beside
// on-demand, and how the rows split into jobs.
import { useEffect, useState } from "react";

import * as backend from "../backend";
import type { AnswerShape, CostEstimate, JobPlan, ModelChoice, ParamChoices, SendWays, TestRowView } from "../backend";
import { useModelFacts } from "../state/modelFacts";
import { CompareModels, type CompareModelsProps } from "./CompareModels";
import { count, grouped, usd } from "../format";
import { CostCheck } from "./CostCheck";
import { splitText } from "./sendWays";

/** The model's parameters as chosen (the remembered choices' type). */
export type ModelParams = ParamChoices;

export interface ModelStepProps {
  model: string;
  onModel: (model: string) => void;
  maxTokens: number;
  onMaxTokens: (maxTokens: number) => void;
  params: ModelParams;
  onParams: (params: ModelParams) => void;
  /** Estimated input tokens of every row (from the prompt preview). */
  inputTokens: number;
  rows: number;
  /** What "test one row now" sends: the open sheet's row and the templates. */
  test: { row: number; template: string; system: string | null };
  /** Data rows of the open sheet (the cost check samples them). */
  sheetRows: number;
  /** The answer's shape (the step says how this model gets its schema). */
  answer: AnswerShape;
  /** Another model the same rows also go to, to compare ("" for none), and the rows chosen (the preset's sample). */
  compare: Omit<CompareModelsProps, "model" | "sheetRows" | "answerHasFields">;
}

/** A model's line in the list: its id, name when different, and what to know before choosing it. */
export function label(choice: ModelChoice): string {
  const name = choice.name && choice.name !== choice.id ? ` — ${choice.name}` : "";
  const legacy = choice.lifecycle !== "ACTIVE" ? ` (${choice.lifecycle.toLowerCase()})` : "";
  const unpriced = choice.batch_priced ? "" : " (no batch price known)";
  return `${choice.id}${name}${legacy}${unpriced}`;
}

/** "3 jobs: 50,000 + 50,000 + 20,000 records". */
export function planText(parts: number[]): string {
  if (parts.length === 0) return "no rows to send";
  const jobs = `${parts.length} job${parts.length === 1 ? "" : "s"}`;
  return `${jobs}: ${parts.map((p) => grouped(p)).join(" + ")} records`;
}

export function ModelStep(props: ModelStepProps) {
  const { model, onModel, maxTokens, onMaxTokens, params, onParams, inputTokens, rows, test, sheetRows, answer, compare } = props;
  const [answerHow, setAnswerHow] = useState<string | null>(null);
  useEffect(() => {
    if (answer.shape === "free_text" || !model) return setAnswerHow(null);
    let alive = true;
    backend
      .answerPreview(answer, model, params.invocation)
      .then((p) => alive && setAnswerHow(p.problem ? `✖ ${p.problem}` : p.how))
      .catch(() => alive && setAnswerHow(null));
    return () => {
      alive = false;
    };
  }, [answer, model, params.invocation]);
  const [choices, setChoices] = useState<ModelChoice[]>([]);
  const [listNote, setListNote] = useState<string | null>(null);
  const [tested, setTested] = useState<TestRowView | null>(null);
  const [testing, setTesting] = useState(false);
  const [cost, setCost] = useState<CostEstimate | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [plan, setPlan] = useState<JobPlan | null>(null);
  const [ways, setWays] = useState<SendWays | null>(null);
  const facts = useModelFacts(model);
  const defaultInvocation = facts?.default_invocation ?? null;

  useEffect(() => {
    backend.jobPlan(model, rows).then(setPlan).catch(() => setPlan(null));
  }, [model, rows]);

  useEffect(() => {
    if (!model) return;
    let alive = true;
    backend
      .sendWays(model, rows, inputTokens, maxTokens)
      .then((w) => alive && setWays(w))
      .catch(() => alive && setWays(null));
    return () => {
      alive = false;
    };
  }, [model, rows, inputTokens, maxTokens]);

  useEffect(() => {
    backend
      .models()
      .then((list) => {
        setChoices(list.models);
        setListNote(list.note);
      })
      .catch((e) => setError(backend.errorText(e)));
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

  async function testOne() {
    setTesting(true);
    setError(null);
    try {
      setTested(
        await backend.testRow({
          ...test,
          model,
          max_tokens: maxTokens,
          temperature: params.temperature,
          top_p: params.topP,
        }),
      );
    } catch (e) {
      setError(backend.errorText(e));
    } finally {
      setTesting(false);
    }
  }

  return (
    <section aria-labelledby="model-title">
      <h2 id="model-title">Model</h2>
      <label>
        Model or inference profile
        <select id="model" value={model} onChange={(e) => onModel(e.target.value)}>
          <option value="">Choose a model…</option>
          <optgroup label="Cross-region inference profiles">
            {choices.filter((c) => c.profile).map((c) => <option key={c.id} value={c.id}>{label(c)}</option>)}
          </optgroup>
          <optgroup label="Models">
            {choices.filter((c) => !c.profile).map((c) => <option key={c.id} value={c.id}>{label(c)}</option>)}
          </optgroup>
        </select>
      </label>
      {listNote && <p className="hint">{listNote}</p>}
      {answerHow && <p id="answer-delivery" className="hint">Answers: {answerHow}</p>}
      {facts?.lifecycle_notice && (
        <p id="model-lifecycle" role="alert" className="error">
          {facts.lifecycle_notice}
        </p>
      )}
      {facts?.route_notice && (
        <p id="model-route" role="alert" className="hint">
          {facts.route_notice}: choose the profile in the list above.
        </p>
      )}
      <label>
        Most answer tokens per row
        <input id="max-tokens" type="number" min={1} value={maxTokens} onChange={(e) => onMaxTokens(Math.max(1, Number(e.target.value) || 1))} />
      </label>
      <label>
        Invocation
        <select id="invocation" value={params.invocation ?? ""} onChange={(e) => onParams({ ...params, invocation: (e.target.value || null) as ModelParams["invocation"] })}>
          <option value="">The model's default{defaultInvocation ? ` (${defaultInvocation})` : ""}</option>
          <option value="invoke_model">InvokeModel (the model's own request body)</option>
          <option value="converse">Converse (one body for every chat model)</option>
        </select>
      </label>
      <div className="form-grid">
        <label>
          Temperature
          <input id="temperature" type="number" min={0} max={1} step={0.1} placeholder="model default" value={params.temperature ?? ""} onChange={(e) => onParams({ ...params, temperature: e.target.value === "" ? null : Math.min(1, Math.max(0, Number(e.target.value))) })} />
        </label>
        <label>
          Top-p
          <input id="top-p" type="number" min={0} max={1} step={0.05} placeholder="model default" value={params.topP ?? ""} onChange={(e) => onParams({ ...params, topP: e.target.value === "" ? null : Math.min(1, Math.max(0, Number(e.target.value))) })} />
        </label>
      </div>
      <div className="actions">
        <button id="test-row" className="secondary" disabled={!model || testing} onClick={() => void testOne()}>
          {testing ? "Asking the model…" : `Test row ${test.row} now (one on-demand call)`}
        </button>
      </div>
      {tested && (
        <div id="test-answer" role="status" className="test-answer">
          <p className="muted">Row {tested.row}{tested.sandbox ? " · SANDBOX: the sandbox model answered" : ""}</p>
          <pre className="rendered">{tested.answer.answer}</pre>
          <p>
            {tested.answer.input_tokens} input + {tested.answer.output_tokens} output tokens · stopped: {tested.answer.stop_reason} · {tested.answer.latency_ms} ms · {usd(tested.answer.on_demand_usd)} on demand
          </p>
        </div>
      )}
      {ways && (
        <p id="send-split" role="status" className={ways.batch_possible ? undefined : "hint"}>
          {splitText(ways)} The Submit step lets you choose.
        </p>
      )}
      {plan && ways?.batch_possible !== false && (
        <p id="job-plan" role="status">
          Job plan: {planText(plan.parts)} (at most {grouped(plan.most_records)} records a job, at least {grouped(plan.least_records)}
          {plan.defaults ? `: AWS's default quotas, ${plan.defaults}` : ": this account's quotas"}).
        </p>
      )}
      {error && <p role="alert" className="error">{error}</p>}
      <CostCheck
        form={{
          template: test.template,
          system: test.system,
          model,
          invocation: params.invocation,
          max_tokens: maxTokens,
          temperature: params.temperature,
          top_p: params.topP,
          rows,
          sheet_rows: sheetRows,
          input_tokens: inputTokens,
        }}
      />
      {cost && ways?.batch_possible !== false && (
        <p id="cost-estimate" role="status">
          {cost.batch_usd === null
            ? cost.note
            : `Batch: ${usd(cost.batch_input_usd)} – ${usd(cost.batch_usd)} for ${count(rows, "row")} (input only – every answer at max ${maxTokens} tokens); on-demand would be up to ${usd(cost.on_demand_usd)}. Prices as of ${cost.prices_as_of}.`}
        </p>
      )}
      <CompareModels {...compare} model={model} sheetRows={sheetRows} answerHasFields={answer.shape !== "free_text"} />
    </section>
  );
}
