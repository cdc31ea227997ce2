/**
 * What the template editor draws from a preview: each page's table outlines (used or skipped, and why),
 * the used rows' marks, the records' cells with their errors, and the counts in words. Pure: tested
 * without a browser.
 */
import type { Box, Preview, PreviewRecord, PreviewTable } from "./pipelinesApi";

export interface RowMark {
  key: string;
  /** The rows the record was read from, as the API measured them on the page. */
  box: Box;
  /** The record this row became (its position in the preview's records). */
  record: number;
  /** Whether a field of that record has an error. */
  failed: boolean;
}

export interface Outline {
  key: string;
  box: Box;
  used: boolean;
  /** Short label drawn on the page: "T2", "T3 skipped: no header match". */
  label: string;
  /** The hover text: what the table is and why it was used or skipped. */
  title: string;
  rows: RowMark[];
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
const shorten = (text: string, length = 60) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

export const tableKey = (table: Pick<PreviewTable, "page" | "index">) => `${table.page}:${table.index}`;

/** What a table is and why it was used or not, in one line. */
export function tableTitle(table: PreviewTable): string {
  const what = `Table ${table.index + 1} on page ${table.page}: ${plural(table.row_count, "row")}`;
  const header = table.header.length ? `; header: ${table.header.join(" | ")}` : "; no header";
  const stitched = table.stitched_to !== null ? `; continues table ${table.stitched_to + 1}` : "";
  const verdict = table.used ? "used" : `skipped: ${table.reason ?? "no reason given"}`;
  return `${what}${header}${stitched} (${verdict})`;
}

/** The table a record was read from: the one of its page with its index, else the one with its index. */
export function tableOf(record: PreviewRecord, tables: PreviewTable[]): PreviewTable | undefined {
  if (record.table_index === null || record.table_index === undefined) return undefined;
  return tables.find((table) => table.index === record.table_index && table.page === record.page) ?? tables.find((table) => table.index === record.table_index);
}

/**
 * The outlines of one page's tables, each with marks on the rows that became the preview's records: the
 * boxes the API measured (a wrapped row as tall as it is printed); a record without one is not marked.
 */
export function pageOutlines(preview: Preview, page: number): Outline[] {
  const marks = new Map<string, RowMark[]>();
  preview.records.forEach((record, position) => {
    const table = tableOf(record, preview.tables);
    if (!table || table.page !== page || !record.box) return;
    const list = marks.get(tableKey(table)) ?? [];
    list.push({ key: `${position}`, box: record.box, record: position, failed: Object.keys(record.errors).length > 0 });
    marks.set(tableKey(table), list);
  });
  return preview.tables
    .filter((table): table is PreviewTable & { bbox: Box } => table.page === page && table.bbox !== null)
    .map((table) => ({
      key: tableKey(table),
      box: table.bbox,
      used: table.used,
      label: table.used ? `T${table.index + 1}` : shorten(`T${table.index + 1} skipped: ${table.reason ?? "no reason given"}`),
      title: tableTitle(table),
      rows: marks.get(tableKey(table)) ?? [],
    }));
}

/** The page picker's options: each page with its tables, used and skipped. */
export function pageOptions(preview: Preview): { value: number; text: string }[] {
  return preview.pages.map((page) => {
    const tables = preview.tables.filter((table) => table.page === page.number);
    const skipped = tables.filter((table) => !table.used).length;
    const notes = [];
    if (page.read === false) notes.push("not read");
    if (page.scanned) notes.push("scanned");
    if (tables.length) notes.push(`${plural(tables.length, "table")}${skipped ? `, ${skipped} skipped` : ""}`);
    return { value: page.number, text: `Page ${page.number} of ${preview.pages.length}${notes.length ? ` (${notes.join("; ")})` : ""}` };
  });
}

/** The first page worth showing: the first with a table, else the first. */
export function firstPage(preview: Preview): number | null {
  const withTable = preview.pages.find((page) => preview.tables.some((table) => table.page === page.number));
  return (withTable ?? preview.pages[0])?.number ?? null;
}

/** The records table's columns: the template's fields in order, then any other key a record has. */
export function recordColumns(records: PreviewRecord[], fieldNames: string[]): string[] {
  const columns = fieldNames.filter(Boolean);
  for (const record of records) {
    for (const key of [...Object.keys(record.values), ...Object.keys(record.errors)]) if (!columns.includes(key)) columns.push(key);
  }
  return columns;
}

/** A value as a cell shows it: empty for none, JSON for lists and objects. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Where a record came from: "p. 3, table 2, row 14". */
export function recordSource(record: PreviewRecord): string {
  const parts = [];
  if (record.page != null) parts.push(`p. ${record.page}`);
  if (record.table_index != null) parts.push(`table ${record.table_index + 1}`);
  if (record.row_index != null) parts.push(`row ${record.row_index + 1}`);
  return parts.join(", ");
}

/** The preview in one line: records shown of found, tables used and skipped, time. */
export function previewSummary(preview: Preview): string {
  const shown = preview.records.length;
  const records =
    preview.record_count > shown ? `the first ${shown} of ${plural(preview.record_count, "record")}` : plural(preview.record_count, "record");
  const withErrors = preview.records.filter((record) => Object.keys(record.errors).length).length;
  const skipped = preview.tables.filter((table) => !table.used).length;
  const tables = preview.tables.length ? `; ${plural(preview.tables.length, "table")}: ${preview.tables.length - skipped} used, ${skipped} skipped` : "";
  const errors = withErrors ? `; ${plural(withErrors, "record")} with errors` : "";
  return `${records}${errors}${tables} (${(preview.elapsed_ms / 1000).toFixed(2)} s)`;
}

/** A count's key in words: `rows_skipped` -> "Rows skipped". */
export function countLabel(key: string): string {
  const words = key.replace(/_/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : key;
}

/** The order counts are read in (a run's counts come back from JSONB in no useful order); others follow. */
const COUNT_ORDER = [
  "artifacts",
  "records",
  "records_extracted",
  "records_loaded",
  "records_failed",
  "tables_found",
  "tables_used",
  "tables_skipped",
  "rows_found",
  "header_rows",
  "rows_used",
  "rows_skipped",
];

const countRank = (key: string) => {
  const rank = COUNT_ORDER.indexOf(key);
  return rank < 0 ? COUNT_ORDER.length : rank;
};

/** Counts (nested objects of numbers, e.g. rows skipped by kind) as label and value pairs: the known ones in
 * reading order, then the rest as the API sent them; `omit` drops keys shown elsewhere. */
export function countEntries(counts: Record<string, unknown> | null | undefined, prefix = "", omit: readonly string[] = []): [string, string][] {
  if (!counts) return [];
  const entries: [string, string][] = [];
  const ordered = Object.entries(counts)
    .filter(([key]) => !omit.includes(key))
    .sort(([a], [b]) => countRank(a) - countRank(b));
  for (const [key, value] of ordered) {
    const label = prefix ? `${prefix} › ${key.replace(/_/g, " ")}` : countLabel(key);
    if (value && typeof value === "object" && !Array.isArray(value)) entries.push(...countEntries(value as Record<string, unknown>, label));
    else if (Array.isArray(value)) entries.push([label, value.map(cellText).join(", ") || "none"]);
    else if (value !== null && value !== undefined) entries.push([label, String(value)]);
  }
  return entries;
}

/** The kinds of skip a run or preview counts (findings.py, extraction.py), in a user's words: what was skipped. */
const SKIP_KINDS: Record<string, string> = {
  "artifact disabled": "artifacts disabled (not read)",
  "above the header": "rows above a table's header",
  "header repeated": "header rows repeated (a table continued on another page)",
  "page number or running head/footer": "page numbers, running heads and footers",
  "table without the fields' columns": "rows of tables without the template's columns",
  "table not selected (table_index)": "rows of tables the template's table index leaves out",
  "page not read": "rows of pages not read",
};
/** Kinds that skip whole artifacts: counted by `artifacts_skipped`, their `skipped_by_kind` entry holds 0 rows. */
const ARTIFACT_KINDS = ["artifact disabled"];
/** The count keys skipEntries words; countEntries leaves them to it. */
export const SKIP_COUNT_KEYS = ["artifacts_skipped", "skipped_by_kind"] as const;

/** Each reason a run or preview skipped something, with how many, in words:
 * `["Skipped: artifacts disabled (not read)", "1 artifact"]`, `["Skipped: header rows repeated (…)", "3 rows"]`. */
export function skipEntries(counts: Record<string, unknown> | null | undefined): [string, string][] {
  const found = counts?.skipped_by_kind;
  const byKind = found && typeof found === "object" && !Array.isArray(found) ? (found as Record<string, unknown>) : {};
  const artifacts = typeof counts?.artifacts_skipped === "number" ? counts.artifacts_skipped : 0;
  const label = (kind: string) => `Skipped: ${SKIP_KINDS[kind] ?? kind}`;
  const artifactKind = Object.keys(byKind).find((kind) => ARTIFACT_KINDS.includes(kind));
  const entries: [string, string][] = artifacts > 0 ? [[artifactKind ? label(artifactKind) : "Skipped: artifacts", plural(artifacts, "artifact")]] : [];
  for (const [kind, rows] of Object.entries(byKind)) {
    if (!ARTIFACT_KINDS.includes(kind) && typeof rows === "number" && rows > 0) entries.push([label(kind), plural(rows, "row")]);
  }
  return entries;
}

/** One skipped table, row or page in words: where it was, why, and how many rows. */
export function skippedLine(item: unknown): string {
  if (typeof item !== "object" || item === null) return String(item);
  const record = item as Record<string, unknown>;
  const where = [];
  if (record.page != null) where.push(`page ${String(record.page)}`);
  if (typeof record.table_index === "number") where.push(`table ${record.table_index + 1}`);
  if (typeof record.row_index === "number") where.push(`row ${record.row_index + 1}`);
  const reason = cellText(record.reason) || cellText(record.kind) || "no reason given";
  const rows = typeof record.rows === "number" && record.rows !== 1 ? ` (${plural(record.rows, "row")})` : "";
  return `${where.join(", ") || "document"}: ${reason}${rows}`;
}

/** A cell's hover text: its error, and the text as read when the value differs from it. */
export function cellTitle(record: PreviewRecord, field: string): string | undefined {
  const parts = [];
  if (record.errors[field]) parts.push(record.errors[field]);
  const raw = record.raw?.[field];
  if (raw !== undefined && raw !== null && cellText(raw) !== cellText(record.values[field])) parts.push(`read as ${JSON.stringify(raw)}`);
  return parts.length ? parts.join("; ") : undefined;
}
