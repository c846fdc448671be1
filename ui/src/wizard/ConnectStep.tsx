// Step 1: AWS (the default credential chain) or the offline sandbox.
import { useState } from "react";

import * as backend from "../backend";
import type { ConnectionInfo } from "../backend";

export function ConnectStep({ onConnected }: { onConnected: (info: ConnectionInfo) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<ConnectionInfo | null>(null);

  async function choose(sandbox: boolean) {
    setBusy(true);
    setError(null);
    try {
      const answer = await backend.connect(sandbox);
      setInfo(answer);
      onConnected(answer);
    } catch (e) {
      setError(backend.errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="connect-title">
      <h2 id="connect-title">Connect</h2>
      <p>Use your AWS credentials (profile, SSO or environment), or try everything offline in the sandbox.</p>
      <div className="actions">
        <button id="connect-aws" disabled={busy} onClick={() => choose(false)}>Use my AWS account</button>
        <button id="connect-sandbox" className="secondary" disabled={busy} onClick={() => choose(true)}>
          Use the offline sandbox
        </button>
      </div>
      {info && (
        <p id="connection-status" role="status">
          {info.sandbox
            ? `Offline sandbox: a simulation with a stand-in model${info.reason && info.reason !== "chosen" ? ` (${info.reason})` : ""}.`
            : `Connected to account ${info.account} as ${info.caller}.`}
        </p>
      )}
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
