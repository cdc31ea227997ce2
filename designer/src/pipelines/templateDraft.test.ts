import { describe, expect, it } from "vitest";

import type { Artifact, TemplateInput } from "./pipelinesApi";
import { defaultArtifact, isEdited, parseConfig, previewTarget, templateDraft, templateInput } from "./templateDraft";

const SAVED: TemplateInput = {
  name: "report",
  description: "",
  extraction_strategy: "table_detection",
  strategy_config: { table_index: 0, stitch: true },
  fields: [
    { name: "sku", field_type: "string", selector: "SKU", required: true, transforms: [{ kind: "trim", pattern: null, replacement: "", locale: "en" }], default_value: null, date_formats: [] },
    { name: "sold", field_type: "date", selector: null, required: false, transforms: [], default_value: null, date_formats: ["%m/%d/%Y", "%b %d, %Y"] },
  ],
};

const inputOf = (draft: ReturnType<typeof templateDraft>) => {
  const result = templateInput(draft);
  if (!("input" in result)) throw new Error(result.problem);
  return result.input;
};

describe("template drafts", () => {
  it("turn back into the body they came from", () => {
    const input = inputOf(templateDraft(SAVED));
    expect(input.strategy_config).toEqual({ table_index: 0, stitch: true });
    expect(input.fields[0]).toEqual({ name: "sku", field_type: "string", selector: "SKU", required: true, transforms: [{ kind: "trim" }], date_formats: [] });
    expect(input.fields[1].selector).toBeNull();
    expect(input.fields[1].date_formats).toEqual(["%m/%d/%Y", "%b %d, %Y"]); // one per line: a comma stays inside a format
  });

  it("keep keys the editor does not show, and send a default only when one is typed", () => {
    const draft = templateDraft({ ...SAVED, fields: [{ ...SAVED.fields[0], default_value: 0, future_key: "kept" } as never] });
    expect(draft.fields[0].defaultText).toBe("0");
    const field = inputOf(draft).fields[0] as unknown as Record<string, unknown>;
    expect(field.future_key).toBe("kept");
    expect(field.default_value).toBe("0");
    expect("default_value" in inputOf(templateDraft(SAVED)).fields[1]).toBe(false);
  });

  it("carry the expectation and the enabled flag", () => {
    const draft = templateDraft({ ...SAVED, enabled: false, expect: { min_records: 5, every_page: true } });
    expect([draft.enabled, draft.minRecordsText, draft.everyPage]).toEqual([false, "5", true]);
    expect(inputOf(draft)).toMatchObject({ enabled: false, expect: { min_records: 5, every_page: true } });
    expect(inputOf({ ...draft, minRecordsText: "", everyPage: false }).expect).toBeNull();
    expect(inputOf({ ...draft, minRecordsText: "many" }).expect).toEqual({ min_records: "many", every_page: true }); // the API names the problem
    expect(inputOf(templateDraft(SAVED))).toMatchObject({ enabled: true, expect: null });
  });

  it("refuse strategy options that are not a JSON object, saying why", () => {
    expect(parseConfig("")).toEqual({ config: {} });
    expect(parseConfig('{"pages": "1-3"}')).toEqual({ config: { pages: "1-3" } });
    expect(parseConfig("[1]")).toEqual({ problem: 'Must be a JSON object, e.g. {"table_index": 0}.' });
    expect("problem" in parseConfig("{pages: 1}")).toBe(true);
    expect(templateInput({ ...templateDraft(SAVED), configText: "{" })).toHaveProperty("problem");
  });

  it("know when they differ from the saved template (no false edits from the mapping)", () => {
    const draft = templateDraft(SAVED);
    expect(isEdited(draft, SAVED)).toBe(false);
    expect(isEdited({ ...draft, configText: '{"stitch": true, "table_index": 0}' }, SAVED)).toBe(true);
    expect(isEdited({ ...draft, fields: [{ ...draft.fields[0], selector: "Item" }, draft.fields[1]] }, SAVED)).toBe(true);
    expect(isEdited(templateDraft(), undefined)).toBe(false);
  });

  it("preview the saved template by id while unchanged, else the draft's body", () => {
    expect(previewTarget(4, false)).toBe("saved");
    expect(previewTarget(4, true)).toBe("draft");
    expect(previewTarget(null, false)).toBe("draft");
  });
});

describe("defaultArtifact", () => {
  const artifacts = [
    { id: 1, name: "a.pdf", media_type: "application/pdf", stored: true },
    { id: 2, name: "feed.json", media_type: "application/json", stored: true },
    { id: 3, name: "b.pdf", media_type: "application/pdf", stored: true },
  ] as Artifact[];

  it("picks the newest artifact the strategy reads, else the newest", () => {
    expect(defaultArtifact("table_detection", artifacts)?.id).toBe(3);
    expect(defaultArtifact("json_path", artifacts)?.id).toBe(2);
    expect(defaultArtifact("dom_selection", artifacts)?.id).toBe(3);
    expect(defaultArtifact("json_path", [])).toBeNull();
  });
});
