// Generated from the window contract (src-tauri/src/contract.rs) and the Rust types (ts-rs); do not edit.
// Regenerate: UPDATE_BINDINGS=1 cargo test -p bedrock-batch-studio contract
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

// Types

export type AccessDocuments = { 
/**
 * The role's trust policy.
 */
trust: string, 
/**
 * The role's permission policy.
 */
role: string, 
/**
 * The caller's policy.
 */
caller: string, };

export type AccessForm = { 
/**
 * The service role (the sandbox's when empty there).
 */
role_arn: string | null, 
/**
 * Input prefix.
 */
input_uri: string | null, 
/**
 * Output prefix.
 */
output_uri: string | null, 
/**
 * The model or inference profile.
 */
model: string, 
/**
 * Policy documents to check instead of reading them from AWS.
 */
documents: AccessDocuments | null, };

export type AccessReport = { 
/**
 * The verdict.
 */
verdict: Verdict, 
/**
 * The checks, in a fixed order.
 */
checks: Array<CheckResult>, };

export type AccessView = { 
/**
 * The checks and the verdict.
 */
report: AccessReport, 
/**
 * Notes: where the policies came from, what could not be read.
 */
notes: Array<string>, 
/**
 * The least-privilege policies for this job, to copy or to start from.
 */
fixes: AccessDocuments, 
/**
 * True when the documents were pasted rather than read from AWS.
 */
offline: boolean, };

export type AccountJobFilter = { 
/**
 * Only jobs with this status (Completed, InProgress, Failed…).
 */
status: string | null, 
/**
 * Only jobs whose name contains this.
 */
name_contains: string | null, 
/**
 * Only jobs submitted at or after this time (RFC 3339).
 */
submitted_after: string | null, 
/**
 * At most this many (default 100).
 */
limit: number | null, };

export type AccountJobRow = { 
/**
 * Its ARN.
 */
job_arn: string, 
/**
 * Its id (the ARN's last part).
 */
job_id: string, 
/**
 * Its name.
 */
job_name: string, 
/**
 * Its status.
 */
status: string, 
/**
 * The service's message.
 */
message: string | null, 
/**
 * Its model or inference profile.
 */
model_id: string | null, 
/**
 * When it was submitted.
 */
submit_time: string | null, 
/**
 * When it ended.
 */
end_time: string | null, 
/**
 * Records processed so far.
 */
processed: number | null, 
/**
 * Records in the job.
 */
total: number | null, 
/**
 * This tool's own, opened here, or made elsewhere.
 */
origin: JobOrigin, 
/**
 * The run holding it, if any.
 */
run: string | null, };

export type AnswerField = { 
/**
 * Its name (the JSON key and the column's name).
 */
name: string, 
/**
 * What it holds.
 */
kind: FieldKind, 
/**
 * What the model is told it is.
 */
description: string, 
/**
 * Whether the answer must have it (fields of the built-in shapes always must).
 */
required: boolean, 
/**
 * Whether it may be null.
 */
nullable: boolean, };

export type AnswerPreview = { 
/**
 * The JSON Schema the model receives, pretty-printed (none for free text).
 */
schema: string | null, 
/**
 * The typed columns each answer fills (none for free text).
 */
columns: Array<AnswerField>, 
/**
 * How the schema reaches the model (none for free text, or without a model yet).
 */
delivery: SchemaDelivery | null, 
/**
 * That, in words.
 */
how: string | null, 
/**
 * Why the shape cannot run, when it cannot.
 */
problem: string | null, 
/**
 * The input tokens the schema adds to every record for the chosen model (estimated; 0 for free text or
 * without a model).
 */
tokens_per_record: number, };

export type AnswerShape = { "shape": "free_text" } | { "shape": "classify", 
/**
 * The labels.
 */
labels: Array<string>, 
/**
 * Several labels a row.
 */
multi: boolean, 
/**
 * Offer "other" when no label fits.
 */
other: boolean, } | { "shape": "extract", 
/**
 * The fields.
 */
fields: Array<AnswerField>, } | { "shape": "schema", 
/**
 * The schema as given.
 */
schema: unknown, };

export type AppError = { 
/**
 * Its kind.
 */
code: ErrorCode, 
/**
 * What went wrong, in domain words.
 */
message: string, 
/**
 * What to do about it, in the words of the face that shows it, when the message does not say.
 */
fix: string | null, 
/**
 * What to do about it as a value, for a face that acts on it (opens the step, focuses the control).
 */
remedy: Remedy | null, };

export type AppInfo = { 
/**
 * The app's version.
 */
version: string, 
/**
 * The licence it is distributed under.
 */
licence: string, 
/**
 * The date of the bundled price table.
 */
prices_as_of: string, 
/**
 * How many models the bundled price table covers.
 */
priced_models: number, 
/**
 * The app's folder (history, sandbox, runs).
 */
home: string, 
/**
 * Today's log file, when the log could be written.
 */
log_file: string | null, };

export type Attempt = { 
/**
 * The output folder it came from (a job id, or an on-demand run's part).
 */
folder: string, 
/**
 * How it ended.
 */
status: Status, 
/**
 * Its answer.
 */
output: string, 
/**
 * Its error, or why the answer fell short.
 */
error: string, };

export type BacklogReading = { 
/**
 * When it was read (RFC 3339, UTC).
 */
read_at: string, 
/**
 * The metrics' latest values (none when they could not be read).
 */
backlog: ModelBacklog | null, 
/**
 * When the model's backlog, this run's records included, is likely cleared at the pace read (RFC 3339).
 */
clears_at: string | null, 
/**
 * Why the metrics could not be read, when they could not.
 */
unreadable: string | null, };

export type CheckResult = { 
/**
 * The fixed id, e.g. `caller.pass_role`.
 */
id: string, 
/**
 * Its status.
 */
status: CheckStatus, 
/**
 * One plain sentence.
 */
summary: string, 
/**
 * Why: the deciding statements, or what could not be decided.
 */
detail: string, 
/**
 * What to change (a policy to copy), when something should change.
 */
fix: string | null, 
/**
 * AWS's own answer (IAM policy simulator), when it was asked.
 */
aws_simulator?: string, };

