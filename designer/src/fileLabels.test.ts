import { describe, expect, it } from "vitest";

import { fileLabels } from "./fileLabels";

describe("fileLabels", () => {
  it("shows a file's name alone when no other file shares it", () => {
    const labels = fileLabels(["dbt_models/models/staging/shop/orders.sql", "app/dagster_code/shop/defs/sync/defs.yaml"]);
    expect([...labels.values()]).toEqual(["orders.sql", "defs.yaml"]);
  });

  it("shows the whole path of files sharing a name, so every label is unique", () => {
    const paths = ["dbt/staging/schema.yml", "dbt/marts/schema.yml", "dbt/marts/orders.sql"];
    const labels = fileLabels(paths);
    expect(labels.get("dbt/staging/schema.yml")).toBe("dbt/staging/schema.yml");
    expect(labels.get("dbt/marts/schema.yml")).toBe("dbt/marts/schema.yml");
    expect(labels.get("dbt/marts/orders.sql")).toBe("orders.sql");
    expect(new Set(labels.values()).size).toBe(paths.length);
  });

  it("handles a file at the top level and an empty list", () => {
    expect(fileLabels(["README.md"]).get("README.md")).toBe("README.md");
    expect(fileLabels([]).size).toBe(0);
  });
});
