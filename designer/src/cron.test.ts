import { describe, expect, it } from "vitest";

import { cronError, cronFields, describeCron, formatRun, nextRuns } from "./cron";

describe("cron builder", () => {
  it("accepts five fields only", () => {
    expect(cronFields("0 6 * * 1-5")).toEqual(["0", "6", "*", "*", "1-5"]);
    expect(cronError("0 0 6 * * 1-5")).toMatch(/five fields/);
    expect(cronError("61 6 * * *")).toMatch(/Not a valid cron/);
    expect(cronError("0 6 * * 1-5")).toBeNull();
  });

  it("describes and lists the next five runs in the schedule's time zone", () => {
    expect(describeCron("0 6 * * 1-5")).toBe("At 06:00, Monday through Friday");
    const monday = new Date("2026-01-05T12:00:00Z");
    const runs = nextRuns("0 6 * * 1-5", "UTC", 5, monday).map((date) => date.toISOString());
    expect(runs).toEqual([
      "2026-01-06T06:00:00.000Z",
      "2026-01-07T06:00:00.000Z",
      "2026-01-08T06:00:00.000Z",
      "2026-01-09T06:00:00.000Z",
      "2026-01-12T06:00:00.000Z",
    ]);
    expect(nextRuns("0 6 * * *", "Europe/Berlin", 1, monday)[0].toISOString()).toBe("2026-01-06T05:00:00.000Z");
    expect(formatRun(new Date("2026-01-06T06:00:00Z"), "UTC")).toBe("Tuesday 6 January 2026 at 06:00 UTC");
    expect(nextRuns("nope", "UTC")).toEqual([]);
  });
});