export type CheckStatus = "pass" | "fail" | "warn" | "unknown";

export type Choices = { 
/**
 * The AWS profile.
 */
profile?: string, 
/**
 * The AWS region.
 */
region?: string, 
/**
 * The prompt template.
 */
template?: string, 
/**
 * The system prompt.
 */
system?: string, 
/**
 * The model or inference profile id.
 */
model?: string, 
/**
 * The most tokens an answer may have.
 */
maxTokens?: number, 
/**
 * The model's parameters.
 */
params?: ParamChoices, 
/**
 * Where the job runs: role and S3 locations.
 */
target?: TargetChoices, 
/**
 * The colour theme.
 */
theme?: Theme, 
/**
 * The answer's shape: free text, labels, fields or a JSON Schema.
 */
answer?: AnswerShape, };

export type ColumnKind = "number" | "date" | "boolean" | "text" | "empty";

export type ColumnSummary = { 
/**
 * Its header.
 */
name: string, 
/**
 * What it holds.
 */
kind: ColumnKind, 
/**
 * Empty cells.
 */
empty_cells: number, };

export type Comparison = { 
/**
 * The runs, in the order given.
 */
runs: Array<string>, 
/**
 * Rows all runs have.
 */
rows: number, 
/**
 * The fields every run has, in the first run's order.
 */
fields: Array<FieldAgreement>, 
/**
 * Rows where a field's values differ, in row order.
 */
disagreements: Array<Disagreement>, };

export type Confusion = { 
/**
 * The run compared with the first.
 */
other_run: string, 
/**
 * Every pair of labels given, most rows first.
 */
cells: Array<ConfusionCell>, };

export type ConfusionCell = { 
/**
 * The first run's label.
 */
first: string, 
/**
 * The other run's label.
 */
other: string, 
/**
 * Rows.
 */
rows: number, };

export type ConnectionInfo = { 
/**
 * True for the offline sandbox (answers from the sandbox model).
 */
sandbox: boolean, 
/**
 * The caller's ARN.
 */
caller: string, 
/**
 * The account.
 */
account: string, 
/**
 * The region.
 */
region: string, 
/**
 * The profile used, when one was named.
 */
profile: string | null, 
/**
 * Why the sandbox was chosen, when it was.
 */
reason: string | null, };

export type CostCheck = { 
/**
 * The input tokens, estimated and measured.
 */
input: InputMeasure, 
/**
 * Billed over estimated input tokens in this model's past runs.
 */
past_ratio: number | null, 
/**
 * This model's last fetched runs, their estimates beside their bills (newest first, at most 5).
 */
past_runs: Array<PastEstimate>, 
/**
 * The answers' tokens.
 */
output: OutputEstimate, 
/**
 * The rows answered on demand to measure the answers, when asked for.
 */
output_sample: OutputSample | null, 
/**
 * Batch, on demand and (where offered) Flex: low, expected, worst.
 */
costs: Array<TierCost>, };

export type CostEstimate = { 
/**
 * Estimated input tokens.
 */
input_tokens: number, 
/**
 * Output tokens if every record used `max_tokens` (an upper bound).
 */
max_output_tokens: number, 
/**
 * Batch cost of the input tokens plus the upper-bound output, USD; `None` without a price.
 */
batch_usd: number | null, 
/**
 * The same at on-demand prices.
 */
on_demand_usd: number | null, 
/**
 * Batch cost of the input tokens alone (the lower bound), USD.
 */
batch_input_usd: number | null, 
/**
 * The price used, per 1M tokens.
 */
price: ModelPrice | null, 
/**
 * The price table's date.
 */
prices_as_of: string, 
/**
 * Why there is no cost, when there is none.
 */
note?: string | null, };

export type Disagreement = { 
/**
 * The 1-based input row.
 */
row: number, 
/**
 * Per field, per run, the value (empty when none).
 */
values: Array<Array<string>>, };

export type ErrorCode = "invalid_input" | "not_connected" | "no_credentials" | "access_denied" | "throttled" | "not_found" | "conflict" | "unavailable" | "cancelled" | "internal";

export type Event = { "event": "upload_started", 
/**
 * 1-based part.
 */
part: number, 
/**
 * Its object.
 */
target: string, 
/**
 * Its size.
 */
bytes: number, } | { "event": "uploaded", 
/**
 * 1-based part.
 */
part: number, 
/**
 * False when the history already had it (nothing sent).
 */
sent: boolean, } | { "event": "job_created", 
/**
 * 1-based part.
 */
part: number, 
/**
 * Its ARN.
 */
job_arn: string, 
/**
 * True when the create was a repeat of an earlier, unconfirmed one (same token, same job).
 */
repeated: boolean, } | { "event": "job_status", 
/**
 * 1-based part.
 */
part: number, 
/**
 * Its ARN.
 */
job_arn: string, 
/**
 * Status.
 */
status: string, 
/**
 * The service's message.
 */
message: string | null, 
/**
 * Records processed so far, if reported.
 */
processed: number | null, 
/**
 * Records in the job, if reported.
 */
total: number | null, } | { "event": "deadline_reached", 
/**
 * Which, in words.
 */
reason: string, } | { "event": "waiting", 
/**
 * Why.
 */
reason: string, 
/**
 * For how long.
 */
seconds: number, } | { "event": "downloaded", 
/**
 * The job's id.
 */
job_id: string, 
/**
 * Files.
 */
files: number, 
/**
 * Bytes.
 */
bytes: number, };

export type FieldAgreement = { 
/**
 * The field.
 */
name: string, 
/**
 * Rows every run answered with a value for this field.
 */
compared: number, 
/**
 * Of those, rows where every run gave the same value.
 */
agreed: number, 
/**
 * `agreed / compared` (none when nothing was compared).
 */
agreement: number | null, 
/**
 * For a label field: the first run against each other run.
 */
confusion: Array<Confusion>, };

export type FieldInsight = { 
/**
 * The field's name.
 */
name: string, 
/**
 * Rows with a value (valid answers whose field is not null).
 */
values: number, 
/**
 * The summary (none when no row has a value).
 */
summary: FieldSummary | null, };

