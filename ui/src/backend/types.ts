// The shapes the Rust commands return (src-tauri/src/commands.rs and the library types they serialize).

export interface AppInfo {
  version: string;
  prices_as_of: string;
  priced_models: number;
}

export interface ConnectionInfo {
  sandbox: boolean;
  caller: string | null;
  account: string | null;
  reason: string | null;
}

export type ColumnKind = "number" | "date" | "boolean" | "text" | "empty";

export interface ColumnSummary {
  name: string;
  kind: ColumnKind;
  empty_cells: number;
}

export interface SheetMeta {
  path: string;
  format: string;
  sheet: string | null;
  delimiter: number | null;
  headers: string[];
}

export interface SheetSummary {
  meta: SheetMeta;
  sheets: string[];
  rows: number;
  columns: ColumnSummary[];
}

export interface Preview {
  row: number;
  prompt: string;
  system: string | null;
  row_tokens: number;
  rows: number;
  total_tokens: number;
  min_row_tokens: number;
  max_row_tokens: number;
  columns_used: string[];
}

export interface ModelPrice {
  input: number;
  output: number;
  batch_input: number | null;
  batch_output: number | null;
}

export interface CostEstimate {
  input_tokens: number;
  max_output_tokens: number;
  batch_usd: number | null;
  on_demand_usd: number | null;
  batch_input_usd: number | null;
  price: ModelPrice | null;
  prices_as_of: string;
  note?: string | null;
}
