// The job's service role and S3 locations, shared by the Access and Submit steps, with S3 browsing.
import { useState } from "react";

import type { TargetChoices } from "../backend";
import { S3Browser } from "./S3Browser";

/** The job's role and S3 locations as typed (the remembered choices' type). */
export type JobTarget = TargetChoices;

export function TargetFields({ sandbox, target, onTarget }: { sandbox: boolean; target: JobTarget; onTarget: (t: JobTarget) => void }) {
  const hint = (value: string) => (sandbox ? `sandbox default: ${value}` : "");
  const [browsing, setBrowsing] = useState<"inputUri" | "outputUri" | null>(null);
  return (
    <>
    <div className="form-grid">
      <label>
        Service role ARN
        <input id="role-arn" value={target.roleArn} placeholder={hint("BedrockBatchSandboxRole") || "arn:aws:iam::123456789012:role/BedrockBatchRole"} onChange={(e) => onTarget({ ...target, roleArn: e.target.value.trim() })} />
      </label>
      <label>
        Input S3 location
        <span className="with-button">
          <input id="input-uri" value={target.inputUri} placeholder={hint("s3://sandbox-input/batch") || "s3://my-bucket/batch-input/"} onChange={(e) => onTarget({ ...target, inputUri: e.target.value.trim() })} />
          <button type="button" id="browse-input" className="secondary" onClick={() => setBrowsing("inputUri")}>Browse…</button>
        </span>
      </label>
      <label>
        Output S3 location
        <span className="with-button">
          <input id="output-uri" value={target.outputUri} placeholder={hint("s3://sandbox-output/results") || "s3://my-bucket/batch-output/"} onChange={(e) => onTarget({ ...target, outputUri: e.target.value.trim() })} />
          <button type="button" id="browse-output" className="secondary" onClick={() => setBrowsing("outputUri")}>Browse…</button>
        </span>
      </label>
    </div>
    {browsing && (
      <S3Browser
        start={target[browsing]}
        onChoose={(location) => {
          onTarget({ ...target, [browsing]: location });
          setBrowsing(null);
        }}
        onClose={() => setBrowsing(null)}
      />
    )}
    </>
  );
}
