// The answer editor's drafts: a field as typed (its values for "one of" as text) and the shape's kind.
import type { AnswerShape, FieldKind } from "../backend";

/** The field types offered, in the order the type list shows them. */
export const KIND_NAMES = ["text", "number", "integer", "boolean", "date", "text_list", "one_of"] as const;
export type KindName = (typeof KIND_NAMES)[number];

/** A field as the editor holds it. */
export interface FieldDraft {
  name: string;
  kind: KindName;
  /** "a, b, c" for one-of. */
  values: string;
  description: string;
}

/** The type's name in the list. */
export function kindText(kind: KindName): string {
  return { text: "text", number: "number", integer: "whole number", boolean: "yes/no", date: "date", text_list: "list of text", one_of: "one of…" }[kind];
}

/** The field kind a draft stands for. */
export function fieldKind(draft: FieldDraft): FieldKind {
  if (draft.kind === "one_of") {
    return { kind: "one_of", values: draft.values.split(",").map((v) => v.trim()).filter((v) => v) };
  }
  return { kind: draft.kind } as FieldKind;
}

/** Which of the four the shape is. */
export function shapeKind(shape: AnswerShape): AnswerShape["shape"] {
  return shape.shape;
}
