// The wizard: a header that always says whether this is the offline sandbox, the steps, and the current step.
import { useCallback, useEffect, useState } from "react";

import * as backend from "./backend";
import type { AnswerShape, AppInfo, Theme } from "./backend";
import { HelpMenu } from "./HelpMenu";
import { AccessStep } from "./wizard/AccessStep";
import { ConnectStep } from "./wizard/ConnectStep";
import { DataStep } from "./wizard/DataStep";
import { JobsStep } from "./wizard/JobsStep";
import { ModelStep } from "./wizard/ModelStep";
import { PromptStep } from "./wizard/PromptStep";
import { ResultsStep } from "./wizard/ResultsStep";
import { STEPS, type StepId, blockedReason } from "./wizard/steps";
import { SubmitStep } from "./wizard/SubmitStep";
import { useAnswerTokens } from "./state/answerTokens";
import { useChoices } from "./state/choices";
import { useRunNotice } from "./state/runNotice";
import { inputTokensToSend, rowsToSend, useWizard } from "./state/wizard";

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [wizard, change] = useWizard();
  const { step, connection, summary, selection, row, resultsRun, compareWith } = wizard;
  const [notice, dismissNotice] = useRunNotice();
  // At launch: the last choices, then a connection with the last profile — or, without credentials, the
  // offline sandbox (the Connect step says which, and another can be chosen there).
  const connectAtLaunch = useCallback(async (saved: { profile: string; region: string }) => {
    const made = await backend.connect(false, saved.profile || null, saved.region || null);
    change({ kind: "connected_at_launch", connection: made });
  }, [change]);
  const { choices, choose } = useChoices(connectAtLaunch);
  // The answer's shape (free text until the Prompt step says otherwise, remembered like the other choices); it
  // travels with the submitted form.
  const answer: AnswerShape = choices.answer;
  const setAnswer = useCallback((shape: AnswerShape) => choose("answer", shape), [choose]);

  useEffect(() => {
    backend.appInfo().then(setInfo).catch(() => setInfo(null));
  }, []);

  // The rows' input tokens as the jobs will read them: the prompts, and the answer's schema in every record.
  const answerTokens = useAnswerTokens(answer, choices.model, choices.params.invocation);
  const inputTokens = inputTokensToSend(wizard) + answerTokens * rowsToSend(wizard);
  const state = { connected: connection !== null, sheetPath: summary?.meta.path ?? null, template: choices.template, model: choices.model };
  const onTokens = useCallback((total: number) => change({ kind: "tokens", total }), [change]);
  const setRow = useCallback((r: number) => change({ kind: "row", row: r }), [change]);
  const goTo = (s: StepId) => change({ kind: "go", step: s });
  return (
    <div className="app">
      <header>
        <h1>Bedrock Batch Studio</h1>
        {connection?.sandbox && (
          <span id="sandbox-badge" className="badge warn" role="note">
            SANDBOX — offline, answers from the sandbox model
          </span>
        )}
        {connection && !connection.sandbox && <span id="aws-badge" className="badge">AWS {connection.account} · {connection.region}</span>}
        <span className="muted version">{info ? `v${info.version} · prices ${info.prices_as_of}` : ""}</span>
        <select id="theme" className="theme" aria-label="Theme" value={choices.theme} onChange={(e) => choose("theme", e.target.value as Theme)}>
          <option value="system">System theme</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
        <HelpMenu info={info} />
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
                  onClick={() => goTo(s.id)}
                >
                  <span className="step-number">{index + 1}</span> {s.title}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>
      {notice && (
        <div id="toast" role="status" className="toast">
          {notice} <button className="link" onClick={dismissNotice} aria-label="Dismiss">✕</button>
        </div>
      )}
      <main>
        {step === "connect" && (
          <ConnectStep
            connection={connection}
            profile={choices.profile}
            onProfile={(p) => choose("profile", p)}
            region={choices.region}
            onRegion={(r) => choose("region", r)}
            onConnected={(c) => change({ kind: "connected", connection: c, next: "data" })}
          />
        )}
        {step === "data" && (
          <DataStep
            summary={summary}
            onOpened={(s) => change({ kind: "opened", summary: s })}
            selectedRow={row}
            onSelectRow={setRow}
            selection={selection}
            onSelection={(s) => change({ kind: "selection", selection: s })}
          />
        )}
        {step === "prompt" && summary && (
          <PromptStep
            summary={summary}
            template={choices.template}
            onTemplate={(t) => choose("template", t)}
            system={choices.system}
            onSystem={(s) => choose("system", s)}
            row={row}
            onRow={setRow}
            onTokens={onTokens}
            model={choices.model}
            answer={answer}
            onAnswer={setAnswer}
            invocation={choices.params.invocation}
          />
        )}
        {step === "model" && summary && (
          <ModelStep
            model={choices.model}
            onModel={(m) => choose("model", m)}
            maxTokens={choices.maxTokens}
            onMaxTokens={(m) => choose("maxTokens", m)}
            params={choices.params}
            onParams={(p) => choose("params", p)}
            inputTokens={inputTokens}
            rows={rowsToSend(wizard)}
            test={{ row: row + 1, template: choices.template, system: choices.system || null }}
            sheetRows={summary.rows}
            answer={answer}
            compare={{
              other: compareWith[0] ?? "",
              onOther: (m) => change({ kind: "compare_with", models: [m] }),
              selection,
              onSelection: (s) => change({ kind: "selection", selection: s }),
            }}
          />
        )}
        {step === "access" && connection && (
          <AccessStep sandbox={connection.sandbox} model={choices.model} target={choices.target} onTarget={(t) => choose("target", t)} />
        )}
        {/* Kept mounted while another step shows, so an upload in progress and its progress survive. */}
        {connection && summary && (
          <div hidden={step !== "submit"} className={step === "submit" ? "fill" : undefined}>
          <SubmitStep
            sandbox={connection.sandbox}
            target={choices.target}
            onTarget={(t) => choose("target", t)}
            draft={{
              sheet: summary.meta.path,
              worksheet: summary.meta.sheet,
              selection,
              template: choices.template,
              system: choices.system || null,
              model: choices.model,
              invocation: choices.params.invocation,
              max_tokens: choices.maxTokens,
              temperature: choices.params.temperature,
              top_p: choices.params.topP,
              answer,
            }}
            rows={rowsToSend(wizard)}
            inputTokens={inputTokens}
            compareWith={compareWith}
            onSubmitted={() => undefined}
            onOpenJobs={() => goTo("jobs")}
          />
          </div>
        )}
        {step === "jobs" && (
          <JobsStep
            onOpenResults={(run) => change({ kind: "results", run, show: true })}
          />
        )}
        {step === "results" && <ResultsStep run={resultsRun} onRun={(run) => change({ kind: "results", run })} onRetried={() => undefined} />}
      </main>
    </div>
  );
}