export type FieldKind = { "kind": "text" } | { "kind": "number" } | { "kind": "integer" } | { "kind": "boolean" } | { "kind": "date" } | { "kind": "one_of", "values": Array<string> } | { "kind": "text_list" } | { "kind": "some_of", "values": Array<string> } | { "kind": "json" };

export type FieldSummary = { "summary": "labels", 
/**
 * The values.
 */
counts: Array<ValueCount>, } | { "summary": "numbers", 
/**
 * Smallest.
 */
min: number, 
/**
 * First quartile.
 */
q1: number, 
/**
 * Median.
 */
median: number, 
/**
 * Third quartile.
 */
q3: number, 
/**
 * Largest.
 */
max: number, 
/**
 * Mean.
 */
mean: number, 
/**
 * Equal-width bars from min to max.
 */
histogram: Array<HistogramBin>, } | { "summary": "top_values", 
/**
 * Distinct values.
 */
distinct: number, 
/**
 * The most frequent, most first.
 */
top: Array<ValueCount>, };

export type FieldValue = { 
/**
 * The field's name (its column).
 */
name: string, 
/**
 * The value, as the field's column shows it (`true`, `2026-12-03`, a label).
 */
value: string, };

export type FilterOp = "contains" | "equals" | "not_empty";

export type HistogramBin = { 
/**
 * Its lowest value.
 */
from: number, 
/**
 * Its highest value.
 */
to: number, 
/**
 * Rows in it.
 */
rows: number, };

export type InputMeasure = { 
/**
 * Records in the run.
 */
records: number, 
/**
 * The streaming estimate over every record (characters per token).
 */
estimated: number, 
/**
 * Records counted.
 */
sampled: number, 
/**
 * Counted over estimated tokens on the sample (none when CountTokens could not be used).
 */
ratio: number | null, 
/**
 * The estimate scaled by the ratio: the expected input tokens.
 */
expected: number, 
/**
 * The expected tokens less two standard errors of the ratio.
 */
low: number, 
/**
 * The expected tokens plus two standard errors of the ratio.
 */
high: number, 
/**
 * Why CountTokens was not used, when it was not (model, Region or permissions): the estimate stands.
 */
unavailable: string | null, };

export type InvocationChoice = "invoke_model" | "converse";

export type InvocationType = "InvokeModel" | "Converse";

export type JobOrigin = "own" | "opened" | "external";

export type JobPlan = { 
/**
 * Records in each job, in order.
 */
parts: Array<number>, 
/**
 * Most records a job may hold.
 */
most_records: number, 
/**
 * Fewest records a job accepts.
 */
least_records: number, 
/**
 * Why AWS's default quotas stand in for the account's, when they do (not connected, Service Quotas
 * unreadable, no quota named for the model).
 */
defaults: string | null, };

export type MeasureForm = { 
/**
 * The prompt template.
 */
template: string, 
/**
 * The system prompt template.
 */
system: string | null, 
/**
 * The model or profile.
 */
model: string, 
/**
 * The request body (the family's default when absent).
 */
invocation: InvocationChoice | null, 
/**
 * Most answer tokens per row.
 */
max_tokens: number, 
/**
 * Temperature.
 */
temperature: number | null, 
/**
 * Top-p.
 */
top_p: number | null, 
/**
 * Rows to send.
 */
rows: number, 
/**
 * Data rows of the open sheet (the sample is spread over them).
 */
sheet_rows: number, 
/**
 * Their estimated input tokens (the prompt step's estimate).
 */
input_tokens: number, 
/**
 * Rows to answer on demand to measure the answers (billed; at most 20).
 */
test_rows: number, };

export type ModelBacklog = { 
/**
 * Records waiting to be processed.
 */
records_pending: number | null, 
/**
 * Input tokens waiting to be processed.
 */
tokens_pending: number | null, 
/**
 * Input tokens processed a minute.
 */
input_tokens_per_minute: number | null, 
/**
 * Output tokens generated a minute.
 */
output_tokens_per_minute: number | null, };

export type ModelChoice = { 
/**
 * The id to submit (`anthropic.claude-…` or `us.anthropic.claude-…`).
 */
id: string, 
/**
 * Its display name.
 */
name: string, 
/**
 * Its provider.
 */
provider: string, 
/**
 * True for a cross-region inference profile.
 */
profile: boolean, 
/**
 * `ACTIVE` or `LEGACY`.
 */
lifecycle: string, 
/**
 * True when the bundled price table has a batch price for it (batch inference is known to work).
 */
batch_priced: boolean, };

export type ModelFacts = { 
/**
 * The request-format family.
 */
family: ModelFamily, 
/**
 * The longest prompt it takes, in tokens (a conservative figure for the family).
 */
context_tokens: number, 
/**
 * True for embedding models (no chat, no Converse).
 */
embedding: boolean, 
/**
 * How its records are sent when the user does not choose.
 */
default_invocation: InvocationType, 
/**
 * Where it is in Bedrock's lifecycle today, when it is legacy or past its end of life.
 */
lifecycle_notice: string | null, 
/**
 * Why this id cannot run batch, when the bundled table says so (a profile-only model's own id).
 */
route_notice: string | null, };

export type ModelFamily = "anthropic_claude" | "amazon_nova" | "meta_llama" | "meta_llama4" | "mistral" | "mistral_chat" | "titan_embedding" | "nova_embedding" | "titan_text" | "other";

export type ModelList = { 
/**
 * Models and profiles.
 */
models: Array<ModelChoice>, 
/**
 * Set when the list is the bundled one.
 */
note: string | null, };

export type ModelPrice = { 
/**
 * On-demand input price.
 */
input: number, 
/**
 * On-demand output price.
 */
output: number, 
/**
 * Batch input price; half of on-demand when absent.
 */
batch_input?: number | null, 
/**
 * Batch output price; half of on-demand when absent.
 */
batch_output?: number | null, };

export type OpenJobForm = { 
/**
 * A job of the account (ARN or id).
 */
job: string | null, 
/**
 * Or a folder (or file) of output lines on this computer.
 */
outputs: string | null, 
/**
 * With `outputs`: the job's request lines (its input file or folder), if at hand.
 */
requests: string | null, 
/**
 * A sheet to join the records to.
 */
sheet: string | null, 
/**
 * The sheet's column holding each row's record id.
 */
id_column: string | null, 
/**
 * Or the number of the sheet's first data row when the record id is the row number (0 or 1).
 */
row_number_from: number | null, 
/**
 * The job's model, when the files do not say.
 */
model: string | null, };

