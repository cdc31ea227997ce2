// @vitest-environment jsdom
import Form from "@rjsf/core";
import type { RJSFSchema } from "@rjsf/utils";
import validator from "@rjsf/validator-ajv8";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { createElement, useState } from "react";
import { afterEach, describe, expect, it } from "vitest";

import { attributesSchema, ENUM_OR_TEMPLATE_WIDGET, pruneEmpty, uiSchemaFor } from "../schemaForm";
import { EnumOrTemplateWidget, TEMPLATE_OPTION } from "./EnumOrTemplateWidget";

// SqlTableSyncComponent's shape, trimmed: a required enum-or-template and an optional one
const defsSchema = {
  properties: {
    attributes: {
      type: "object",
      required: ["source"],
      properties: {
        source: { anyOf: [{ type: "string", enum: ["mysql", "mssql"] }, { type: "string" }] },
        mode: { anyOf: [{ type: "string", enum: ["full", "incremental"] }, { type: "string" }, { type: "null" }], default: null },
      },
    },
  },
};
const schema = attributesSchema(defsSchema);
const uiSchema = uiSchemaFor(schema);

/** The property panel's form, as far as these fields go; `seen` gets each change's data. */
function renderForm(initial: Record<string, unknown>) {
  const seen: Record<string, unknown>[] = [];
  function Harness() {
    const [data, setData] = useState(initial);
    return createElement(Form, {
      schema: schema as RJSFSchema,
      uiSchema,
      widgets: { [ENUM_OR_TEMPLATE_WIDGET]: EnumOrTemplateWidget },
      formData: data,
      validator,
      noValidate: true,
      idPrefix: "attr",
      onChange: (event) => {
        const next = (pruneEmpty(event.formData) ?? {}) as Record<string, unknown>;
        seen.push(next);
        setData(next);
      },
    });
  }
  render(createElement(Harness));
  return { last: () => seen.at(-1) };
}

const select = (id: string) => document.getElementById(id) as HTMLSelectElement;
const optionTexts = (id: string) => Array.from(select(id).options).map((option) => option.textContent);

afterEach(cleanup);

describe("EnumOrTemplateWidget", () => {
  it("is a select of the enum values under the field's own id, then the template option", () => {
    renderForm({});
    expect(select("attr_source").tagName).toBe("SELECT");
    expect(screen.getByLabelText(/source/)).toBe(select("attr_source")); // rjsf's label still names it
    expect(optionTexts("attr_source")).toEqual(["", "mysql", "mssql", `${TEMPLATE_OPTION}…`]);
    expect(screen.queryByRole("textbox")).toBeNull();
  });

  it("offers an empty choice on an optional field even when it has a value", () => {
    renderForm({ source: "mysql", mode: "full" });
    expect(optionTexts("attr_mode")).toEqual(["", "full", "incremental", `${TEMPLATE_OPTION}…`]);
    expect(optionTexts("attr_source")).toEqual(["mysql", "mssql", `${TEMPLATE_OPTION}…`]); // required and set
  });

  it("sets the value chosen", () => {
    const form = renderForm({});
    fireEvent.change(select("attr_source"), { target: { value: "mssql" } });
    expect(form.last()).toEqual({ source: "mssql" });
    expect(select("attr_source").value).toBe("mssql");
  });

  it("reveals a labelled text input for a template, and what is typed there is the value", () => {
    const form = renderForm({ source: "mysql" });
    fireEvent.change(select("attr_source"), { target: { value: TEMPLATE_OPTION } });
    expect(form.last()).toEqual({}); // the choice is cleared, not kept behind the template option
    const input = screen.getByRole("textbox", { name: "source: template expression" });
    expect((input as HTMLInputElement).value).toBe("");
    fireEvent.change(input, { target: { value: "{{ env.SOURCE }}" } });
    expect(form.last()).toEqual({ source: "{{ env.SOURCE }}" });
    expect(select("attr_source").value).toBe(TEMPLATE_OPTION);
    // back to a choice: the input goes
    fireEvent.change(select("attr_source"), { target: { value: "mysql" } });
    expect(form.last()).toEqual({ source: "mysql" });
    expect(screen.queryByRole("textbox")).toBeNull();
  });

  it("keeps the input while its text is cleared", () => {
    renderForm({ source: "{{ env.SOURCE }}" });
    fireEvent.change(screen.getByRole("textbox", { name: "source: template expression" }), { target: { value: "" } });
    expect(screen.getByRole("textbox", { name: "source: template expression" })).toBeTruthy();
  });

  it("opens a loaded template, or any other string from the YAML, in the input", () => {
    renderForm({ source: "{{ env.SOURCE }}", mode: "oracle" });
    expect(select("attr_source").value).toBe(TEMPLATE_OPTION);
    expect((screen.getByRole("textbox", { name: "source: template expression" }) as HTMLInputElement).value).toBe("{{ env.SOURCE }}");
    expect((screen.getByRole("textbox", { name: "mode: template expression" }) as HTMLInputElement).value).toBe("oracle");
  });
});
