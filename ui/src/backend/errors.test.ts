import { describe, expect, it } from "vitest";

import { errorCode, errorText } from "./errors";

describe("command failures", () => {
  it("read as the message and the fix, with the code to switch on", () => {
    const notConnected = { code: "not_connected", message: "not connected", fix: "choose an AWS profile or the offline sandbox in the Connect step" };
    expect(errorText(notConnected)).toBe("not connected; choose an AWS profile or the offline sandbox in the Connect step");
    expect(errorCode(notConnected)).toBe("not_connected");
    expect(errorText({ code: "invalid_input", message: "row 3: unknown column", fix: null })).toBe("row 3: unknown column");
  });

  it("from anything else read as text with no code", () => {
    expect(errorText("plain")).toBe("plain");
    expect(errorCode("plain")).toBeNull();
    expect(errorText(new Error("bridge down"))).toBe("bridge down");
    expect(errorCode({ message: "no code" })).toBeNull();
  });
});
