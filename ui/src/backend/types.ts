// The shapes the Rust commands exchange are generated from the Rust types (bindings.ts, by
// tests/ts_bindings.rs); this module adds only the narrow views the UI reads out of free-form JSON.
export type * from "./bindings";
export type { RunBytesMessage as RunBytes, RunEventMessage as RunEvent } from "./bindings";

/** The parts of a saved join summary (`ResultsOverview.summary`) the Results step shows. */
export interface SummaryView {
  rows?: number;
  tokens?: { input_from_outputs: number; output_from_outputs: number };
  batch_cost_usd?: number | null;
  warnings?: string[];
}