export type OutputEstimate = { 
/**
 * Rows in the run.
 */
rows: number, 
/**
 * The fewest output tokens to expect (the shortest tenth of the sample's answers, or the lowest past run's).
 */
low: number | null, 
/**
 * The expected output tokens (the mean answer of the sample, or of past runs).
 */
expected: number | null, 
/**
 * Every answer at its maximum of tokens.
 */
worst: number, 
/**
 * "a sample of N rows", "N past runs", or why neither is known.
 */
basis: string, };

export type OutputSample = { 
/**
 * Rows answered.
 */
rows: number, 
/**
 * Each answer's output tokens, in the order sent.
 */
output_tokens: Array<number>, 
/**
 * Rows whose call failed.
 */
failed: number, };

export type ParamChoices = { 
/**
 * The request body: the model's own or Converse's; none for the family's default.
 */
invocation: InvocationChoice | null, 
/**
 * Sampling temperature.
 */
temperature: number | null, 
/**
 * Nucleus sampling.
 */
topP: number | null, };

export type PastEstimate = { 
/**
 * The run (the original of a retry chain).
 */
run_id: string, 
/**
 * Its model or profile.
 */
model_id: string, 
/**
 * Its templates' fingerprint (the same prompt and system template give the same key).
 */
template_key: string, 
/**
 * Its rows.
 */
rows: number, 
/**
 * Input tokens `prepare` estimated.
 */
estimated_input: number, 
/**
 * Input tokens billed (the manifests', else the outputs').
 */
billed_input: number, 
/**
 * Rows answered successfully.
 */
answered_rows: number, 
/**
 * Output tokens billed.
 */
billed_output: number, 
/**
 * When it was fetched.
 */
fetched_at: string, };

export type PieceKind = "text" | "column" | "expression" | "unknown";

export type ProfileInfo = { 
/**
 * Its name.
 */
name: string, 
/**
 * Its region, when set.
 */
region: string | null, 
/**
 * True for an IAM Identity Center (SSO) profile.
 */
sso: boolean, 
/**
 * For SSO profiles: true when a cached sign-in is still valid, false when it expired or none exists.
 */
signed_in: boolean | null, 
/**
 * What to do before connecting, when something is needed.
 */
hint: string | null, };

export type PromptAnalysis = { 
/**
 * The user prompt's template.
 */
prompt: TemplateAnalysis, 
/**
 * The system prompt's template, when one is given.
 */
system: TemplateAnalysis | null, };

export type PromptTotals = { 
/**
 * Data rows.
 */
rows: number, 
/**
 * Estimated input tokens of every row.
 */
total_tokens: number, 
/**
 * The smallest row's estimate.
 */
min_row_tokens: number, 
/**
 * The largest row's estimate.
 */
max_row_tokens: number, 
/**
 * The columns the templates use.
 */
columns_used: Array<string>, };

export type Remedy = { "kind": "change", 
/**
 * The setting.
 */
setting: Setting, } | { "kind": "clear", 
/**
 * The setting.
 */
setting: Setting, } | { "kind": "use_invocation", 
/**
 * The invocation that serves this model and these settings.
 */
invocation: InvocationType, } | { "kind": "wait_for_run", 
/**
 * The run.
 */
run: string, } | { "kind": "fetch_run", 
/**
 * The run.
 */
run: string, } | { "kind": "stop_run", 
/**
 * The run.
 */
run: string, } | { "kind": "retry_on_demand", 
/**
 * The run.
 */
run: string, } | { "kind": "send_on_demand" } | { "kind": "continue_on_demand", 
/**
 * The run.
 */
run: string, } | { "kind": "list_runs" } | { "kind": "prepare_again" };

export type RenderedPrompt = { 
/**
 * The 1-based row.
 */
row: number, 
/**
 * Its prompt.
 */
prompt: string, 
/**
 * Its system prompt.
 */
system: string | null, 
/**
 * Its estimated input tokens.
 */
tokens: number, };

export type ResultsOverview = { 
/**
 * The run shown (the original of a retry chain).
 */
run: string, 
/**
 * True for sandbox output (the sandbox model).
 */
sandbox: boolean, 
/**
 * Column names: input columns, the answer's fields, then result columns.
 */
columns: Array<string>, 
/**
 * The answer's typed fields, whose columns come just before the result columns (none for free text).
 */
answer_fields: Array<AnswerField>, 
/**
 * Rows by status.
 */
counts: StatusCounts, 
/**
 * Output tokens per row, binned.
 */
output_tokens: Array<TokenBin>, 
/**
 * The join's summary as saved when fetched; none before a fetch (or when its file is unreadable).
 */
summary: SavedSummary | null, 
/**
 * What the run asked: its model, answer budget and template (a retry starts from them to change them); none
 * when its plan cannot be read.
 */
asked: RunAsked | null, };

export type ResultsPage = { 
/**
 * Rows matching the filter, in all.
 */
matching: number, 
/**
 * The rows: their 1-based input row number and their cells (input columns, then result columns).
 */
rows: Array<[number, Array<string>]>, };

export type Revision = { 
/**
 * Another model or inference profile.
 */
model: string | null, 
/**
 * Another most of answer tokens per row.
 */
max_tokens: number | null, 
/**
 * Another prompt template (over the same sheet's columns).
 */
template: string | null, };

export type RowAttempt = { 
/**
 * The run (the original or a retry).
 */
run: string | null, 
/**
 * Its model.
 */
model_id: string | null, 
/**
 * The answer.
 */
attempt: Attempt, };

export type RowFilter = { 
/**
 * Only rows with this status.
 */
status: Status | null, 
/**
 * Only rows with this text in any cell (case-insensitive for ASCII letters).
 */
search: string | null, 
/**
 * Only rows whose answer field has this value (for a list field: holds it).
 */
field: FieldValue | null, };

export type RowSelection = { "kind": "all" } | { "kind": "first", 
/**
 * How many.
 */
count: number, } | { "kind": "filter", 
/**
 * The column's header.
 */
column: string, 
/**
 * The comparison.
 */
op: FilterOp, 
/**
 * The text compared with (unused for `not_empty`).
 */
value: string, };

