// The template editor's presentation: highlighting Rust's analysis, column completion and the problems list.
import { count, grouped } from "../format";
import type { PieceKind, PromptAnalysis, PromptTotals, SheetSummary, TemplateAnalysis } from "../backend";

/** A piece of the template to draw: plain text, or a placeholder and whether it reads known columns. */
export type Segment = { text: string; kind: PieceKind };

/** The template's pieces as Rust analysed them, or the whole text as plain text while an analysis of an
 * earlier text is all there is (its pieces would misplace the marks). */
export function segments(template: string, analysis: TemplateAnalysis | null): Segment[] {
  if (analysis && analysis.pieces.map((p) => p.text).join("") === template) return analysis.pieces;
  return template ? [{ text: template, kind: "text" }] : [];
}

/** When the caret is inside an unfinished `{{…`, the typed part and where it starts; else null. */
export function openPlaceholder(text: string, caret: number): { start: number; typed: string } | null {
  const before = text.slice(0, caret);
  const open = before.lastIndexOf("{{");
  if (open < 0 || before.indexOf("}}", open) >= 0) return null;
  const typed = before.slice(open + 2);
  if (/[\n{}]/.test(typed)) return null;
  return { start: open + 2, typed: typed.trimStart() };
}

/** Columns that complete what was typed: prefix matches first, then those containing it. */
export function completions(columns: string[], typed: string): string[] {
  const lower = typed.toLowerCase();
  const prefix = columns.filter((c) => c.toLowerCase().startsWith(lower));
  const inner = columns.filter((c) => !c.toLowerCase().startsWith(lower) && c.toLowerCase().includes(lower));
  return [...prefix, ...inner];
}

/** The text with the open placeholder at `start` completed to `column`, and the caret after it. */
export function complete(text: string, caret: number, start: number, column: string): { text: string; caret: number } {
  const rest = text.slice(caret);
  const closing = rest.startsWith("}}") ? "" : "}}";
  const inserted = `${column}${closing}`;
  return { text: text.slice(0, start) + inserted + rest, caret: start + inserted.length + (closing ? 0 : 2) };
}

/** One problem of the template for this sheet. */
export interface Problem {
  severity: "error" | "warning";
  text: string;
}

/** Unknown names (with the closest column), templates that cannot render, empty cells in the columns read,
 * and rows whose prompt is over the model's context; the template's rules are Rust's (`analysis`). */
export function problems(summary: SheetSummary, template: string, analysis: PromptAnalysis | null, totals: PromptTotals | null, contextTokens: number | null): Problem[] {
  const out: Problem[] = [];
  const analysed = [analysis?.prompt, analysis?.system].filter((a): a is TemplateAnalysis => !!a);
  for (const a of analysed) {
    if (a.error) out.push({ severity: "error", text: a.error });
    for (const name of a.unknown) {
      const hint = name.suggestion ? `did you mean "${name.suggestion}"?` : `pick one of: ${summary.meta.headers.join(", ")}`;
      out.push({ severity: "error", text: `"${name.name}" is not a column of the sheet; ${hint}` });
    }
  }
  const used = new Set(analysed.flatMap((a) => a.columns));
  for (const column of summary.columns.filter((c) => used.has(c.name) && c.empty_cells > 0)) {
    out.push({
      severity: "warning",
      text: `${count(column.empty_cells, "row")} ${column.empty_cells === 1 ? "has" : "have"} an empty ${column.name}: their prompts will have a gap there`,
    });
  }
  if (totals && contextTokens !== null && totals.max_row_tokens > contextTokens) {
    out.push({
      severity: "error",
      text: `the longest prompt is ~${grouped(totals.max_row_tokens)} tokens, over the model's ${grouped(contextTokens)}-token context; shorten the template or the column`,
    });
  }
  const prompt = analysis?.prompt;
  if (prompt && used.size === 0 && !prompt.error && prompt.unknown.length === 0 && template.trim()) {
    out.push({ severity: "warning", text: "the template uses no column: every row gets the same prompt" });
  }
  // One line per problem: the same unknown name in both templates is said once.
  return out.filter((p, i) => out.findIndex((q) => q.text === p.text) === i);
}
