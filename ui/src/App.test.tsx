// The wizard with the backend faked: connect to the sandbox, open a sheet, write a template.
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { vi } from "vitest";

const backend = vi.hoisted(() => ({
  appInfo: vi.fn(async () => ({ version: "0.1.0", prices_as_of: "2026-11-21", priced_models: 20, home: "/h" })),
  profiles: vi.fn(async () => [{ name: "analyst", region: "eu-west-1", sso: true, signed_in: false, hint: "the SSO sign-in expired: run `aws sso login --profile analyst`, then connect again" }]),
  connect: vi.fn(async () => ({ sandbox: true, caller: "arn:aws:iam::000000000000:user/sandbox", account: "000000000000", region: "us-east-1", profile: null, reason: "no AWS credentials found" })),
  loadChoices: vi.fn(async () => ({ maxTokens: 300 })),
  rememberChoices: vi.fn(async () => undefined),
  onRunEnded: vi.fn(async () => () => undefined),
  onRunEvent: vi.fn(async () => () => undefined),
  onRunBytes: vi.fn(async () => () => undefined),
  onFileDrop: vi.fn(async () => () => undefined),
  onSheetProgress: vi.fn(async () => () => undefined),
  cancelOpenSheet: vi.fn(async () => undefined),
  jobPlan: vi.fn(async (_model: string, rows: number) => ({ parts: [rows], most_records: 100_000, least_records: 100, defaults: "not connected" })),
  sendWays: vi.fn(async (_model: string, rows: number) => ({
    // The sandbox's three rows are enough for a batch job here (the Submit step's own tests cover the minimum).
    rows, batch_minimum: 1, batch_possible: true, flex_offered: false, suggested: "batch",
    estimates: [{ tier: "batch", rows, input_tokens: rows, max_output_tokens: rows, input_usd: 0.001, most_usd: 0.01 }],
  })),
  openSheet: vi.fn(async (path: string) => ({
    meta: { path, format: "csv", sheet: null, delimiter: 44, headers: ["id", "review"] },
    sheets: [],
    rows: 3,
    columns: [
      { name: "id", kind: "number", empty_cells: 0 },
      { name: "review", kind: "text", empty_cells: 1 },
    ],
  })),
  sheetRows: vi.fn(async () => [["1", "great"], ["2", ""], ["3", "bad"]]),
  promptTotals: vi.fn(async () => ({ rows: 3, total_tokens: 15, min_row_tokens: 4, max_row_tokens: 6, columns_used: ["review"] })),
  pickSheet: vi.fn(async () => null),
  modelFacts: vi.fn(async () => ({ family: "amazon_nova", context_tokens: 300000, embedding: false, default_invocation: "Converse" as const, lifecycle_notice: null as string | null, route_notice: null as string | null })),
  // Rust's analysis, faked for the plain `{{name}}` placeholders these tests type.
  analyzeTemplate: vi.fn(async (template: string) => {
    const headers = ["id", "review"];
    const pieces = template.split(/(\{\{[^}]*\}\})/).filter((t) => t).map((text) => {
      const name = /^\{\{(.*)\}\}$/.exec(text)?.[1].trim();
      return { text, kind: name === undefined ? "text" : headers.includes(name) ? "column" : "unknown" };
    });
    const names = pieces.filter((p) => p.kind !== "text").map((p) => p.text.slice(2, -2).trim());
    const unknown = names.filter((n) => !headers.includes(n)).map((name) => ({ name, suggestion: null }));
    return { prompt: { pieces, columns: names.filter((n) => headers.includes(n)), unknown, error: null }, system: null };
  }),
  answerPreview: vi.fn(async () => ({ schema: null, columns: [], delivery: null, how: null, problem: null })),
  renderRow: vi.fn(async (template: string) => ({ row: 1, prompt: template.replace("{{review}}", "great"), system: null, tokens: 5 })),
  models: vi.fn(async () => ({
    models: [
      { id: "amazon.nova-lite-v1:0", name: "Nova Lite", provider: "Amazon", profile: false, lifecycle: "ACTIVE", batch_priced: true },
      { id: "us.amazon.nova-lite-v1:0", name: "US Nova Lite", provider: "", profile: true, lifecycle: "ACTIVE", batch_priced: true },
    ],
    note: null,
  })),
  testRow: vi.fn(async () => ({
    row: 1, prompt: "p", system: null, sandbox: true,
    answer: { answer: "positive: sandbox answer 00ff", input_tokens: 12, output_tokens: 5, stop_reason: "end_turn", latency_ms: 3, on_demand_usd: 0.00001 },
  })),
  estimate: vi.fn(async (_m: string, input: number, rows: number, max: number) => ({
    input_tokens: input, max_output_tokens: rows * max, batch_usd: 0.5, on_demand_usd: 1.0, batch_input_usd: 0.001,
    price: null, prices_as_of: "2026-11-21",
  })),
  errorText: (e: unknown) => String(e),
}));
vi.mock("./backend", () => backend);

import { App } from "./App";
import { resolvedTheme } from "./state/choices";

