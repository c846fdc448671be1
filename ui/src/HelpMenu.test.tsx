// Help in the header: Copy diagnostics puts Rust's text on the clipboard (or shows it to copy by hand); About
// shows the version, the licence and where the data and the log live.
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { vi } from "vitest";

const backend = vi.hoisted(() => ({
  diagnostics: vi.fn(async () => "Bedrock Batch Studio 0.1.0 (MIT OR Apache-2.0)\nConnection: offline sandbox (region us-east-1)\n"),
  errorText: (e: unknown) => String(e),
}));
vi.mock("./backend", () => backend);

import { HelpMenu } from "./HelpMenu";

const info = {
  version: "0.1.0", licence: "MIT OR Apache-2.0", prices_as_of: "2026-11-21", priced_models: 20,
  home: "/home/ana/.local/share/bedrock-batch", log_file: "/home/ana/.local/state/bedrock-batch/logs/studio.2026-12-03.log",
};

describe("the Help menu", () => {
  it("copies the diagnostics Rust writes and says so", async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    render(<HelpMenu info={info} />);
    fireEvent.click(screen.getByRole("button", { name: "Help" }));
    fireEvent.click(screen.getByRole("menuitem", { name: "Copy diagnostics" }));
    await waitFor(() => expect(screen.getByText(/Copied to the clipboard/)).toBeTruthy());
    expect(writeText).toHaveBeenCalledWith(expect.stringContaining("Connection: offline sandbox"));
    expect((screen.getByRole("textbox") as HTMLTextAreaElement).value).toContain("Bedrock Batch Studio 0.1.0");
  });

  it("shows the text to copy by hand when the clipboard refuses", async () => {
    const writeText = vi.fn(async () => { throw new Error("denied"); });
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    document.execCommand = vi.fn(() => false);
    render(<HelpMenu info={info} />);
    fireEvent.click(screen.getByRole("button", { name: "Help" }));
    fireEvent.click(screen.getByRole("menuitem", { name: "Copy diagnostics" }));
    await waitFor(() => expect(screen.getByText(/select the text below and copy it/)).toBeTruthy());
    expect((screen.getByRole("textbox") as HTMLTextAreaElement).value).toContain("MIT OR Apache-2.0");
  });

  it("says in About which version this is, its licence and where the data and the log are", () => {
    render(<HelpMenu info={info} />);
    fireEvent.click(screen.getByRole("button", { name: "Help" }));
    fireEvent.click(screen.getByRole("menuitem", { name: "About" }));
    const about = screen.getByRole("dialog", { name: "About" });
    expect(about.textContent).toContain("0.1.0");
    expect(about.textContent).toContain("MIT OR Apache-2.0");
    expect(about.textContent).toContain("/home/ana/.local/share/bedrock-batch");
    expect(about.textContent).toContain("studio.2026-12-03.log");
    expect(screen.queryByRole("menu")).toBeNull();
  });
});
