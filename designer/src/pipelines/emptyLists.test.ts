// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { createElement } from "react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { ArtifactsSection } from "./ArtifactsSection";
import { EntitiesSection } from "./EntitiesSection";
import { PipelineForm } from "./PipelineForm";
import { PipelineList } from "./PipelineList";
import { usePipelines } from "./pipelinesStore";
import { TemplatesSection } from "./TemplatesSection";

/** A fresh stack: every list loaded, and empty. */
beforeEach(() => usePipelines.setState({ pipelines: [], templates: [], entities: [], artifacts: [], loaded: true }));
afterEach(cleanup);

describe("a fresh stack's empty lists", () => {
  it("say what to create first, in order, with links to where", () => {
    render(createElement(PipelineForm, { editing: null }));
    const steps = screen.getByRole("note");
    expect(steps.textContent).toContain("A pipeline reads artifacts with a template into an entity. First create:");
    const links = [...steps.querySelectorAll("a")].map((link) => [link.textContent, link.getAttribute("href")]);
    expect(links).toEqual([
      ["an entity (the table records go to)", "#/pipelines/entities"],
      ["a template (how to read documents)", "#/pipelines/templates/new"],
      ["an artifact (a document to read)", "#/pipelines/artifacts"],
    ]);
  });

  it("name only what is still missing, and nothing once all exist", () => {
    usePipelines.setState({ entities: [{ id: 1, name: "e", schema_name: "entities", table_name: "e", columns: [], unique_fields: [], created_at: null, updated_at: null }] });
    render(createElement(PipelineForm, { editing: null }));
    expect([...screen.getByRole("note").querySelectorAll("a")].map((link) => link.getAttribute("href"))).toEqual(["#/pipelines/templates/new", "#/pipelines/artifacts"]);
    cleanup();
    usePipelines.setState({
      templates: [{ id: 1, name: "t", description: "", extraction_strategy: "json_path", strategy_config: {}, fields: [], expect: null, enabled: true, created_at: null, updated_at: null }],
      artifacts: [{ id: 1, name: "a", media_type: "application/json", location: null, enabled: true, size_bytes: null, sha256: null, stored: true, created_at: null }],
    });
    render(createElement(PipelineForm, { editing: null }));
    expect(screen.queryByRole("note")).toBeNull();
  });

  it("hint in every section", () => {
    render(createElement(PipelineList));
    expect(screen.getByText("No pipelines yet: create one with the form.")).toBeTruthy();
    cleanup();
    render(createElement(TemplatesSection));
    expect(screen.getByText(/^No templates yet\. A template says how to read a document/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "Create the first one" }).getAttribute("href")).toBe("#/pipelines/templates/new");
    cleanup();
    render(createElement(EntitiesSection));
    expect(screen.getByText("No entities yet: create the first one with the form (its table is created with it).")).toBeTruthy();
    cleanup();
    render(createElement(ArtifactsSection));
    expect(screen.getByText(/^No artifacts yet: upload a document/)).toBeTruthy();
  });

  it("show no hint before the lists are loaded", () => {
    usePipelines.setState({ loaded: false });
    render(createElement(TemplatesSection));
    expect(screen.queryByText(/No templates yet/)).toBeNull();
  });
});
