// The answer's shape in the Prompt step: free text, a label from a list, named fields of given types, or a
// pasted JSON Schema — with the schema the model will receive, the result columns, and how the chosen model
// gets the schema, all as Rust says (answer_preview).
import { useEffect, useState } from "react";

import * as backend from "../backend";
import type { AnswerPreview, AnswerShape, FieldKind, InvocationChoice } from "../backend";
import { type FieldDraft, type KindName, KIND_NAMES, fieldKind, kindText, shapeKind } from "./shape";

export interface AnswerEditorProps {
  shape: AnswerShape;
  onShape: (shape: AnswerShape) => void;
  model: string;
  invocation: InvocationChoice | null;
}

export function AnswerEditor({ shape, onShape, model, invocation }: AnswerEditorProps) {
  const kind = shapeKind(shape);
  const [labels, setLabels] = useState(shape.shape === "classify" ? shape.labels.join(", ") : "");
  const [fields, setFields] = useState<FieldDraft[]>(
    shape.shape === "extract" ? shape.fields.map((f) => ({ name: f.name, kind: kindName(f.kind), values: valuesOf(f.kind), description: f.description })) : [],
  );
  const [schemaText, setSchemaText] = useState(shape.shape === "schema" ? JSON.stringify(shape.schema, null, 2) : "");
  const [schemaError, setSchemaError] = useState<string | null>(null);
  const [preview, setPreview] = useState<AnswerPreview | null>(null);

  useEffect(() => {
    let alive = true;
    const timer = setTimeout(() => {
      backend
        .answerPreview(shape, model || null, invocation)
        .then((p) => alive && setPreview(p))
        .catch(() => alive && setPreview(null));
    }, 200);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [shape, model, invocation]);

  const classify = (text: string, multi: boolean, other: boolean) =>
    onShape({ shape: "classify", labels: text.split(",").map((l) => l.trim()).filter((l) => l), multi, other });
  const extract = (drafts: FieldDraft[]) => {
    setFields(drafts);
    onShape({
      shape: "extract",
      fields: drafts.map((f) => ({ name: f.name.trim(), kind: fieldKind(f), description: f.description, required: true, nullable: false })),
    });
  };

  function choose(next: "free_text" | "classify" | "extract" | "schema") {
    if (next === "free_text") onShape({ shape: "free_text" });
    if (next === "classify") classify(labels, false, false);
    if (next === "extract") extract(fields.length ? fields : [{ name: "", kind: "text", values: "", description: "" }]);
    if (next === "schema") pasteSchema(schemaText);
  }

  function pasteSchema(text: string) {
    setSchemaText(text);
    try {
      onShape({ shape: "schema", schema: text.trim() ? JSON.parse(text) : {} });
      setSchemaError(null);
    } catch (e) {
      setSchemaError(`not JSON yet: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  return (
    <fieldset id="answer" className="answer-editor">
      <legend>Answer</legend>
      <div className="segmented" role="radiogroup" aria-label="Answer shape">
        {(["free_text", "classify", "extract", "schema"] as const).map((k) => (
          <label key={k} className="inline">
            <input type="radio" name="answer-kind" id={`answer-${k}`} checked={kind === k} onChange={() => choose(k)} />
            {{ free_text: "Free text", classify: "Classify", extract: "Extract fields", schema: "JSON Schema" }[k]}
          </label>
        ))}
      </div>
      {shape.shape === "classify" && (
        <div className="answer-body">
          <label>
            Labels (comma-separated)
            <input
              id="answer-labels"
              value={labels}
              placeholder="billing, shipping, returns"
              onChange={(e) => {
                setLabels(e.target.value);
                classify(e.target.value, shape.multi, shape.other);
              }}
            />
          </label>
          <label className="inline">
            <input id="answer-multi" type="checkbox" checked={shape.multi} onChange={(e) => classify(labels, e.target.checked, shape.other)} /> Several labels a row
          </label>
          <label className="inline">
            <input id="answer-other" type="checkbox" checked={shape.other} onChange={(e) => classify(labels, shape.multi, e.target.checked)} /> Allow "other"
          </label>
        </div>
      )}
      {shape.shape === "extract" && (
        <div className="answer-body">
          {fields.map((f, i) => (
            <div key={i} className="answer-field" aria-label={`Field ${i + 1}`}>
              <input className="field-name" aria-label={`Field ${i + 1} name`} placeholder="name" value={f.name} onChange={(e) => extract(fields.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))} />
              <select className="field-kind" aria-label={`Field ${i + 1} type`} value={f.kind} onChange={(e) => extract(fields.map((x, j) => (j === i ? { ...x, kind: e.target.value as KindName } : x)))}>
                {KIND_NAMES.map((k) => (
                  <option key={k} value={k}>{kindText(k)}</option>
                ))}
              </select>
              {f.kind === "one_of" && (
                <input className="field-values" aria-label={`Field ${i + 1} values`} placeholder="a, b, c" value={f.values} onChange={(e) => extract(fields.map((x, j) => (j === i ? { ...x, values: e.target.value } : x)))} />
              )}
              <input className="field-description grow" aria-label={`Field ${i + 1} description`} placeholder="what it is (told to the model)" value={f.description} onChange={(e) => extract(fields.map((x, j) => (j === i ? { ...x, description: e.target.value } : x)))} />
              <button type="button" className="link" aria-label={`Remove field ${i + 1}`} onClick={() => extract(fields.filter((_, j) => j !== i))}>✕</button>
            </div>
          ))}
          <button id="answer-add-field" type="button" className="secondary" onClick={() => extract([...fields, { name: "", kind: "text", values: "", description: "" }])}>Add a field</button>
        </div>
      )}
      {shape.shape === "schema" && (
        <div className="answer-body">
          <label>
            JSON Schema of an object (its properties become columns)
            <textarea id="answer-schema" rows={6} value={schemaText} onChange={(e) => pasteSchema(e.target.value)} />
          </label>
          {schemaError && <p className="error">{schemaError}</p>}
        </div>
      )}
      {preview && kind !== "free_text" && (
        <div id="answer-preview" className="answer-preview">
          {preview.problem ? (
            <p id="answer-problem" className="error">✖ {preview.problem}</p>
          ) : (
            <>
              <p id="answer-columns">
                Result columns:{" "}
                {preview.columns.map((c) => (
                  <span key={c.name} className="chip static">{c.name} · {kindLabel(c.kind)}</span>
                ))}
              </p>
              {preview.how && <p id="answer-how" className="muted">{preview.how}</p>}
              <details>
                <summary>The schema the model receives</summary>
                <pre id="answer-schema-preview" className="rendered">{preview.schema}</pre>
              </details>
            </>
          )}
        </div>
      )}
    </fieldset>
  );
}

function kindName(kind: FieldKind): KindName {
  return kind.kind === "some_of" || kind.kind === "json" ? "text" : kind.kind;
}

function valuesOf(kind: FieldKind): string {
  return kind.kind === "one_of" ? kind.values.join(", ") : "";
}

/** A column's type in a word or two. */
export function kindLabel(kind: FieldKind): string {
  switch (kind.kind) {
    case "one_of":
      return `one of ${kind.values.join(", ")}`;
    case "some_of":
      return `any of ${kind.values.join(", ")}`;
    case "text_list":
      return "list";
    default:
      return kind.kind;
  }
}
