import { describe, expect, it } from "vitest";

import { parseRoute, routeHash } from "./pageRoute";

describe("page routes", () => {
  it("reads the section and the template the editor shows", () => {
    expect(parseRoute("#/pipelines")).toEqual({ section: "pipelines", template: null });
    expect(parseRoute("#/pipelines/entities")).toEqual({ section: "entities", template: null });
    expect(parseRoute("#/pipelines/templates/new")).toEqual({ section: "templates", template: "new" });
    expect(parseRoute("#/pipelines/templates/12")).toEqual({ section: "templates", template: 12 });
    expect(parseRoute("#/pipelines/templates/x")).toEqual({ section: "templates", template: null });
    expect(parseRoute("#/pipelines/nothing")).toEqual({ section: "pipelines", template: null });
  });

  it("writes hashes that read back", () => {
    for (const [section, template] of [["pipelines", null], ["artifacts", null], ["templates", "new"], ["templates", 7]] as const) {
      expect(parseRoute(routeHash(section, template))).toEqual({ section, template });
    }
    expect(routeHash("templates", 3)).toBe("#/pipelines/templates/3");
  });
});
