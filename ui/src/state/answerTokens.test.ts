// The schema's tokens per record, asked of Rust for a shaped answer and a model; none for free text.
import { renderHook, waitFor } from "@testing-library/react";
import { vi } from "vitest";

const backend = vi.hoisted(() => ({
  answerPreview: vi.fn(async (_shape: unknown, model: string) => ({
    schema: "{}", columns: [], delivery: "instruction", how: "", problem: model === "bad" ? "no" : null, tokens_per_record: 72,
  })),
}));
vi.mock("../backend", () => backend);

import type { AnswerShape } from "../backend";
import { useAnswerTokens } from "./answerTokens";

const labels: AnswerShape = { shape: "classify", labels: ["a", "b"], multi: false, other: false } as AnswerShape;

describe("the answer's tokens per record", () => {
  it("are Rust's estimate for a shaped answer, and none for free text, no model or a shape that cannot run", async () => {
    const { result, rerender } = renderHook(({ answer, model }) => useAnswerTokens(answer, model, null), {
      initialProps: { answer: labels, model: "amazon.nova-lite-v1:0" },
    });
    await waitFor(() => expect(result.current).toBe(72));
    expect(backend.answerPreview).toHaveBeenCalledWith(labels, "amazon.nova-lite-v1:0", null);
    rerender({ answer: labels, model: "bad" });
    await waitFor(() => expect(result.current).toBe(0));
    rerender({ answer: labels, model: "amazon.nova-lite-v1:0" });
    await waitFor(() => expect(result.current).toBe(72));
    rerender({ answer: { shape: "free_text" } as AnswerShape, model: "amazon.nova-lite-v1:0" });
    await waitFor(() => expect(result.current).toBe(0));
  });
});
