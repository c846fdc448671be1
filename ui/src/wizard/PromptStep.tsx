// Step 3: the template with {{column}} placeholders, and the selected row's rendered prompt beside it.
import { useEffect, useState } from "react";

import * as backend from "../backend";
import type { Preview, SheetSummary } from "../backend";

export interface PromptStepProps {
  summary: SheetSummary;
  template: string;
  onTemplate: (template: string) => void;
  system: string;
  onSystem: (system: string) => void;
  row: number;
  /** Reports the token estimate of all rows as it changes. */
  onTokens?: (total: number) => void;
}

/** The `{{ name }}` placeholders of a template. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].map((m) => m[1]);
}

export function PromptStep({ summary, template, onTemplate, system, onSystem, row, onTokens }: PromptStepProps) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const unknown = placeholders(template).filter((name) => !summary.meta.headers.includes(name));

  useEffect(() => {
    if (!template.trim()) return;
    let alive = true;
    const timer = setTimeout(() => {
      backend
        .previewPrompt({ path: summary.meta.path, sheet: summary.meta.sheet, template, system: system || null, row: row + 1 })
        .then((p) => {
          if (!alive) return;
          setPreview(p);
          setError(null);
          onTokens?.(p.total_tokens);
        })
        .catch((e) => alive && (setPreview(null), setError(backend.errorText(e))));
    }, 250);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [summary, template, system, row, onTokens]);

  return (
    <section aria-labelledby="prompt-title" className="two-columns">
      <div>
        <h2 id="prompt-title">Prompt</h2>
        <label>
          Template (use <code>{"{{column}}"}</code>)
          <textarea id="template" rows={10} value={template} onChange={(e) => onTemplate(e.target.value)} />
        </label>
        <p className="muted">
          Columns:{" "}
          {summary.meta.headers.map((h) => (
            <button key={h} className="chip" type="button" onClick={() => onTemplate(`${template}{{${h}}}`)}>
              {h}
            </button>
          ))}
        </p>
        <label>
          System prompt (optional)
          <textarea id="system" rows={3} value={system} onChange={(e) => onSystem(e.target.value)} />
        </label>
        {unknown.length > 0 && (
          <p role="alert" className="error">Unknown column{unknown.length > 1 ? "s" : ""}: {unknown.join(", ")}</p>
        )}
      </div>
      <div>
        <h3>Row {row + 1}, rendered</h3>
        {error && <p role="alert" className="error">{error}</p>}
        {preview && (
          <>
            <pre id="rendered-prompt" className="rendered">{preview.prompt}</pre>
            <p id="token-estimate" role="status">
              ~{preview.row_tokens.toLocaleString()} tokens for this row · ~{preview.total_tokens.toLocaleString()} for
              all {preview.rows.toLocaleString()} rows
            </p>
          </>
        )}
      </div>
    </section>
  );
}
