import { describe, expect, it } from "vitest";

import { definitionNameError, instanceNameError, locationNameError } from "./names";

describe("names", () => {
  it("are checked with the API's patterns, in the designer's words", () => {
    expect(locationNameError("orders_2", [])).toBeNull();
    expect(locationNameError("Orders", [])).toBe("Use lower-case letters, digits and _, starting with a letter.");
    expect(locationNameError("_orders", [])).toBe("Use lower-case letters, digits and _, starting with a letter.");
    expect(locationNameError("a".repeat(63), [])).toBeNull();
    expect(locationNameError("a".repeat(64), [])).toBe("Use at most 63 characters.");
    expect(locationNameError("orders", ["orders"])).toBe("A location named orders exists already.");
    expect(instanceNameError("shop/sync", [])).toBe("Use lower-case letters, digits and _, starting with a letter.");
    expect(definitionNameError("Nightly_2", [])).toBeNull();
    expect(definitionNameError("2nightly", [])).toBe("Use letters, digits and _, not starting with a digit.");
  });
});