describe("the wizard", () => {
  it("labels the sandbox, opens a sheet and previews a prompt", async () => {
    render(<App />);
    // Without credentials, the launch opens the offline sandbox and says why.
    await screen.findByText(/SANDBOX/);
    expect(screen.getByText(/Offline sandbox: .*no AWS credentials found/)).toBeTruthy();
    expect(document.querySelector("#aws-sign-in-hint")?.textContent).toMatch(/aws configure.*aws sso login --profile NAME/);
    expect((screen.getByRole("button", { name: /Data/ }) as HTMLButtonElement).disabled).toBe(false);
    fireEvent.change(await screen.findByLabelText("AWS profile"), { target: { value: "analyst" } });
    expect(screen.getByText(/aws sso login --profile analyst/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Use the offline sandbox" }));
    await screen.findByLabelText("Sheet path");
    fireEvent.change(screen.getByLabelText("Sheet path"), { target: { value: "/data/reviews.csv" } });
    fireEvent.click(screen.getByRole("button", { name: "Load" }));
    await screen.findByText(/3 rows · 2 columns · CSV/);
    expect(screen.getByText(/1 empty/)).toBeTruthy();
    await waitFor(() => expect(screen.getAllByRole("gridcell").some((c) => c.textContent === "great")).toBe(true));
    // The context window the longest prompt is checked against is Rust's figure for the chosen model.
    backend.modelFacts.mockResolvedValueOnce({ family: "amazon_nova", context_tokens: 5, embedding: false, default_invocation: "Converse", lifecycle_notice: null, route_notice: null });
    fireEvent.click(screen.getByRole("button", { name: /Prompt/ }));
    fireEvent.change(screen.getByLabelText(/Template/), { target: { value: "Summarise: {{review}} {{nope}}" } });
    await screen.findByText(/"nope" is not a column of the sheet; pick one of: id, review/);
    expect(backend.analyzeTemplate).toHaveBeenLastCalledWith("Summarise: {{review}} {{nope}}", null);
    expect(document.querySelector("#template-highlight mark.unknown")?.textContent).toBe("{{nope}}");
    expect(screen.getByText(/1 row has an empty review/)).toBeTruthy();
    await screen.findByText("Summarise: great {{nope}}", {}, { timeout: 2000 });
    // The editor completes a column after "{{".
    const editor = screen.getByLabelText(/Template/) as HTMLTextAreaElement;
    fireEvent.change(editor, { target: { value: "Rate {{rev", selectionStart: 10 } });
    fireEvent.keyDown(editor, { key: "Enter" });
    expect(editor.value).toBe("Rate {{review}}");
    // The row renders first (from the cache); the estimate over every row follows.
    await screen.findByText(/~15 for all 3 rows/, {}, { timeout: 2000 });
    expect(screen.getByText(/the longest prompt is ~6 tokens, over the model's 5-token context/)).toBeTruthy();
    expect(backend.modelFacts).toHaveBeenCalledTimes(1);
    // An estimate that fails says so where the estimate would be.
    backend.promptTotals.mockRejectedValueOnce("/data/reviews.csv: the file is gone; open it again" as never);
    fireEvent.change(editor, { target: { value: "Rate {{review}}!", selectionStart: 16 } });
    await screen.findByText(/all rows could not be estimated: .*the file is gone/, {}, { timeout: 2000 });
    // The Model step says what Rust says of the model's lifecycle, where it is chosen.
    backend.modelFacts.mockResolvedValueOnce({
      family: "anthropic_claude", context_tokens: 200000, embedding: false, default_invocation: "Converse",
      lifecycle_notice: "anthropic.claude-3-haiku-20240307-v1:0 reached its end of life on 2026-09-10", route_notice: null,
    });
    fireEvent.click(screen.getByRole("button", { name: /Model/ }));
    expect((await screen.findByRole("alert")).textContent).toContain("end of life on 2026-09-10");
    await screen.findByRole("option", { name: "amazon.nova-lite-v1:0 — Nova Lite" });
    // A profile-only model's own id is answered with Rust's notice and the way out.
    backend.modelFacts.mockResolvedValueOnce({
      family: "amazon_nova", context_tokens: 300000, embedding: false, default_invocation: "Converse", lifecycle_notice: null,
      route_notice: "Nova Lite runs batch jobs only through a cross-Region inference profile, such as us.amazon.nova-lite-v1:0",
    });
    fireEvent.change(screen.getByLabelText(/Model or inference profile/), { target: { value: "amazon.nova-lite-v1:0" } });
    await screen.findByText(/only through a cross-Region inference profile, such as us\.amazon\.nova-lite-v1:0: choose the profile/);
    await screen.findByText(/Batch: \$0\.0010 – \$0\.50 for 3 rows .*max 300 tokens.* on-demand would be up to \$1\.00/);
    fireEvent.click(screen.getByRole("button", { name: /Test row 1 now/ }));
    await screen.findByText("positive: sandbox answer 00ff");
    expect(screen.getByText(/12 input \+ 5 output tokens · stopped: end_turn/)).toBeTruthy();
  });

  it("draws the chosen theme, remembers it and restores it at the next launch", async () => {
    const first = render(<App />);
    await screen.findByText(/SANDBOX/);
    expect(document.documentElement.dataset.theme).toBe("light");
    fireEvent.change(screen.getByLabelText("Theme"), { target: { value: "dark" } });
    expect(document.documentElement.dataset.theme).toBe("dark");
    await waitFor(() => expect(backend.rememberChoices).toHaveBeenCalledWith(expect.objectContaining({ theme: "dark" })), { timeout: 2000 });
    first.unmount();

    backend.loadChoices.mockResolvedValueOnce({ maxTokens: 300, theme: "dark" } as never);
    document.documentElement.dataset.theme = "";
    render(<App />);
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("dark"));
    expect((screen.getByLabelText("Theme") as HTMLSelectElement).value).toBe("dark");
  });
});

describe("the theme", () => {
  it("follows the system only when the choice is the system's", () => {
    expect(resolvedTheme("system", true)).toBe("dark");
    expect(resolvedTheme("system", false)).toBe("light");
    expect(resolvedTheme("light", true)).toBe("light");
    expect(resolvedTheme("dark", false)).toBe("dark");
  });
});
