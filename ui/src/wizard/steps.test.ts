import { blockedReason } from "./steps";

describe("blockedReason", () => {
  const start = { connected: false, sheetPath: null, template: "", model: "" };
  it("walks the steps in order", () => {
    expect(blockedReason("connect", start)).toBeNull();
    expect(blockedReason("data", start)).toMatch(/connect/);
    expect(blockedReason("data", { ...start, connected: true })).toBeNull();
    expect(blockedReason("prompt", { ...start, connected: true })).toMatch(/sheet/);
    expect(blockedReason("prompt", { ...start, connected: true, sheetPath: "/a.csv" })).toBeNull();
  });
  it("asks for a template before the model, and a model before access and submit", () => {
    const ready = { connected: true, sheetPath: "/a.csv", template: "", model: "" };
    expect(blockedReason("model", ready)).toMatch(/template/);
    expect(blockedReason("model", { ...ready, template: "{{a}}" })).toBeNull();
    expect(blockedReason("access", { ...ready, template: "{{a}}" })).toMatch(/model/);
    expect(blockedReason("submit", { ...ready, template: "{{a}}", model: "m" })).toBeNull();
  });
  it("opens jobs and results once connected, without a sheet", () => {
    expect(blockedReason("results", start)).toMatch(/connect/);
    expect(blockedReason("jobs", { ...start, connected: true })).toBeNull();
    expect(blockedReason("results", { ...start, connected: true })).toBeNull();
  });
});
