// The shapes the Rust commands return (src-tauri/src/commands.rs and the library types they serialize).

export interface AppInfo {
  version: string;
  prices_as_of: string;
  priced_models: number;
  home: string;
}

export interface ProfileInfo {
  name: string;
  region: string | null;
  sso: boolean;
  signed_in: boolean | null;
  hint: string | null;
}

export interface ConnectionInfo {
  sandbox: boolean;
  caller: string;
  account: string;
  region: string;
  profile: string | null;
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

export type FilterOp = "contains" | "equals" | "not_empty";

export type RowSelection =
  | { kind: "all" }
  | { kind: "first"; count: number }
  | { kind: "filter"; column: string; op: FilterOp; value: string };

export interface SubmitForm {
  sheet: string;
  worksheet: string | null;
  selection: RowSelection;
  template: string;
  system: string | null;
  model: string;
  invocation: "invoke_model" | "converse" | null;
  max_tokens: number;
  temperature: number | null;
  top_p: number | null;
  role_arn: string | null;
  input_uri: string | null;
  output_uri: string | null;
  job_name: string | null;
  timeout_hours: number;
  tags: [string, string][];
}

export type RunState = "uploading" | "submitting" | "running" | "ended" | "fetched";

export interface RunRow {
  id: string;
  job_name: string;
  model_id: string;
  state: RunState;
  sandbox: boolean;
  created_at: string;
  retry_of: string | null;
  parts: number;
  statuses: string[];
  processed: number;
  total: number;
  elapsed_seconds: number;
  active: boolean;
  has_results: boolean;
}

export interface StatusCounts {
  succeeded: number;
  failed: number;
  missing: number;
}

export interface RunOutcome {
  run: string;
  counts: StatusCounts | null;
  error: string | null;
}

export interface RunEvent {
  run: string;
  event: { event: string; part?: number; status?: string; bytes?: number; processed?: number | null; total?: number | null; job_arn?: string; message?: string | null };
}

export interface RunBytes {
  run: string;
  bytes: number;
}

export interface TokenBin {
  from: number;
  to: number;
  rows: number;
}

export interface ResultsOverview {
  run: string;
  sandbox: boolean;
  columns: string[];
  counts: StatusCounts;
  output_tokens: TokenBin[];
  summary: {
    rows?: number;
    tokens?: { input_from_outputs: number; output_from_outputs: number };
    batch_cost_usd?: number | null;
    warnings?: string[];
  } | null;
}

export interface RowFilter {
  status: string | null;
  search: string | null;
}

export interface ResultsPage {
  matching: number;
  rows: [number, string[]][];
}

export interface AccessDocuments {
  trust: string;
  role: string;
  caller: string;
}

export interface AccessForm {
  role_arn: string | null;
  input_uri: string | null;
  output_uri: string | null;
  model: string;
  documents: AccessDocuments | null;
}

export type CheckStatus = "pass" | "fail" | "warn" | "unknown";

export interface CheckResult {
  id: string;
  status: CheckStatus;
  summary: string;
  detail: string;
  fix: string | null;
  aws_simulator?: string;
}

export interface AccessView {
  report: { verdict: "pass" | "warn" | "fail"; checks: CheckResult[] };
  notes: string[];
  fixes: AccessDocuments;
  offline: boolean;
}

export interface ModelChoice {
  id: string;
  name: string;
  provider: string;
  profile: boolean;
  lifecycle: string;
  batch_priced: boolean;
}

export interface ModelList {
  models: ModelChoice[];
  note: string | null;
}

export interface TestRowForm {
  sheet: string;
  worksheet: string | null;
  row: number;
  template: string;
  system: string | null;
  model: string;
  max_tokens: number;
  temperature: number | null;
  top_p: number | null;
}

export interface TestAnswer {
  answer: string;
  input_tokens: number;
  output_tokens: number;
  stop_reason: string;
  latency_ms: number;
  on_demand_usd: number | null;
}

export interface TestRowView {
  row: number;
  prompt: string;
  system: string | null;
  answer: TestAnswer;
  sandbox: boolean;
}
