// What a retry changes: only what differs from the run's own is sent, described in words.
import { changesText, revisionOf } from "./RetryChanges";

const asked = { model_id: "amazon.nova-lite-v1:0", max_tokens: 50, template: "Rate {{review}}" };

describe("a retry's changes", () => {
  it("keeps only what differs from what the run asked", () => {
    expect(revisionOf(asked, "amazon.nova-lite-v1:0", "50", "Rate {{review}}")).toEqual({ model: null, max_tokens: null, template: null });
    expect(revisionOf(asked, " amazon.nova-pro-v1:0 ", "2048", "Label {{review}}")).toEqual({
      model: "amazon.nova-pro-v1:0",
      max_tokens: 2048,
      template: "Label {{review}}",
    });
    // Blank or nonsense fields change nothing.
    expect(revisionOf(asked, "", "0", "  ")).toEqual({ model: null, max_tokens: null, template: null });
  });

  it("says what changes", () => {
    expect(changesText({ model: null, max_tokens: null, template: null })).toBe("");
    expect(changesText({ model: "m", max_tokens: 2048, template: "t" })).toBe("model m, 2,048 answer tokens, a changed template");
  });
});
