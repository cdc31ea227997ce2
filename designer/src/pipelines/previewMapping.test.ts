import { describe, expect, it } from "vitest";

import type { Preview, PreviewTable } from "./pipelinesApi";
import { cellText, cellTitle, countEntries, SKIP_COUNT_KEYS, skipEntries, firstPage, pageOptions, pageOutlines, previewSummary, recordColumns, recordSource, skippedLine, tableOf, tableTitle } from "./previewMapping";

const table = (values: Partial<PreviewTable>): PreviewTable => ({
  page: 1,
  index: 0,
  bbox: [50, 100, 550, 300],
  header: ["sku", "price"],
  row_count: 4,
  used: true,
  reason: null,
  stitched_to: null,
  ...values,
});

const PREVIEW: Preview = {
  records: [
    { values: { sku: "A1", price: "1.50" }, errors: {}, raw: { sku: " A1", price: "1.50" }, page: 1, table_index: 0, row_index: 1, box: [50, 120, 550, 140] },
    { values: { sku: "A2", price: null }, errors: { price: "not a decimal: 'x'" }, raw: { sku: "A2", price: "x" }, page: 1, table_index: 0, row_index: 3, box: [50, 140, 550, 175] },
    { values: { sku: "B1", price: "3", extra: [1, 2] }, errors: {}, page: 2, table_index: 1, row_index: 0, box: [50, 40, 550, 60] },
  ],
  record_count: 57,
  tables: [
    table({}),
    table({ page: 2, index: 1, bbox: [50, 40, 550, 140], row_count: 2, stitched_to: 0 }),
    table({ page: 3, index: 2, bbox: [50, 500, 300, 560], header: ["total"], row_count: 1, used: false, reason: "no header with the columns SKU, Price (first row: 'Total')" }),
    table({ page: 3, index: 3, bbox: null, header: [], row_count: 0, used: false, reason: "empty" }),
  ],
  pages: [
    { number: 1, width: 612, height: 792 },
    { number: 2, width: 612, height: 792 },
    { number: 3, width: 612, height: 792 },
  ],
  counts: { tables_found: 4, tables_used: 2, rows_skipped: 1, skipped_reasons: { "no header match": 1 } },
  skipped: [
    { page: 3, table_index: 2, kind: "table without the fields' columns", reason: "no header with the columns SKU, Price (first row: 'Total')", row_index: null, rows: 4 },
    { page: 1, table_index: 0, kind: "page number or running head/footer", reason: "page number or running head/footer: 'Page 1'", row_index: 4, rows: 1 },
    "footer line",
  ],
  problems: [],
  elapsed_ms: 432,
};

describe("page outlines", () => {
  it("outline a page's tables in points, used or skipped with the reason on hover", () => {
    const page3 = pageOutlines(PREVIEW, 3);
    expect(page3).toHaveLength(1); // the table without a box is listed, not drawn
    expect(page3[0]).toMatchObject({ key: "3:2", box: [50, 500, 300, 560], used: false, rows: [] });
    expect(page3[0].label).toBe("T3 skipped: no header with the columns SKU, Price (first ro…"); // the whole reason on hover
    expect(page3[0].title).toBe("Table 3 on page 3: 1 row; header: total (skipped: no header with the columns SKU, Price (first row: 'Total'))");
  });

  it("mark the rows that became records with their boxes as measured (a wrapped row taller)", () => {
    const [outline] = pageOutlines(PREVIEW, 1);
    expect(outline.used).toBe(true);
    expect(outline.rows).toEqual([
      { key: "0", box: [50, 120, 550, 140], record: 0, failed: false },
      { key: "1", box: [50, 140, 550, 175], record: 1, failed: true },
    ]);
  });

  it("mark a continued table's rows on its own page, and no record without a box", () => {
    expect(pageOutlines(PREVIEW, 2)[0].rows).toEqual([{ key: "2", box: [50, 40, 550, 60], record: 2, failed: false }]);
    const unmeasured = { ...PREVIEW.records[2], box: null };
    expect(pageOutlines({ ...PREVIEW, records: [unmeasured] }, 2)[0].rows).toEqual([]);
  });

  it("find a record's table on its page, else by index alone", () => {
    expect(tableOf({ values: {}, errors: {}, page: 2, table_index: 1 }, PREVIEW.tables)?.page).toBe(2);
    expect(tableOf({ values: {}, errors: {}, page: 3, table_index: 0 }, PREVIEW.tables)?.page).toBe(1); // stitched rows keep their first table's index
    expect(tableOf({ values: {}, errors: {} }, PREVIEW.tables)).toBeUndefined();
  });

  it("say what a stitched table continues", () => {
    expect(tableTitle(PREVIEW.tables[1])).toBe("Table 2 on page 2: 2 rows; header: sku | price; continues table 1 (used)");
    expect(tableTitle(table({ header: [] }))).toBe("Table 1 on page 1: 4 rows; no header (used)");
  });
});

