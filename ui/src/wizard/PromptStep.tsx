// Step 3: the template with {{column}} placeholders (completed as you type, highlighted), a system prompt,
// the selected row's rendered prompt beside it, token estimates and the problems list.
import { useEffect, useLayoutEffect, useRef, useState } from "react";

import * as backend from "../backend";
import type { AnswerShape, InvocationChoice, PromptAnalysis, PromptTotals, RenderedPrompt, SheetSummary } from "../backend";
import { AnswerEditor } from "../answer/AnswerEditor";
import { complete, completions, openPlaceholder, problems, segments } from "../prompt/template";
import { count, grouped } from "../format";
import { useModelFacts } from "../state/modelFacts";

export interface PromptStepProps {
  summary: SheetSummary;
  template: string;
  onTemplate: (template: string) => void;
  system: string;
  onSystem: (system: string) => void;
  row: number;
  onRow: (row: number) => void;
  /** Reports the token estimate of all rows as it changes. */
  onTokens?: (total: number) => void;
  /** The chosen model, whose context window the longest prompt is checked against. */
  model: string;
  /** The answer's shape, and its request format (for how the model gets the schema). */
  answer: AnswerShape;
  onAnswer: (answer: AnswerShape) => void;
  invocation: InvocationChoice | null;
}

export function PromptStep(props: PromptStepProps) {
  const { summary, template, onTemplate, system, onSystem, row, onRow, onTokens, model, answer, onAnswer, invocation } = props;
  const [totals, setTotals] = useState<PromptTotals | null>(null);
  const [totalsError, setTotalsError] = useState<string | null>(null);
  const [analysis, setAnalysis] = useState<PromptAnalysis | null>(null);
  const [rendered, setRendered] = useState<RenderedPrompt | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const editor = useRef<HTMLTextAreaElement>(null);
  const pendingCaret = useRef<number | null>(null);
  const columns = summary.meta.headers;
  const open = openPlaceholder(template, caret);
  const choices = open ? completions(columns, open.typed) : [];

  // The model's context window is Rust's figure; an id that is no model's has none to check against.
  const contextTokens = useModelFacts(model)?.context_tokens ?? null;

  // Rust reads the templates against the columns as they are typed (highlights, unknown names, columns read).
  useEffect(() => {
    let alive = true;
    backend
      .analyzeTemplate(template, system || null)
      .then((a) => alive && setAnalysis(a))
      .catch((e) => alive && (setAnalysis(null), setError(backend.errorText(e))));
    return () => {
      alive = false;
    };
  }, [summary, template, system]);

  // The selected row renders from the sheet's cache at once; the estimate over every row follows (it
  // reads the whole sheet, which takes seconds at a million rows).
  useEffect(() => {
    if (!template.trim()) return;
    let alive = true;
    const timer = setTimeout(() => {
      backend
        .renderRow(template, system || null, row + 1)
        .then((r) => alive && (setRendered(r), setError(null)))
        .catch((e) => alive && (setRendered(null), setError(backend.errorText(e))));
    }, 60);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [template, system, row]);

  useEffect(() => {
    if (!template.trim()) return;
    let alive = true;
    setTotals(null);
    setTotalsError(null);
    const timer = setTimeout(() => {
      backend
        .promptTotals(template, system || null)
        .then((t) => {
          if (!alive) return;
          setTotals(t);
          onTokens?.(t.total_tokens);
        })
        // A superseded estimate is no longer alive; any other failure is said where the estimate would be.
        .catch((e) => alive && setTotalsError(backend.errorText(e)));
    }, 500);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [summary, template, system, onTokens]);

  function accept(column: string) {
    if (!open) return;
    const next = complete(template, caret, open.start, column);
    pendingCaret.current = next.caret;
    onTemplate(next.text);
    setCaret(next.caret);
  }

  // Put the caret after a completed column as soon as the new text is in the page, before the next key.
  useLayoutEffect(() => {
    const at = pendingCaret.current;
    if (at === null || !editor.current) return;
    pendingCaret.current = null;
    editor.current.focus();
    editor.current.setSelectionRange(at, at);
  }, [template]);

  function onKeyDown(e: React.KeyboardEvent<HTMLTextAreaElement>) {
    if (choices.length === 0) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => (a + (e.key === "ArrowDown" ? 1 : choices.length - 1)) % choices.length);
    } else if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      accept(choices[Math.min(active, choices.length - 1)]);
    }
  }

  const found = problems(summary, template, analysis, totals, contextTokens);
  return (
    <section aria-labelledby="prompt-title" className="two-columns">
      <div>
        <h2 id="prompt-title">Prompt</h2>
        <label htmlFor="template">Template (type <code>{"{{"}</code> for a column)</label>
        <div className="editor">
          <textarea
            id="template"
            ref={editor}
            rows={9}
            value={template}
            role="combobox"
            aria-expanded={choices.length > 0}
            aria-controls="column-completions"
            aria-autocomplete="list"
            onChange={(e) => {
              onTemplate(e.target.value);
              setCaret(e.target.selectionStart);
              setActive(0);
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
          />
          {choices.length > 0 && (
            <ul id="column-completions" role="listbox" className="completions" aria-label="Columns">
              {choices.map((c, i) => (
                <li key={c} role="option" aria-selected={i === active} onMouseDown={(e) => (e.preventDefault(), accept(c))}>
                  {c}
                </li>
              ))}
            </ul>
          )}
        </div>
        <p id="template-highlight" className="highlight" aria-label="Highlighted placeholders">
          {segments(template, analysis?.prompt ?? null).map((s, i) =>
            s.kind === "text" ? <span key={i}>{s.text}</span> : <mark key={i} className={s.kind === "unknown" ? "unknown" : `known ${s.kind}`}>{s.text}</mark>,
          )}
        </p>
        <p className="muted">
          Columns:{" "}
          {columns.map((h) => (
            <button key={h} className="chip" type="button" onClick={() => onTemplate(`${template}{{${h}}}`)}>
              {h}
            </button>
          ))}
        </p>
        <label>
          System prompt (optional; placeholders work here too)
          <textarea id="system" rows={3} value={system} onChange={(e) => onSystem(e.target.value)} />
        </label>
        <AnswerEditor shape={answer} onShape={onAnswer} model={model} invocation={invocation} />
        {found.length > 0 && (
          <ul id="problems" className="problems" aria-label="Problems">
            {found.map((p) => (
              <li key={p.text} className={p.severity}>{p.severity === "error" ? "✖" : "⚠"} {p.text}</li>
            ))}
          </ul>
        )}
      </div>
      <div>
        <h3>
          Row{" "}
          <input id="preview-row" type="number" min={1} max={summary.rows} aria-label="Row to preview" value={row + 1} onChange={(e) => onRow(Math.min(summary.rows, Math.max(1, Number(e.target.value) || 1)) - 1)} />
          {" "}rendered
        </h3>
        {error && <p role="alert" className="error">{error}</p>}
        {rendered && (
          <>
            {rendered.system && <pre className="rendered system" aria-label="Rendered system prompt">{rendered.system}</pre>}
            <pre id="rendered-prompt" className="rendered">{rendered.prompt}</pre>
            <p id="token-estimate" role="status">
              ~{grouped(rendered.tokens)} tokens for this row ·{" "}
              {totals
                ? `~${grouped(totals.total_tokens)} for ${totals.rows === 1 ? "the one row" : `all ${count(totals.rows, "row")}`} (from ${grouped(totals.min_row_tokens)} to ${grouped(totals.max_row_tokens)} a row)`
                : totalsError
                  ? `all rows could not be estimated: ${totalsError}`
                  : "estimating all rows…"}
            </p>
          </>
        )}
      </div>
    </section>
  );
}
