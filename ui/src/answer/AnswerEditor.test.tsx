// The answer editor with the backend faked: each kind builds the shape Rust takes, and the preview shows what
// Rust says of it.
import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { vi } from "vitest";

import type { AnswerShape } from "../backend";

const backend = vi.hoisted(() => ({
  answerPreview: vi.fn(async (shape: AnswerShape) => ({
    schema: '{\n  "type": "object"\n}',
    columns: shape.shape === "classify" ? [{ name: "label", kind: { kind: "one_of", values: shape.labels }, description: "", required: true, nullable: false }] : [],
    delivery: "instruction",
    how: "this model has no structured output here: the schema is added to the prompt",
    problem: shape.shape === "classify" && shape.labels.length === 0 ? "the answer shape is empty: give at least one label" : null,
  })),
}));
vi.mock("../backend", () => backend);

import { AnswerEditor, kindLabel } from "./AnswerEditor";
import { fieldKind } from "./shape";

let latest: AnswerShape = { shape: "free_text" };

function Harness() {
  const [shape, setShape] = useState<AnswerShape>({ shape: "free_text" });
  latest = shape;
  return <AnswerEditor shape={shape} onShape={setShape} model="amazon.nova-lite-v1:0" invocation={null} />;
}

describe("the answer editor", () => {
  it("builds a classify shape from the labels typed and shows Rust's preview", async () => {
    render(<Harness />);
    fireEvent.click(screen.getByLabelText("Classify"));
    expect(await screen.findByText(/give at least one label/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Labels (comma-separated)"), { target: { value: "billing, shipping,," } });
    fireEvent.click(screen.getByLabelText('Allow "other"'));
    expect(latest).toEqual({ shape: "classify", labels: ["billing", "shipping"], multi: false, other: true });
    expect(await screen.findByText("label · one of billing, shipping")).toBeTruthy();
    expect(screen.getByText(/the schema is added to the prompt/)).toBeTruthy();
    expect(backend.answerPreview).toHaveBeenLastCalledWith(latest, "amazon.nova-lite-v1:0", null);
  });

  it("builds fields with their types, and a pasted schema once it is JSON", async () => {
    render(<Harness />);
    fireEvent.click(screen.getByLabelText("Extract fields"));
    fireEvent.change(screen.getByLabelText("Field 1 name"), { target: { value: " tone " } });
    fireEvent.change(screen.getByLabelText("Field 1 type"), { target: { value: "one_of" } });
    fireEvent.change(screen.getByLabelText("Field 1 values"), { target: { value: "praise, complaint" } });
    fireEvent.click(screen.getByRole("button", { name: "Add a field" }));
    fireEvent.change(screen.getByLabelText("Field 2 name"), { target: { value: "stars" } });
    fireEvent.change(screen.getByLabelText("Field 2 type"), { target: { value: "integer" } });
    expect(latest).toEqual({
      shape: "extract",
      fields: [
        { name: "tone", kind: { kind: "one_of", values: ["praise", "complaint"] }, description: "", required: true, nullable: false },
        { name: "stars", kind: { kind: "integer" }, description: "", required: true, nullable: false },
      ],
    });
    fireEvent.click(screen.getByLabelText("JSON Schema"));
    fireEvent.change(screen.getByLabelText(/JSON Schema of an object/), { target: { value: '{"type": "object", "properties": {' } });
    expect(screen.getByText(/not JSON yet/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText(/JSON Schema of an object/), { target: { value: '{"type": "object", "properties": {"a": {"type": "number"}}}' } });
    expect(latest).toEqual({ shape: "schema", schema: { type: "object", properties: { a: { type: "number" } } } });
    fireEvent.click(screen.getByLabelText("Free text"));
    expect(latest).toEqual({ shape: "free_text" });
  });

  it("words a column's type", () => {
    expect(kindLabel({ kind: "text_list" })).toBe("list");
    expect(kindLabel({ kind: "some_of", values: ["a", "b"] })).toBe("any of a, b");
    expect(fieldKind({ name: "x", kind: "date", values: "ignored", description: "" })).toEqual({ kind: "date" });
  });
});
