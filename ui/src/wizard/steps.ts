// The wizard's steps and when each may be entered.

export type StepId = "connect" | "data" | "prompt" | "model" | "access" | "submit" | "jobs" | "results";

export interface Step {
  id: StepId;
  title: string;
  /** Built in this version; the others are listed so the whole path is visible. */
  ready: boolean;
}

export const STEPS: Step[] = [
  { id: "connect", title: "Connect", ready: true },
  { id: "data", title: "Data", ready: true },
  { id: "prompt", title: "Prompt", ready: true },
  { id: "model", title: "Model", ready: true },
  { id: "access", title: "Access", ready: false },
  { id: "submit", title: "Submit", ready: false },
  { id: "jobs", title: "Jobs", ready: false },
  { id: "results", title: "Results", ready: false },
];

/** What the wizard knows so far. */
export interface WizardState {
  connected: boolean;
  sheetPath: string | null;
  template: string;
}

/** Why a step cannot be entered yet, or null when it can. */
export function blockedReason(step: StepId, state: WizardState): string | null {
  const found = STEPS.find((s) => s.id === step);
  if (!found?.ready) return "coming in a later version";
  if (step === "connect") return null;
  if (!state.connected) return "connect first (or choose the offline sandbox)";
  if (step === "data") return null;
  if (!state.sheetPath) return "open a sheet first";
  if (step === "prompt") return null;
  if (!state.template.trim()) return "write a prompt template first";
  return null;
}
