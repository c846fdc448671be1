// Step 1: an AWS profile (with its SSO sign-in state) and region, or the offline sandbox.
import { useEffect, useState } from "react";

import * as backend from "../backend";
import type { ConnectionInfo, ProfileInfo } from "../backend";

export interface ConnectStepProps {
  /** The connection so far (made automatically at launch), if any. */
  connection: ConnectionInfo | null;
  onConnected: (info: ConnectionInfo) => void;
  profile: string;
  onProfile: (profile: string) => void;
  region: string;
  onRegion: (region: string) => void;
}

export function ConnectStep({ connection, onConnected, profile, onProfile, region, onRegion }: ConnectStepProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [picked, setInfo] = useState<ConnectionInfo | null>(null);
  const info = picked ?? connection;
  const [profiles, setProfiles] = useState<ProfileInfo[]>([]);

  useEffect(() => {
    backend.profiles().then(setProfiles).catch(() => setProfiles([]));
  }, []);

  const chosen = profiles.find((p) => p.name === profile);

  async function choose(sandbox: boolean) {
    setBusy(true);
    setError(null);
    try {
      const answer = await backend.connect(sandbox, sandbox ? null : profile || null, sandbox ? null : region || null);
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
      <p>Use an AWS profile (keys, SSO or the environment), or try everything offline in the sandbox.</p>
      <div className="form-grid">
        <label>
          AWS profile
          <select id="profile" value={profile} onChange={(e) => onProfile(e.target.value)}>
            <option value="">Default chain (environment, default profile)</option>
            {profiles.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
                {p.sso ? (p.signed_in ? " · SSO signed in" : " · SSO sign-in needed") : ""}
                {p.region ? ` · ${p.region}` : ""}
              </option>
            ))}
          </select>
        </label>
        <label>
          Region
          <input id="region" value={region} placeholder={chosen?.region ?? "from the profile, e.g. us-east-1"} onChange={(e) => onRegion(e.target.value.trim())} />
        </label>
      </div>
      {chosen?.hint && <p role="note" className="hint" id="sso-hint">{chosen.hint}</p>}
      <div className="actions">
        <button id="connect-aws" disabled={busy} onClick={() => choose(false)}>Connect to AWS</button>
        <button id="connect-sandbox" className="secondary" disabled={busy} onClick={() => choose(true)}>
          Use the offline sandbox
        </button>
      </div>
      {info && (
        <p id="connection-status" role="status">
          {info.sandbox
            ? `Offline sandbox: local emulators of S3 and Bedrock, answered by the sandbox model${info.reason && info.reason !== "chosen" ? ` (${info.reason})` : ""}.`
            : `Connected to account ${info.account} in ${info.region} as ${info.caller}.`}
        </p>
      )}
      {info?.sandbox && info.reason && info.reason !== "chosen" && (
        <p className="hint" id="aws-sign-in-hint">
          To use AWS: run <code>aws configure</code> (access keys) or <code>aws sso login --profile NAME</code> in a terminal,
          then pick the profile above and choose Connect to AWS.
        </p>
      )}
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