export type RunAsked = { 
/**
 * The model or inference profile.
 */
model_id: string, 
/**
 * Most answer tokens per row.
 */
max_tokens: number, 
/**
 * The prompt template.
 */
template: string, };

export type RunBytesMessage = { 
/**
 * The run.
 */
run: string, 
/**
 * Bytes uploaded or downloaded since the last message.
 */
bytes: number, };

export type RunComparison = { 
/**
 * Agreement per field and the rows that differ.
 */
comparison: Comparison, 
/**
 * Each run's rows, tokens and cost, in the order given.
 */
totals: Array<RunTotals>, 
/**
 * Things to look at (runs prepared from different sheets).
 */
warnings: Array<string>, };

export type RunEventMessage = { 
/**
 * The run.
 */
run: string, 
/**
 * What happened.
 */
event: Event, };

export type RunOutcome = { 
/**
 * The run (the original of a retry chain once fetched).
 */
run: string, 
/**
 * Its job name, as the user chose it (the run id when the history cannot say).
 */
job_name: string, 
/**
 * True when the user stopped it.
 */
stopped: boolean, 
/**
 * Rows that succeeded, failed or are missing, when fetched.
 */
counts: StatusCounts | null, 
/**
 * What else to know: a deadline stopped it, and what was done with the rows it left.
 */
notice: string | null, 
/**
 * Why it could not be followed or fetched.
 */
error: string | null, };

export type RunProgress = { 
/**
 * Records processed so far, over its jobs.
 */
processed: number, 
/**
 * Records its jobs hold (as the service counts them, once it does).
 */
total: number, 
/**
 * The longest any of its jobs has waited (or waited) in Bedrock's queue, seconds.
 */
queued_seconds: number, 
/**
 * Jobs still in the queue.
 */
queued_jobs: number, 
/**
 * When the run is likely to end (RFC 3339, UTC): none before every job runs and has processed some records.
 */
eta: string | null, 
/**
 * Its deadline, when it has one.
 */
deadline: string | null, 
/**
 * The model's batch backlog as last read while some job had not ended (the account's, from CloudWatch).
 */
backlog: BacklogReading | null, };

export type RunRow = { 
/**
 * Run id.
 */
id: string, 
/**
 * Job name (base).
 */
job_name: string, 
/**
 * Model.
 */
model_id: string, 
/**
 * uploading, submitting, running, ended, fetched.
 */
state: RunState, 
/**
 * Batch jobs, or on-demand calls (Standard or Flex).
 */
tier: Tier, 
/**
 * True for a sandbox run.
 */
sandbox: boolean, 
/**
 * When it was recorded.
 */
created_at: string, 
/**
 * The run it retries.
 */
retry_of: string | null, 
/**
 * Parts.
 */
parts: number, 
/**
 * Each job's status (`not submitted` before its create).
 */
statuses: Array<string>, 
/**
 * Records processed so far, over all jobs.
 */
processed: number, 
/**
 * Records in the run.
 */
total: number, 
/**
 * Seconds from recording to now (or to the last job update once ended).
 */
elapsed_seconds: number, 
/**
 * True while this session drives it.
 */
active: boolean, 
/**
 * True once the user stopped it (it gets no more jobs and ends when the ones it has end).
 */
stopped: boolean, 
/**
 * True when its results can be shown.
 */
has_results: boolean, 
/**
 * Queue time, the likely end and the deadline.
 */
progress: RunProgress, 
/**
 * True for a job made elsewhere and opened here.
 */
opened: boolean, 
/**
 * The job name as a file name every platform accepts (the export's suggested name).
 */
file_name: string, };

export type RunState = "uploading" | "submitting" | "running" | "ended" | "fetched";

export type RunTotals = { 
/**
 * The run id.
 */
run: string, 
/**
 * Its model.
 */
model_id: string, 
/**
 * Rows it holds.
 */
rows: number, 
/**
 * Rows answered in full.
 */
succeeded: number, 
/**
 * Input tokens billed (as the outputs report them).
 */
input_tokens: number, 
/**
 * Output tokens billed.
 */
output_tokens: number, 
/**
 * Its cost, USD (none for a model without a price).
 */
cost_usd: number | null, };

export type S3Entry = { 
/**
 * Its location (`s3://bucket/prefix/` for folders).
 */
uri: string, 
/**
 * What to show: the bucket, folder or file name.
 */
name: string, 
/**
 * True for buckets and folders.
 */
folder: boolean, 
/**
 * The object's size.
 */
size: number | null, };

export type S3Listing = { 
/**
 * The location listed (empty for the list of buckets).
 */
location: string, 
/**
 * The level above, when there is one.
 */
parent: string | null, 
/**
 * Folders first, then objects.
 */
entries: Array<S3Entry>, 
/**
 * True when there were more than were listed.
 */
truncated: boolean, };

export type SavedSummary = { 
/**
 * Tokens as the outputs report them.
 */
tokens: SavedTokens, 
/**
 * Cost of the measured tokens, each tier's at its price, USD (none for a model without a price).
 */
cost_usd: number | null, 
/**
 * Rows, tokens and cost per tier that answered (none in summaries saved before tiers were counted).
 */
tiers: Array<TierTotals>, 
/**
 * Things the analyst must look at.
 */
warnings: Array<string>, 
/**
 * What the answers' fields hold (none for free text, or summaries saved before fields were summarised).
 */
insights: Array<FieldInsight>, };

export type SavedTokens = { 
/**
 * Input tokens reported per record, summed.
 */
input_from_outputs: number, 
/**
 * Output tokens reported per record, summed.
 */
output_from_outputs: number, 
/**
 * Prompt tokens read from the prompt cache, summed (0 in summaries saved before they were counted).
 */
cache_read_from_outputs: number, 
/**
 * Prompt tokens written to the prompt cache, summed.
 */
cache_write_from_outputs: number, };

export type SchemaDelivery = "converse_output_config" | "claude_output_config" | "response_format" | "instruction";

