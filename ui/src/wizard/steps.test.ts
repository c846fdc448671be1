import { blockedReason } from "./steps";

describe("blockedReason", () => {
  const start = { connected: false, sheetPath: null, template: "" };
  it("walks the steps in order", () => {
    expect(blockedReason("connect", start)).toBeNull();
    expect(blockedReason("data", start)).toMatch(/connect/);
    expect(blockedReason("data", { ...start, connected: true })).toBeNull();
    expect(blockedReason("prompt", { ...start, connected: true })).toMatch(/sheet/);
    expect(blockedReason("prompt", { ...start, connected: true, sheetPath: "/a.csv" })).toBeNull();
  });
  it("asks for a template before the model", () => {
    const ready = { connected: true, sheetPath: "/a.csv", template: "" };
    expect(blockedReason("model", ready)).toMatch(/template/);
    expect(blockedReason("model", { ...ready, template: "{{a}}" })).toBeNull();
  });
  it("keeps unbuilt steps closed", () => {
    expect(blockedReason("results", { connected: true, sheetPath: "/a.csv", template: "x" })).toMatch(/later/);
  });
});
