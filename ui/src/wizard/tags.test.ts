import { describe, expect, it } from "vitest";

import { parseTags } from "./tags";

describe("parseTags", () => {
  it("reads key=value lines and skips blank ones", () => {
    expect(parseTags("team = data\n\ncost-center=42=b\n")).toEqual({ tags: [["team", "data"], ["cost-center", "42=b"]] });
  });
  it("names the first bad line", () => {
    expect(parseTags("a=1\nnovalue\n=x")).toEqual({ error: "tag line 2 (novalue): write key=value" });
  });
});
