// The wizard's steps and when each may be entered.

export type StepId = "connect" | "data" | "prompt" | "model" | "access" | "submit" | "jobs" | "results";

export interface Step {
  id: StepId;
  title: string;
}

export const STEPS: Step[] = [
  { id: "connect", title: "Connect" },
  { id: "data", title: "Data" },
  { id: "prompt", title: "Prompt" },
  { id: "model", title: "Model" },
  { id: "access", title: "Access" },
  { id: "submit", title: "Submit" },
  { id: "jobs", title: "Jobs" },
  { id: "results", title: "Results" },
];

/** What the wizard knows so far. */
export interface WizardState {
  connected: boolean;
  sheetPath: string | null;
  template: string;
  model: string;
}

/** Why a step cannot be entered yet, or null when it can. */
export function blockedReason(step: StepId, state: WizardState): string | null {
  if (step === "connect") return null;
  if (!state.connected) return "connect first (or choose the offline sandbox)";
  // The history and the results of earlier runs are there as soon as the app is connected.
  if (step === "data" || step === "jobs" || step === "results") return null;
  if (!state.sheetPath) return "open a sheet first";
  if (step === "prompt") return null;
  if (!state.template.trim()) return "write a prompt template first";
  if (step === "model") return null;
  if (!state.model) return "choose a model first";
  return null;
}
