import { describe, expect, it } from "vitest";

import type { InstanceReferences } from "./api";
import { referenceLines } from "./references";

const none: InstanceReferences = { assets: [], lineage: [], dbt_sources: [], jobs: [], schedules: [], sensors: [], count: 0 };

describe("referenceLines", () => {
  it("lists nothing for an instance nothing refers to", () => {
    expect(referenceLines(none)).toEqual([]);
  });

  it("names each reference and what the cascade does to it", () => {
    const refs: InstanceReferences = {
      ...none,
      assets: ["raw/a"],
      lineage: [{ source: "raw/a", target: "raw/b", component: "b_sync", action: "remove" }],
      jobs: [
        { path: "nightly", name: "nightly", assets: ["raw/a"], action: "edit" },
        { path: "a_only", name: "a_only", assets: ["raw/a"], action: "delete" },
      ],
      schedules: [{ path: "a_only_schedule", name: "a_only_schedule", job: "a_only", action: "delete" }],
      sensors: [{ path: "a_sensor", name: "a_sensor", asset: "raw/a", action: "delete" }],
      count: 5,
    };
    expect(referenceLines(refs)).toEqual([
      "drawn dependency raw/b ← raw/a (in b_sync): remove",
      "job nightly (selects raw/a): edit",
      "job a_only (selects raw/a): delete",
      "schedule a_only_schedule (on job a_only): delete",
      "sensor a_sensor: delete",
    ]);
  });

  it("falls back to the folder when a definition has no name", () => {
    expect(referenceLines({ ...none, jobs: [{ path: "jobs/x", assets: ["k"], action: "edit" }] })).toEqual(["job jobs/x (selects k): edit"]);
  });
});
