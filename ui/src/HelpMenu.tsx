// Help in the header: "Copy diagnostics" (what to send with a question: version, system, connection, folders,
// recent problems — the text comes from Rust) and "About" (version, licence, where the data and the log live).
import { useState } from "react";

import * as backend from "./backend";
import type { AppInfo } from "./backend";

type Panel = { kind: "diagnostics"; text: string; copied: boolean } | { kind: "about" } | null;

/** Puts `text` on the clipboard; false when the webview allows neither the Clipboard API nor the copy command. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    } finally {
      area.remove();
    }
  }
}

export function HelpMenu({ info }: { info: AppInfo | null }) {
  const [panel, setPanel] = useState<Panel>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // The text is asked for when the menu opens, so the click on "Copy diagnostics" can copy at once: a webview
  // lets a page write the clipboard only while it handles the person's click, not after an await.
  const [ready, setReady] = useState<Promise<string> | null>(null);
  const [text, setText] = useState<string | null>(null);
  const toggle = () => {
    setPanel(null);
    setError(null);
    if (!open) {
      setText(null);
      const asked = backend.diagnostics();
      asked.then(setText, () => undefined);
      setReady(asked);
    }
    setOpen(!open);
  };

  const copyDiagnostics = async () => {
    setOpen(false);
    try {
      const copied = text !== null ? copyText(text) : null;
      const shown = text ?? (await (ready ?? backend.diagnostics()));
      setPanel({ kind: "diagnostics", text: shown, copied: copied !== null ? await copied : await copyText(shown) });
    } catch (e) {
      setError(backend.errorText(e));
    }
  };

  return (
    <div className="help">
      <button id="help-menu" aria-haspopup="menu" aria-expanded={open} onClick={toggle}>
        Help
      </button>
      {open && (
        <div className="help-items" role="menu">
          <button id="copy-diagnostics" role="menuitem" onClick={copyDiagnostics}>
            Copy diagnostics
          </button>
          <button id="about" role="menuitem" onClick={() => { setOpen(false); setPanel({ kind: "about" }); }}>
            About
          </button>
        </div>
      )}
      {error && <div className="help-panel error" role="alert">{error}</div>}
      {panel?.kind === "diagnostics" && (
        <div id="diagnostics-panel" className="help-panel" role="dialog" aria-label="Diagnostics">
          <p id="diagnostics-status">
            {panel.copied
              ? "Copied to the clipboard: paste it into your message. It holds no keys or secrets."
              : "The clipboard is not available here: select the text below and copy it."}
          </p>
          <textarea id="diagnostics-text" readOnly rows={12} value={panel.text} />
          <button id="diagnostics-close" onClick={() => setPanel(null)}>Close</button>
        </div>
      )}
      {panel?.kind === "about" && (
        <div id="about-panel" className="help-panel" role="dialog" aria-label="About">
          <h2>Bedrock Batch Studio</h2>
          {info ? (
            <dl>
              <dt>Version</dt>
              <dd id="about-version">{info.version}</dd>
              <dt>Licence</dt>
              <dd id="about-licence">{info.licence}</dd>
              <dt>Your data</dt>
              <dd id="about-data">{info.home}</dd>
              <dt>Log file</dt>
              <dd id="about-log">{info.log_file ?? "none: the log folder could not be written"}</dd>
              <dt>Prices</dt>
              <dd>as of {info.prices_as_of}, {info.priced_models} models</dd>
            </dl>
          ) : (
            <p>The build's details could not be read.</p>
          )}
          <p className="muted">Removing the app leaves your data where it is.</p>
          <button id="about-close" onClick={() => setPanel(null)}>Close</button>
        </div>
      )}
    </div>
  );
}
