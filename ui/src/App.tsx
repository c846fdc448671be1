// The wizard: a header that always says whether this is a simulation, the steps, and the current step.
import { useEffect, useState } from "react";

import * as backend from "./backend";
import type { AppInfo, ConnectionInfo, SheetSummary } from "./backend";
import { ConnectStep } from "./wizard/ConnectStep";
import { DataStep } from "./wizard/DataStep";
import { ModelStep } from "./wizard/ModelStep";
import { PromptStep } from "./wizard/PromptStep";
import { STEPS, type StepId, blockedReason } from "./wizard/steps";

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [step, setStep] = useState<StepId>("connect");
  const [connection, setConnection] = useState<ConnectionInfo | null>(null);
  const [summary, setSummary] = useState<SheetSummary | null>(null);
  const [row, setRow] = useState(0);
  const [template, setTemplate] = useState("");
  const [system, setSystem] = useState("");
  const [tokens, setTokens] = useState(0);
  const [model, setModel] = useState("");
  const [maxTokens, setMaxTokens] = useState(1024);

  useEffect(() => {
    backend.appInfo().then(setInfo).catch(() => setInfo(null));
  }, []);

  const state = { connected: connection !== null, sheetPath: summary?.meta.path ?? null, template };
  return (
    <div className="app">
      <header>
        <h1>Bedrock Batch Studio</h1>
        {connection?.sandbox && (
          <span id="simulation-badge" className="badge warn" role="note">
            SIMULATION — offline sandbox, stand-in model
          </span>
        )}
        {connection && !connection.sandbox && <span className="badge">AWS {connection.account}</span>}
        <span className="muted version">{info ? `v${info.version} · prices ${info.prices_as_of}` : ""}</span>
      </header>
      <nav aria-label="Steps">
        <ol>
          {STEPS.map((s, index) => {
            const blocked = blockedReason(s.id, state);
            return (
              <li key={s.id}>
                <button
                  id={`step-${s.id}`}
                  aria-current={step === s.id ? "step" : undefined}
                  disabled={blocked !== null}
                  title={blocked ?? s.title}
                  onClick={() => setStep(s.id)}
                >
                  <span className="step-number">{index + 1}</span> {s.title}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>
      <main>
        {step === "connect" && (
          <ConnectStep
            onConnected={(c) => {
              setConnection(c);
              setStep("data");
            }}
          />
        )}
        {step === "data" && (
          <DataStep
            summary={summary}
            onOpened={(s) => {
              setSummary(s);
              setRow(0);
            }}
            selectedRow={row}
            onSelectRow={setRow}
          />
        )}
        {step === "prompt" && summary && (
          <PromptStep
            summary={summary}
            template={template}
            onTemplate={setTemplate}
            system={system}
            onSystem={setSystem}
            row={row}
            onTokens={setTokens}
          />
        )}
        {step === "model" && summary && (
          <ModelStep
            model={model}
            onModel={setModel}
            maxTokens={maxTokens}
            onMaxTokens={setMaxTokens}
            inputTokens={tokens}
            rows={summary.rows}
          />
        )}
      </main>
    </div>
  );
}
