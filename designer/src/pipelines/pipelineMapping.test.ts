import { describe, expect, it } from "vitest";

import {
  artifactInput,
  errorCount,
  fieldPath,
  formErrors,
  isArtifactDrafted,
  isArtifactEdited,
  isFinished,
  isPipelineEdited,
  logLine,
  mediaTypeFor,
  pipelineInput,
  pipelineRows,
  plainReason,
  progressLine,
  rowMessages,
  statusKind,
  usedBy,
} from "./pipelineMapping";
import type { Artifact, Entity, Pipeline, Template } from "./pipelinesApi";

const FORM = ["name", "template_id", "entity_id", "artifact_ids", "batch_size"];

describe("formErrors", () => {
  it("puts a 422's body paths on their fields, in plain words", () => {
    const errors = formErrors(
      [
        { message: "body.batch_size: Input should be greater than or equal to 1", path: ["body", "batch_size"] },
        { message: "body.name: String should have at least 1 character", path: ["body", "name"] },
        { message: "body.template_id: Input should be a valid integer", path: ["body", "template_id"] },
      ],
      FORM,
    );
    expect(errors.byField).toEqual({ batch_size: ["Must be at least 1."], name: ["Must not be empty."], template_id: ["Choose one."] });
    expect(errors.general).toEqual([]);
  });

  it("lists every error of a 400, each on its field when the form has it", () => {
    const errors = formErrors(
      [
        { message: "template_id: no template with id 999", path: ["template_id"] },
        { message: "artifact_ids: no artifact with id 997" },
        { message: "fields.colour: entity prices has no column colour", path: ["fields", "colour"] },
        { message: "Dagster webserver unreachable: connection refused" },
      ],
      FORM,
    );
    expect(errors.byField).toEqual({ template_id: ["No template with id 999."], artifact_ids: ["No artifact with id 997."] });
    expect(errors.general).toEqual(["Template fields › colour: Entity prices has no column colour.", "Dagster webserver unreachable: connection refused."]);
  });

  it("puts a name clash (409) on the name field", () => {
    const clash = { message: "already exists: Key (name)=(prices) already exists." };
    expect(formErrors([clash], FORM).byField).toEqual({ name: [`Already taken ("prices"): choose another.`] });
  });

  it("names the field of an error the form does not show", () => {
    expect(formErrors([{ message: "enabled: the pipeline is disabled" }], []).general).toEqual(["Enabled: The pipeline is disabled."]);
  });
});

describe("formErrors on list rows", () => {
  const lists = { fields: ["sku", "price"] };

  it("puts a row's errors on its column, by index (pydantic) or by name (the template checks)", () => {
    const errors = formErrors(
      [
        { message: "body.fields.1.name: String should match pattern '^[a-z_][a-z0-9_]{0,62}$'", path: ["body", "fields", 1, "name"] },
        { message: "fields.sku.selector: invalid CSS selector 'tr[[[': Expected selector", path: ["fields", "sku", "selector"] },
        { message: "fields.price: the selector is empty", path: ["fields", "price"] },
        { message: "fields.0.transforms.0: Value error, regex_replace needs `pattern`", path: ["body", "fields", 0, "transforms", 0] },
        { message: "fields: duplicate field names: sku", path: ["body", "fields"] },
        { message: "strategy_config.pages: '3-1' is not a page range", path: ["strategy_config", "pages"] },
        { message: "fields.colour.selector: no such field" },
      ],
      ["name", "fields", "strategy_config"],
      lists,
    );
    expect(errors.rows.fields).toEqual({
      0: { selector: ["Invalid CSS selector 'tr[[[': Expected selector."], transforms: ["0: Regex_replace needs `pattern`."] },
      1: {
        name: ["Must be a lower-case name: letters, digits and _, not starting with a digit, at most 63 characters."],
        "": ["The selector is empty."],
      },
    });
    // a row the form does not have: on the list as a whole, naming it
    expect(errors.byField).toEqual({
      fields: ["Duplicate field names: sku.", "colour › selector: No such field."],
      strategy_config: ["pages: '3-1' is not a page range."],
    });
    expect(errors.general).toEqual([]);
    expect(errorCount(errors)).toBe(7);
    expect(rowMessages(errors.rows.fields[1])).toEqual([
      "name: Must be a lower-case name: letters, digits and _, not starting with a digit, at most 63 characters.",
      "The selector is empty.",
    ]);
    expect(rowMessages(undefined)).toEqual([]);
  });
});