export type SendWays = { 
/**
 * Rows to send.
 */
rows: number, 
/**
 * The fewest records a batch job of the model takes (the connection's quotas, else AWS's defaults).
 */
batch_minimum: number, 
/**
 * True when the rows are enough for a batch job.
 */
batch_possible: boolean, 
/**
 * True when the model offers the Flex tier for on-demand calls.
 */
flex_offered: boolean, 
/**
 * How this tool sends them unless told otherwise: batch when possible, else on demand (Flex where offered).
 */
suggested: Tier, 
/**
 * Each way's estimate: batch, on demand (Standard), and Flex where offered.
 */
estimates: Array<TierEstimate>, };

export type Setting = "sheet" | "model" | "worksheet" | "delimiter" | "id_column" | "invocation_type" | "records_per_job" | "job_timeout" | "concurrent_jobs" | "spend_cap" | "max_tokens";

export type SheetFormat = "csv" | "xlsx" | "xls" | "ods" | "parquet" | "jsonl";

export type SheetMeta = { 
/**
 * The file the rows come from.
 */
path: string, 
/**
 * The detected format.
 */
format: SheetFormat, 
/**
 * The worksheet read, for workbooks.
 */
sheet: string | null, 
/**
 * The delimiter used, for CSV.
 */
delimiter: number | null, 
/**
 * Column names in file order; unique and non-empty.
 */
headers: Array<string>, };

export type SheetProgress = { 
/**
 * Data rows read so far.
 */
rows: number, };

export type SheetSummary = { 
/**
 * File, format, worksheet, delimiter and headers.
 */
meta: SheetMeta, 
/**
 * The worksheets of a workbook (empty for single-table formats).
 */
sheets: Array<string>, 
/**
 * Data rows.
 */
rows: number, 
/**
 * The columns.
 */
columns: Array<ColumnSummary>, };

export type Status = "succeeded" | "failed" | "missing" | "invalid" | "truncated" | "empty";

export type StatusCounts = { 
/**
 * Rows that succeeded.
 */
succeeded: number, 
/**
 * Rows that failed.
 */
failed: number, 
/**
 * Rows with no output.
 */
missing: number, 
/**
 * Rows answered, but not in the answer's shape.
 */
invalid: number, 
/**
 * Rows whose answer was cut off at the token limit.
 */
truncated: number, 
/**
 * Rows answered with nothing.
 */
empty: number, };

export type SubmitForm = { 
/**
 * The sheet.
 */
sheet: string, 
/**
 * Its worksheet (workbooks).
 */
worksheet: string | null, 
/**
 * The rows to send.
 */
selection: RowSelection, 
/**
 * The prompt template.
 */
template: string, 
/**
 * The system prompt template, if any.
 */
system: string | null, 
/**
 * The model or inference profile.
 */
model: string, 
/**
 * The request body: the model's own or Converse's (the family's default when absent).
 */
invocation: InvocationChoice | null, 
/**
 * Most answer tokens per row.
 */
max_tokens: number, 
/**
 * Sampling temperature.
 */
temperature: number | null, 
/**
 * Nucleus sampling.
 */
top_p: number | null, 
/**
 * The service role (the sandbox's when absent there).
 */
role_arn: string | null, 
/**
 * Input prefix.
 */
input_uri: string | null, 
/**
 * Output prefix.
 */
output_uri: string | null, 
/**
 * Job name (made from the sheet's name and the time when absent).
 */
job_name: string | null, 
/**
 * Job timeout, 24–168 hours.
 */
timeout_hours: number, 
/**
 * Job tags.
 */
tags: Array<[string, string]>, 
/**
 * How the rows are sent: a batch job, or on-demand calls (Standard or Flex).
 */
send: Tier, 
/**
 * Refuse to send when the most the rows can cost (every answer at its maximum) is above this, USD.
 */
max_cost: number | null, 
/**
 * Finish by: a time of day (18:00, local), a delay (+6h) or a date and time; the jobs not ended by then are
 * stopped (a batch job only).
 */
deadline: string | null, 
/**
 * Stop a job waiting in Bedrock's queue longer than this (90m, 6h).
 */
max_queue: string | null, 
/**
 * What the rows a deadline leaves may cost on demand, approved beforehand (USD): sent at once within it.
 */
fallback_budget: number | null, 
/**
 * The window's time zone, minutes east of UTC (for a deadline given as a time of day).
 */
local_offset_minutes: number, 
/**
 * The answer's shape: free text, labels, fields or a JSON Schema.
 */
answer: AnswerShape, };

export type TargetChoices = { 
/**
 * The service role's ARN.
 */
roleArn: string, 
/**
 * Where the prepared parts go.
 */
inputUri: string, 
/**
 * Where Bedrock writes the outputs.
 */
outputUri: string, };

export type TemplateAnalysis = { 
/**
 * The template cut into text and placeholders, in order; their texts joined give the template back.
 */
pieces: Array<TemplatePiece>, 
/**
 * The columns it reads, in sheet order (when it cannot be compiled, those its placeholders name).
 */
columns: Array<string>, 
/**
 * Names that match no column, each once, in the order they appear.
 */
unknown: Array<UnknownName>, 
/**
 * Why it cannot be rendered, other than unknown names (syntax, a refused statement, its length).
 */
error: string | null, };

export type TemplatePiece = { 
/**
 * The piece's text as written.
 */
text: string, 
/**
 * What it is.
 */
kind: PieceKind, };

export type TestAnswer = { 
/**
 * The answer's text.
 */
answer: string, 
/**
 * Input tokens, as the service counted them.
 */
input_tokens: number, 
/**
 * Output tokens.
 */
output_tokens: number, 
/**
 * Why generation stopped.
 */
stop_reason: string, 
/**
 * The service's latency.
 */
latency_ms: number, 
/**
 * What this call cost at on-demand prices, when the model is priced.
 */
on_demand_usd: number | null, };

export type TestRowForm = { 
/**
 * The 1-based data row of the open sheet.
 */
row: number, 
/**
 * The prompt template.
 */
template: string, 
/**
 * The system prompt template.
 */
system: string | null, 
/**
 * The model or profile.
 */
model: string, 
/**
 * Most answer tokens.
 */
max_tokens: number, 
/**
 * Temperature.
 */
temperature: number | null, 
/**
 * Top-p.
 */
top_p: number | null, };

