import { describe, expect, it } from "vitest";

import { emptyColumn, entityDraft, entityInput, isEntityEdited, tableNameFor } from "./entityDraft";

describe("entity drafts", () => {
  it("derive a table name from the entity's name", () => {
    expect(tableNameFor("Sales 2024 (EU)")).toBe("sales_2024_eu");
    expect(tableNameFor("Café prices")).toBe("cafe_prices");
    expect(tableNameFor("2024 report")).toBe("t_2024_report");
    expect(tableNameFor("  ")).toBe("");
    expect(tableNameFor("x".repeat(80))).toHaveLength(63);
  });

  it("send the unique key as the flagged columns, and an empty table name as the derived one", () => {
    const draft = entityDraft();
    draft.name = "Price list";
    draft.columns = [{ ...emptyColumn("sku"), unique: true }, emptyColumn("price", "decimal")];
    expect(entityInput(draft)).toEqual({
      name: "Price list",
      schema_name: "entities",
      table_name: "price_list",
      columns: [
        { name: "sku", type: "text", nullable: true },
        { name: "price", type: "decimal", nullable: true },
      ],
      unique_fields: ["sku"],
    });
  });

  it("read an entity back unchanged", () => {
    const entity = { name: "p", schema_name: "s", table_name: "t", columns: [{ name: "a", type: "integer" as const, nullable: false }], unique_fields: ["a"] };
    expect(entityInput(entityDraft(entity))).toEqual(entity);
  });

  it("are edited when what the API would get differs, not for new row keys", () => {
    const entity = { name: "p", schema_name: "s", table_name: "t", columns: [{ name: "a", type: "integer" as const, nullable: true }], unique_fields: [] };
    expect(isEntityEdited(entityDraft(entity), entity)).toBe(false);
    expect(isEntityEdited(entityDraft(), undefined)).toBe(false);
    const draft = entityDraft(entity);
    draft.columns = [...draft.columns, emptyColumn("b")];
    expect(isEntityEdited(draft, entity)).toBe(true);
    expect(isEntityEdited({ ...entityDraft(), name: "x" }, undefined)).toBe(true);
  });
});
