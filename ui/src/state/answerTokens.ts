// The input tokens the answer's schema adds to every record for the chosen model, as Rust estimates them (0 for
// free text, without a model, or while it is asked): the Model and Submit steps count them in the cost.
import { useEffect, useState } from "react";

import * as backend from "../backend";
import type { AnswerShape, InvocationChoice } from "../backend";

/** The schema's tokens per record of `answer` sent to `model`. */
export function useAnswerTokens(answer: AnswerShape, model: string, invocation: InvocationChoice | null): number {
  const [tokens, setTokens] = useState(0);
  useEffect(() => {
    if (answer.shape === "free_text" || !model) return setTokens(0);
    let alive = true;
    backend
      .answerPreview(answer, model, invocation)
      .then((preview) => alive && setTokens(preview.problem ? 0 : preview.tokens_per_record))
      .catch(() => alive && setTokens(0));
    return () => {
      alive = false;
    };
  }, [answer, model, invocation]);
  return tokens;
}
