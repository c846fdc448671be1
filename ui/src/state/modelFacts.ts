// What Rust knows of the chosen model (family, context window, default invocation), asked once per model;
// null while it is asked or when the id is no model's.
import { useEffect, useState } from "react";

import * as backend from "../backend";
import type { ModelFacts } from "../backend";

/** The facts of `model`, or null. */
export function useModelFacts(model: string): ModelFacts | null {
  const [facts, setFacts] = useState<ModelFacts | null>(null);
  useEffect(() => {
    let alive = true;
    backend
      .modelFacts(model)
      .then((found) => alive && setFacts(found))
      .catch(() => alive && setFacts(null));
    return () => {
      alive = false;
    };
  }, [model]);
  return facts;
}
