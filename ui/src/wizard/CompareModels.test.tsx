// The Model step's compare preset: another model, a sample of the first 200 rows, and what it will send.
import { fireEvent, render, screen } from "@testing-library/react";
import { vi } from "vitest";

const backend = vi.hoisted(() => ({
  models: vi.fn(async () => ({ models: [{ id: "a" }, { id: "us.amazon.nova-pro-v1:0", name: "Nova Pro" }], note: null })),
}));
vi.mock("../backend", () => backend);

import type { RowSelection } from "../backend";
import { CompareModels, presetText } from "./CompareModels";

describe("the compare preset", () => {
  it("samples the first 200 rows and says what goes where", () => {
    const onSelection = vi.fn((_s: RowSelection) => undefined);
    const onOther = vi.fn((_m: string) => undefined);
    const { rerender } = render(
      <CompareModels model="a" other="" onOther={onOther} selection={{ kind: "all" }} sheetRows={5000} onSelection={onSelection} answerHasFields />,
    );
    fireEvent.change(screen.getByLabelText("Also send to"), { target: { value: "us.amazon.nova-pro-v1:0" } });
    expect(onOther).toHaveBeenCalledWith("us.amazon.nova-pro-v1:0");
    fireEvent.click(screen.getByLabelText(/only a sample: the first 200 rows/));
    expect(onSelection).toHaveBeenCalledWith({ kind: "first", count: 200 });
    rerender(
      <CompareModels model="a" other="us.amazon.nova-pro-v1:0" onOther={onOther} selection={{ kind: "first", count: 200 }} sheetRows={5000} onSelection={onSelection} answerHasFields />,
    );
    expect(document.getElementById("compare-preset")?.textContent).toBe(`${presetText("a", "us.amazon.nova-pro-v1:0", 200)}.`);
    expect(presetText("a", "b", 200)).toBe("200 rows to a and to b, a run each; compare them in Results once both are fetched");
    // Back to every row.
    fireEvent.click(screen.getByLabelText(/only a sample/));
    expect(onSelection).toHaveBeenLastCalledWith({ kind: "all" });
  });

  it("asks for answer fields first: free text cannot be compared", () => {
    render(
      <CompareModels model="a" other="b" onOther={() => undefined} selection={{ kind: "all" }} sheetRows={10} onSelection={() => undefined} answerHasFields={false} />,
    );
    expect(screen.getByRole("alert").textContent).toContain("define labels or fields in the Prompt step");
  });
});