export type TestRowView = { 
/**
 * The row sent.
 */
row: number, 
/**
 * The rendered prompt.
 */
prompt: string, 
/**
 * The rendered system prompt.
 */
system: string | null, 
/**
 * The answer.
 */
answer: TestAnswer, 
/**
 * True when the sandbox model answered (sandbox).
 */
sandbox: boolean, };

export type Theme = "system" | "light" | "dark";

export type Tier = "batch" | "on-demand" | "flex";

export type TierCost = { 
/**
 * The tier.
 */
tier: Tier, 
/**
 * Low input and low output.
 */
low_usd: number | null, 
/**
 * Expected input and output.
 */
expected_usd: number | null, 
/**
 * High input and every answer at its maximum.
 */
worst_usd: number | null, };

export type TierEstimate = { 
/**
 * The tier.
 */
tier: Tier, 
/**
 * Rows sent on it.
 */
rows: number, 
/**
 * Their estimated input tokens.
 */
input_tokens: number, 
/**
 * Their output tokens if every answer took its maximum.
 */
max_output_tokens: number, 
/**
 * The input tokens' cost, USD: the least the rows cost; `None` without a price.
 */
input_usd: number | null, 
/**
 * Input plus every answer at its maximum, USD: the most the rows cost.
 */
most_usd: number | null, };

export type TierTotals = { 
/**
 * The tier.
 */
tier: Tier, 
/**
 * Rows whose outcome came from it.
 */
rows: number, 
/**
 * Of those, rows that succeeded.
 */
succeeded: number, 
/**
 * Input tokens billed on it (its manifests' counts where it has manifests, else the rows' own counts).
 */
input_tokens: number, 
/**
 * Output tokens billed on it.
 */
output_tokens: number, 
/**
 * "manifests" or "outputs": where the token counts come from.
 */
basis: string, 
/**
 * The tokens at the tier's price, USD; `None` without a price.
 */
cost_usd: number | null, 
/**
 * What `prepare` estimated for these rows: input tokens (about 4 characters a token).
 */
estimated_input_tokens: number, 
/**
 * The estimated cost of these rows at the tier's price: from the input alone to every answer at its maximum.
 */
estimated_usd: [number, number] | null, };

export type TokenBin = { 
/**
 * Lowest token count of the bin.
 */
from: number, 
/**
 * Highest token count of the bin.
 */
to: number, 
/**
 * Rows in it.
 */
rows: number, };

export type UnknownName = { 
/**
 * The name as written.
 */
name: string, 
/**
 * The closest column, when one is close.
 */
suggestion: string | null, };

export type ValueCount = { 
/**
 * The value, as text.
 */
value: string, 
/**
 * Rows (for a list field: answers whose list holds it).
 */
rows: number, };

export type Verdict = "pass" | "warn" | "fail";

// Commands: each rejects with an AppError (a stable code, the message, the fix).

/** The build's version, licence and bundled data, and where the data and the log are. */
export function appInfo(): Promise<AppInfo> {
  return invoke<AppInfo>("app_info");
}

/** The diagnostics text (version, system, connection, folders, recent problems) for Help → Copy diagnostics. */
export function diagnostics(): Promise<string> {
  return invoke<string>("diagnostics");
}

/** The named AWS profiles, with regions and SSO sign-in state. */
export function profiles(): Promise<Array<ProfileInfo>> {
  return invoke<Array<ProfileInfo>>("profiles");
}

/**
 * Connects to AWS with a profile and region (or, with `sandbox`, to the offline sandbox) and takes
 * up the runs left unfinished; without credentials the answer is the sandbox.
 */
export function connect(sandbox: boolean, profile: string | null, region: string | null): Promise<ConnectionInfo> {
  return invoke<ConnectionInfo>("connect", { sandbox, profile, region });
}

/**
 * Opens a sheet: format, worksheets, columns, rows. The rows read so far come as `sheet-progress`
 * events; it fails with code "cancelled" when `cancel_open_sheet` (or a newer opening) stops it.
 */
export function openSheet(path: string, sheet: string | null): Promise<SheetSummary> {
  return invoke<SheetSummary>("open_sheet", { path, sheet });
}

/** Stops the sheet opening in progress; the sheet open before stays open. */
export function cancelOpenSheet(): Promise<void> {
  return invoke<void>("cancel_open_sheet");
}

/** A page of the open sheet's rows, 0-based. */
export function sheetRows(offset: number, limit: number): Promise<Array<Array<string>>> {
  return invoke<Array<Array<string>>>("sheet_rows", { offset, limit });
}

/** One row's prompt, rendered from the open sheet's cache (fast at any size). */
export function renderRow(template: string, system: string | null, row: number): Promise<RenderedPrompt> {
  return invoke<RenderedPrompt>("render_row", { template, system, row });
}

/**
 * What the templates do with the open sheet's columns: pieces to highlight, columns read, unknown
 * names with the closest column, why they cannot render.
 */
export function analyzeTemplate(template: string, system: string | null): Promise<PromptAnalysis> {
  return invoke<PromptAnalysis>("analyze_template", { template, system });
}

/** Every row's prompt estimated in one pass over the sheet; a newer call stops this one. */
export function promptTotals(template: string, system: string | null): Promise<PromptTotals> {
  return invoke<PromptTotals>("prompt_totals", { template, system });
}

/**
 * What Rust knows of a model id: its family and context window; an id that cannot be a model's is
 * refused.
 */
export function modelFacts(model: string): Promise<ModelFacts> {
  return invoke<ModelFacts>("model_facts", { model });
}

/**
 * The models and inference profiles of the connection (the bundled list, with a note, when the
 * connection cannot list them).
 */
export function models(): Promise<ModelList> {
  return invoke<ModelList>("models");
}

/** Renders the open sheet's row (from its cache) and sends it through an on-demand Converse call. */
export function testRow(form: TestRowForm): Promise<TestRowView> {
  return invoke<TestRowView>("test_row", { form });
}

/** The cost of `rows` records of `input_tokens` in total and at most `max_tokens` answer tokens each. */
export function estimate(model: string, inputTokens: number, rows: number, maxTokens: number): Promise<CostEstimate> {
  return invoke<CostEstimate>("estimate", { model, inputTokens, rows, maxTokens });
}