describe("pages", () => {
  it("name each page with its tables and start on the first page with one", () => {
    expect(pageOptions(PREVIEW).map((option) => option.text)).toEqual([
      "Page 1 of 3 (1 table)",
      "Page 2 of 3 (1 table)",
      "Page 3 of 3 (2 tables, 2 skipped)",
    ]);
    const pages = [{ number: 1, width: 612, height: 792, read: false }, { number: 2, width: 612, height: 792, scanned: true }];
    expect(pageOptions({ ...PREVIEW, tables: [], pages }).map((option) => option.text)).toEqual(["Page 1 of 2 (not read)", "Page 2 of 2 (scanned)"]);
    expect(firstPage({ ...PREVIEW, tables: [PREVIEW.tables[2]] })).toBe(3);
    expect(firstPage({ ...PREVIEW, tables: [] })).toBe(1);
    expect(firstPage({ ...PREVIEW, pages: [] })).toBeNull();
  });
});

describe("records", () => {
  it("show the template's fields first, then any other key", () => {
    expect(recordColumns(PREVIEW.records, ["price", "sku", ""])).toEqual(["price", "sku", "extra"]);
    expect(cellText(null)).toBe("");
    expect(cellText([1, 2])).toBe("[1,2]");
    expect(cellText(false)).toBe("false");
    expect(recordSource(PREVIEW.records[1])).toBe("p. 1, table 1, row 4");
  });

  it("sum the preview up in one line", () => {
    expect(previewSummary(PREVIEW)).toBe("the first 3 of 57 records; 1 record with errors; 4 tables: 2 used, 2 skipped (0.43 s)");
    expect(previewSummary({ ...PREVIEW, records: [], record_count: 0, tables: [], elapsed_ms: 5 })).toBe("0 records (0.01 s)");
  });
});

describe("counts and skipped", () => {
  it("word each skip reason with its count: a disabled artifact by artifacts, the rest by rows", () => {
    const run = { artifacts: 2, artifacts_skipped: 1, rows_skipped: 6, skipped_by_kind: { "artifact disabled": 0, "header repeated": 1, "table without the fields' columns": 5, "page not read": 0 } };
    expect(skipEntries(run)).toEqual([
      ["Skipped: artifacts disabled (not read)", "1 artifact"],
      ["Skipped: header rows repeated (a table continued on another page)", "1 row"],
      ["Skipped: rows of tables without the template's columns", "5 rows"],
    ]);
    // the generic counts leave the skips to skipEntries
    expect(countEntries(run, "", SKIP_COUNT_KEYS)).toEqual([["Artifacts", "2"], ["Rows skipped", "6"]]);
    expect(skipEntries({ artifacts_skipped: 2, skipped_by_kind: {} })).toEqual([["Skipped: artifacts", "2 artifacts"]]);
    expect(skipEntries({ skipped_by_kind: { "a new kind": 3 } })).toEqual([["Skipped: a new kind", "3 rows"]]);
    expect(skipEntries({ artifacts_skipped: 0, skipped_by_kind: { "artifact disabled": 0 } })).toEqual([]);
    expect(skipEntries(null)).toEqual([]);
  });

  it("flatten counts with their reasons, in words", () => {
    expect(countEntries(PREVIEW.counts)).toEqual([
      ["Tables found", "4"],
      ["Tables used", "2"],
      ["Rows skipped", "1"],
      ["Skipped reasons › no header match", "1"],
    ]);
    expect(countEntries(null)).toEqual([]);
    // a run's counts, keys in JSONB's order: read in a fixed order, those shown elsewhere left out
    const run = { rows_used: 70, records_loaded: 70, tables_found: 3, artifacts: 1, skipped_by_kind: { "page not read": 2 } };
    expect(countEntries(run, "", ["records_loaded"])).toEqual([
      ["Artifacts", "1"],
      ["Tables found", "3"],
      ["Rows used", "70"],
      ["Skipped by kind › page not read", "2"],
    ]);
  });

  it("say where each skipped thing was and why", () => {
    expect(skippedLine(PREVIEW.skipped[0])).toBe("page 3, table 3: no header with the columns SKU, Price (first row: 'Total') (4 rows)");
    expect(skippedLine(PREVIEW.skipped[1])).toBe("page 1, table 1, row 5: page number or running head/footer: 'Page 1'");
    expect(skippedLine(PREVIEW.skipped[2])).toBe("footer line");
    expect(skippedLine({ kind: "page not read", rows: 0 })).toBe("document: page not read (0 rows)");
    expect(skippedLine({ reason: null })).toBe("document: no reason given");
  });

  it("show a cell's error and the text it was read from", () => {
    expect(cellTitle(PREVIEW.records[1], "price")).toBe(`not a decimal: 'x'; read as "x"`);
    expect(cellTitle(PREVIEW.records[0], "sku")).toBe(`read as " A1"`);
    expect(cellTitle(PREVIEW.records[0], "price")).toBeUndefined();
    expect(cellTitle(PREVIEW.records[2], "sku")).toBeUndefined();
  });
});
