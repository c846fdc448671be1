// The notice shown when a run ends (or is stopped), wherever the analyst is in the wizard; it stays 15 s
// unless dismissed.
import { useEffect, useState } from "react";

import * as backend from "../backend";
import type { RunOutcome } from "../backend";
import { grouped } from "../format";
import { CHECK_STATUSES } from "../results/charts";

/** The notice's text for a run's end. */
export function noticeText(outcome: RunOutcome): string {
  const counts = outcome.counts;
  const more = outcome.notice ? ` ${outcome.notice[0].toUpperCase()}${outcome.notice.slice(1)}.` : "";
  // The answer checks' counts, when the run had an answer shape and some answers fell short of it.
  const checks = counts ? CHECK_STATUSES.filter((s) => counts[s] > 0).map((s) => `, ${grouped(counts[s])} ${s}`).join("") : "";
  return counts
    ? `${outcome.job_name} ${outcome.stopped ? "stopped" : "ended"}: ${grouped(counts.succeeded)} succeeded, ${grouped(counts.failed)} failed, ${grouped(counts.missing)} missing${checks}.${more}`
    : `${outcome.job_name} stopped: ${outcome.error ?? "see Jobs"}`;
}

/** The current notice (null when none) and how to dismiss it. */
export function useRunNotice(): [string | null, () => void] {
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    const ended = backend.onRunEnded((outcome) => setNotice(noticeText(outcome)));
    return () => void ended.then((stop) => stop()).catch(() => undefined);
  }, []);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 15_000);
    return () => clearTimeout(timer);
  }, [notice]);

  return [notice, () => setNotice(null)];
}
