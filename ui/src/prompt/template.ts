// The template editor's logic: placeholders, highlighting, column completion and the problems list.
import type { PromptTotals, SheetSummary } from "../backend";

/** The `{{ name }}` placeholders of a template. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].map((m) => m[1]);
}

/** A piece of the template: plain text, or a placeholder and whether its column exists. */
export type Segment = { text: string; column?: string; known?: boolean };

/** Splits a template into text and placeholders, for highlighting. */
export function segments(template: string, columns: string[]): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const match of template.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)) {
    const at = match.index ?? 0;
    if (at > last) out.push({ text: template.slice(last, at) });
    out.push({ text: match[0], column: match[1], known: columns.includes(match[1]) });
    last = at + match[0].length;
  }
  if (last < template.length) out.push({ text: template.slice(last) });
  return out;
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

/** Unknown columns, empty cells in used columns, and rows whose prompt is over the model's context. */
export function problems(summary: SheetSummary, template: string, totals: PromptTotals | null, contextTokens: number): Problem[] {
  const out: Problem[] = [];
  const used = [...new Set(placeholders(template))];
  for (const name of used.filter((n) => !summary.meta.headers.includes(n))) {
    out.push({ severity: "error", text: `{{${name}}} is not a column of the sheet; pick one of: ${summary.meta.headers.join(", ")}` });
  }
  for (const column of summary.columns.filter((c) => used.includes(c.name) && c.empty_cells > 0)) {
    out.push({
      severity: "warning",
      text: `${column.empty_cells.toLocaleString()} row${column.empty_cells === 1 ? " has" : "s have"} an empty ${column.name}: their prompts will have a gap there`,
    });
  }
  if (totals && totals.max_row_tokens > contextTokens) {
    out.push({
      severity: "error",
      text: `the longest prompt is ~${totals.max_row_tokens.toLocaleString()} tokens, over the model's ${contextTokens.toLocaleString()}-token context; shorten the template or the column`,
    });
  }
  if (used.length === 0 && template.trim()) {
    out.push({ severity: "warning", text: "the template uses no column: every row gets the same prompt" });
  }
  return out;
}