describe("plainReason and fieldPath", () => {
  it("rewords pydantic and keeps other reasons", () => {
    expect(plainReason("Field required")).toBe("Required.");
    expect(plainReason("Input should be 'append', 'upsert' or 'replace'")).toBe("Must be one of 'append', 'upsert' or 'replace'.");
    expect(plainReason("Value error, regex_replace needs `pattern`")).toBe("Regex_replace needs `pattern`.");
    expect(plainReason("")).toBe("Invalid.");
  });

  it("reads the path, else the message's prefix", () => {
    expect(fieldPath({ message: "x", path: ["body", "fields", 0, "name"] })).toEqual(["fields", "0", "name"]);
    expect(fieldPath({ message: "location: a file path or URL is required" })).toEqual(["location"]);
    expect(fieldPath({ message: "The platform API cannot be reached" })).toEqual([]);
  });
});

describe("statuses", () => {
  it("maps Dagster statuses onto kinds", () => {
    expect([statusKind(null), statusKind("QUEUED"), statusKind("STARTED"), statusKind("SUCCESS"), statusKind("FAILURE"), statusKind("CANCELED")]).toEqual([
      "none",
      "queued",
      "running",
      "success",
      "failure",
      "canceled",
    ]);
    expect(statusKind("SOMETHING_NEW")).toBe("queued");
    expect([isFinished("SUCCESS"), isFinished("CANCELING"), isFinished(undefined)]).toEqual([true, false, false]);
  });
});

describe("logLine", () => {
  it("shows time (UTC), level, step and message, and the first line of an error", () => {
    expect(logLine({ type: "ExecutionStepSuccessEvent", message: "Finished", timestamp: 1764637384.5, level: "debug", step_key: "load_data" })).toBe(
      "01:03:04 DEBUG load_data: Finished",
    );
    expect(logLine({ type: "RunFailureEvent", message: "", error: "boom\ntraceback" })).toBe("--:--:-- INFO RunFailureEvent (boom)");
  });
});

describe("pipelineRows", () => {
  it("names template and entity, with #id for missing records", () => {
    const pipeline = { id: 1, name: "p", template_id: 3, entity_id: 9, enabled: true, last_run_status: "SUCCESS" } as Pipeline;
    const templates = [{ id: 3, name: "feed" }] as Template[];
    const entities = [{ id: 4, name: "prices", schema_name: "entities", table_name: "prices" }] as Entity[];
    expect(pipelineRows([pipeline], templates, entities)).toEqual([
      { id: 1, name: "p", template: "feed", entity: "#9", enabled: true, lastRunStatus: "SUCCESS" },
    ]);
  });
});

describe("mediaTypeFor", () => {
  it("reads the extension of paths and URLs", () => {
    expect(mediaTypeFor("/srv/docs/Report.PDF")).toBe("application/pdf");
    expect(mediaTypeFor("https://example.org/feed.json?page=2")).toBe("application/json");
    expect(mediaTypeFor("https://example.org/v1.2/items")).toBe("");
    expect(mediaTypeFor("notes")).toBe("");
  });
});

describe("runs", () => {
  it("say a running run's progress in words", () => {
    expect(progressLine({ records: 412, artifact: 3, artifacts: 10 })).toBe("412 records so far, 3 of 10 artifacts read");
    // the API's keys
    expect(progressLine({ records_so_far: 1, artifacts_done: 0, artifacts_total: 2, chunks_done: 0, chunks_total: 1 })).toBe("1 record so far, 0 of 2 artifacts read");
    expect(progressLine({ artifacts_total: 5 })).toBe("5 artifacts");
    expect(progressLine({})).toBeNull();
    expect(progressLine(null)).toBeNull();
  });
});

