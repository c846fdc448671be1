// Step 5: the access check as a checklist — status, plain reason, deciding statement, a copyable fix — for
// the role and S3 locations of the job; live from AWS, or over pasted policies (always in the sandbox).
import { useState } from "react";

import * as backend from "../backend";
import type { AccessDocuments, AccessView, CheckStatus } from "../backend";
import { type JobTarget, TargetFields } from "./TargetFields";

export interface AccessStepProps {
  sandbox: boolean;
  model: string;
  target: JobTarget;
  onTarget: (target: JobTarget) => void;
}

const ICONS: Record<CheckStatus, string> = { pass: "✔", fail: "✖", warn: "⚠", unknown: "?" };
const LABELS: Record<CheckStatus, string> = { pass: "passes", fail: "fails", warn: "warning", unknown: "cannot be decided" };

/** Copies text to the clipboard (the Clipboard API, else a hidden textarea). */
async function copy(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}

export function AccessStep({ sandbox, model, target, onTarget }: AccessStepProps) {
  const [pasting, setPasting] = useState(sandbox);
  const [documents, setDocuments] = useState<AccessDocuments>({ trust: "", role: "", caller: "" });
  const [view, setView] = useState<AccessView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);

  async function check() {
    setBusy(true);
    setError(null);
    try {
      const answer = await backend.checkAccess({
        role_arn: target.roleArn || null,
        input_uri: target.inputUri || null,
        output_uri: target.outputUri || null,
        model,
        documents: pasting ? documents : null,
      });
      setView(answer);
    } catch (e) {
      setError(backend.errorText(e));
      setView(null);
    } finally {
      setBusy(false);
    }
  }

  async function startFromFixes() {
    if (view) {
      setDocuments(view.fixes);
      return;
    }
    // Ask once with an empty trust document to learn the generated policies for this job.
    try {
      const answer = await backend.checkAccess({ role_arn: target.roleArn || null, input_uri: target.inputUri || null, output_uri: target.outputUri || null, model, documents: { trust: '{"Statement": []}', role: "", caller: "" } });
      setDocuments(answer.fixes);
    } catch (e) {
      setError(backend.errorText(e));
    }
  }

  return (
    <section aria-labelledby="access-title">
      <h2 id="access-title">Access</h2>
      <p>
        Checks that Bedrock may assume the service role, that the role may read the input and write the output, and
        that you may pass the role and create the job.
      </p>
      <TargetFields sandbox={sandbox} target={target} onTarget={onTarget} />
      {!sandbox && (
        <label className="inline">
          <input type="checkbox" checked={pasting} onChange={(e) => setPasting(e.target.checked)} /> check pasted policy documents instead of reading them from the account
        </label>
      )}
      {pasting && (
        <div className="documents">
          <p className="muted">
            {sandbox ? "The sandbox has no IAM: paste the policies you plan to use (or start from the generated ones) and check them as AWS would." : "Paste the documents to check."}{" "}
            <button type="button" className="link" id="use-fixes" onClick={() => void startFromFixes()}>Start from the generated least-privilege policies</button>
          </p>
          <label>
            Role trust policy
            <textarea id="trust-policy" rows={6} spellCheck={false} value={documents.trust} onChange={(e) => setDocuments({ ...documents, trust: e.target.value })} />
          </label>
          <label>
            Role permission policy
            <textarea id="role-policy" rows={6} spellCheck={false} value={documents.role} onChange={(e) => setDocuments({ ...documents, role: e.target.value })} />
          </label>
          <label>
            Your (the caller's) policy
            <textarea id="caller-policy" rows={6} spellCheck={false} value={documents.caller} onChange={(e) => setDocuments({ ...documents, caller: e.target.value })} />
          </label>
        </div>
      )}
      <div className="actions">
        <button id="check-access" disabled={busy || !model} onClick={() => void check()}>{view ? "Check again" : "Check access"}</button>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {view && (
        <>
          <p id="access-verdict" role="status" className={`verdict ${view.report.verdict}`}>
            {view.report.verdict === "pass" ? "Everything needed is allowed." : view.report.verdict === "fail" ? "Something will stop this job: see the failing checks." : "Nothing fails, but some checks warn or cannot be decided."}
          </p>
          {view.notes.map((n) => <p key={n} className="muted">{n}</p>)}
          <ul id="access-checks" className="checklist" aria-label="Access checks">
            {view.report.checks.map((c) => (
              <li key={c.id} className={c.status} data-check={c.id}>
                <span className="icon" role="img" aria-label={LABELS[c.status]}>{ICONS[c.status]}</span>
                <div>
                  <strong>{c.summary}</strong> <code className="muted">{c.id}</code>
                  {c.detail && <p className="detail">{c.detail}</p>}
                  {c.aws_simulator && <p className="muted">AWS policy simulator: {c.aws_simulator}</p>}
                  {c.fix && (
                    <details>
                      <summary>Fix</summary>
                      <pre className="fix">{c.fix}</pre>
                      <button type="button" className="secondary" onClick={() => void copy(c.fix ?? "").then(() => setCopied(c.id))}>
                        {copied === c.id ? "Copied" : "Copy fix"}
                      </button>
                    </details>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