/**
 * Records per job for `rows` rows of `model` under the connection's quotas for it (the defaults
 * before a connection): what Submit will prepare.
 */
export function jobPlan(model: string, rows: number): Promise<JobPlan> {
  return invoke<JobPlan>("job_plan", { model, rows });
}

/**
 * How `rows` rows of `model` (`input_tokens` in all, at most `max_tokens` answer tokens each) can be sent
 * — a batch job when there are enough, on demand (Flex where offered) — and what each way costs.
 */
export function sendWays(model: string, rows: number, inputTokens: number, maxTokens: number): Promise<SendWays> {
  return invoke<SendWays>("send_ways", { model, rows, inputTokens, maxTokens });
}

/**
 * What the run will cost, measured: CountTokens on up to 30 rows of the open sheet, `test_rows` rows
 * answered on demand (billed), and the model's past runs — each tier low, expected and worst.
 */
export function measureCost(form: MeasureForm): Promise<CostCheck> {
  return invoke<CostCheck>("measure_cost", { form });
}

/** The access check of the job about to be submitted. */
export function checkAccess(form: AccessForm): Promise<AccessView> {
  return invoke<AccessView>("check_access", { form });
}

/** The buckets (empty location) or one folder level of S3. */
export function browseS3(location: string): Promise<S3Listing> {
  return invoke<S3Listing>("browse_s3", { location });
}

/** The schema, columns and delivery of an answer shape for the chosen model, or why it cannot run. */
export function answerPreview(shape: AnswerShape, model: string | null, invocation: InvocationChoice | null): Promise<AnswerPreview> {
  return invoke<AnswerPreview>("answer_preview", { shape, model, invocation });
}

/** Prepares and submits a run of the open sheet; it is then followed in the background. */
export function submit(form: SubmitForm): Promise<RunRow> {
  return invoke<RunRow>("submit", { form });
}

/**
 * Prepares and submits the open sheet's rows to each of `models` as a run of its own (named after its
 * model), to compare their answers; every model is checked before any row is read.
 */
export function submitToModels(form: SubmitForm, models: Array<string>): Promise<Array<RunRow>> {
  return invoke<Array<RunRow>>("submit_to_models", { form, models });
}

/** Every run with its live counts, newest first. */
export function runs(): Promise<Array<RunRow>> {
  return invoke<Array<RunRow>>("runs");
}

/** Stops a run's jobs. */
export function stopRun(run: string): Promise<RunRow> {
  return invoke<RunRow>("stop_run", { run });
}

/**
 * Retries a run's rows not answered in full (or, with `matching`, the rows that filter shows), with
 * `changes` (another model, more answer tokens, a changed template): as a batch job, or on demand
 * (`on-demand`, `flex`).
 */
export function retryRun(run: string, send: Tier, matching: RowFilter | null, changes: Revision): Promise<RunRow> {
  return invoke<RunRow>("retry_run", { run, send, matching, changes });
}

/**
 * The account's batch jobs on the current connection, each marked as this tool's own, opened here, or made
 * elsewhere.
 */
export function accountJobs(filter: AccountJobFilter): Promise<Array<AccountJobRow>> {
  return invoke<Array<AccountJobRow>>("account_jobs", { filter });
}

/**
 * Opens a job made elsewhere (one of the account's, or output lines on this computer) as a run, joined to a
 * sheet when one is given.
 */
export function openJob(form: OpenJobForm): Promise<RunRow> {
  return invoke<RunRow>("open_job", { form });
}

/** Columns, counts, token bins and summary of a run's results. */
export function resultsOverview(run: string): Promise<ResultsOverview> {
  return invoke<ResultsOverview>("results_overview", { run });
}

/** A page of a run's results. */
export function resultsPage(run: string, filter: RowFilter, offset: number, limit: number): Promise<ResultsPage> {
  return invoke<ResultsPage>("results_page", { run, filter, offset, limit });
}

/** The prompt sent for row `row` (1-based) of a run's results. */
export function rowPrompt(run: string, row: number): Promise<RenderedPrompt> {
  return invoke<RenderedPrompt>("row_prompt", { run, row });
}

/**
 * Runs compared over the rows they share (the first the reference); with `export`, the rows where they
 * disagree are written there as CSV.
 */
export function compareRuns(runs: Array<string>, exportTo: string | null): Promise<RunComparison> {
  return invoke<RunComparison>("compare_runs", { runs, exportTo });
}

/** Every answer row `row` (1-based) got when it was retried, the chosen one first. */
export function rowAttempts(run: string, row: number): Promise<Array<RowAttempt>> {
  return invoke<Array<RowAttempt>>("row_attempts", { run, row });
}

/** Exports a run's results to `path`; the format follows the extension. */
export function exportResults(run: string, path: string, excelSafe: boolean): Promise<string> {
  return invoke<string>("export_results", { run, path, excelSafe });
}

/** The remembered choices. */
export function loadChoices(): Promise<Choices> {
  return invoke<Choices>("load_choices");
}

/** Remembers the choices, in place of the ones before. */
export function rememberChoices(choices: Choices): Promise<void> {
  return invoke<void>("remember_choices", { choices });
}

// Events

/** The rows read so far while a sheet opens. */
export function onSheetProgress(handler: (payload: SheetProgress) => void): Promise<UnlistenFn> {
  return listen<SheetProgress>("sheet-progress", (e) => handler(e.payload));
}

/** A run's progress: its statuses, parts and problems as they happen. */
export function onRunEvent(handler: (payload: RunEventMessage) => void): Promise<UnlistenFn> {
  return listen<RunEventMessage>("run-event", (e) => handler(e.payload));
}

/** Bytes of a run uploaded or downloaded. */
export function onRunBytes(handler: (payload: RunBytesMessage) => void): Promise<UnlistenFn> {
  return listen<RunBytesMessage>("run-bytes", (e) => handler(e.payload));
}

/** A run ended (or was stopped). */
export function onRunEnded(handler: (payload: RunOutcome) => void): Promise<UnlistenFn> {
  return listen<RunOutcome>("run-ended", (e) => handler(e.payload));
}