describe("pipeline records", () => {
  const pipeline = {
    id: 4,
    name: "p",
    description: "",
    template_id: 1,
    entity_id: 2,
    artifact_ids: [7, 8],
    load_strategy: "append",
    batch_size: 10,
    failure_policy: "continue",
    enabled: true,
    last_run_id: "r",
    last_run_status: "SUCCESS",
  } as Pipeline;

  it("are saved without the keys the API adds", () => {
    expect(pipelineInput(pipeline, { enabled: false })).toEqual({
      name: "p",
      description: "",
      template_id: 1,
      entity_id: 2,
      artifact_ids: [7, 8],
      load_strategy: "append",
      batch_size: 10,
      failure_policy: "continue",
      enabled: false,
    });
  });

  it("save an artifact with its state, a stored one without a location", () => {
    const stored = { id: 3, name: "a.pdf", media_type: "application/pdf", stored: true, size_bytes: 9 } as Artifact;
    expect(artifactInput(stored, { enabled: false })).toEqual({ name: "a.pdf", media_type: "application/pdf", location: null, enabled: false });
    const linked = { id: 4, name: "b", media_type: "text/html", stored: false, location: "/b.html", enabled: false } as Artifact;
    expect(artifactInput(linked)).toEqual({ name: "b", media_type: "text/html", location: "/b.html", enabled: false });
  });

  it("name the pipelines that use a template, entity or artifact", () => {
    expect(usedBy([pipeline], "template", 1)).toEqual(["p"]);
    expect(usedBy([pipeline], "entity", 1)).toEqual([]);
    expect(usedBy([pipeline], "artifact", 8)).toEqual(["p"]);
  });
});

describe("isPipelineEdited", () => {
  const initial = { name: "p", description: "", template_id: 1, entity_id: 2, artifact_ids: [3, 4], load_strategy: "append" as const, batch_size: 1000, failure_policy: "fail_fast" as const, enabled: true };

  it("is not edited by the same artifacts ticked in another order", () => {
    expect(isPipelineEdited({ ...initial, artifact_ids: [4, 3] }, "1000", initial)).toBe(false);
  });

  it("is edited by any field or the batch size as typed", () => {
    expect(isPipelineEdited({ ...initial, name: "q" }, "1000", initial)).toBe(true);
    expect(isPipelineEdited(initial, "10", initial)).toBe(true);
    expect(isPipelineEdited({ ...initial, artifact_ids: [3] }, "1000", initial)).toBe(true);
  });
});

describe("artifact forms' unsaved edits", () => {
  const registered = { id: 3, name: "feed", media_type: "application/json", location: "/srv/feed.json", stored: false } as Artifact;
  const uploaded = { ...registered, location: null, stored: true } as Artifact;
  const form = { name: "feed", media_type: "application/json", location: "/srv/feed.json" };

  it("an edit form is edited when a field differs from the artifact", () => {
    expect(isArtifactEdited(registered, form)).toBe(false);
    expect(isArtifactEdited(registered, { ...form, name: "feed, renamed" })).toBe(true);
    expect(isArtifactEdited(registered, { ...form, location: "/srv/other.json" })).toBe(true);
    expect(isArtifactEdited(uploaded, { ...form, location: "" })).toBe(false); // an upload's location is not edited
  });

  it("the register form is drafted once anything is typed or a file chosen", () => {
    const empty = { file: null, name: "", media_type: "", location: "" };
    expect(isArtifactDrafted(empty)).toBe(false);
    expect(isArtifactDrafted({ ...empty, location: "/srv/a.pdf" })).toBe(true);
    expect(isArtifactDrafted({ ...empty, file: new File(["x"], "a.json") })).toBe(true);
  });
});
