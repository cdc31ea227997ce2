import { ariaDescribedByIds, type WidgetProps } from "@rjsf/utils";
import { useState } from "react";

import { ENUM_OR_TEMPLATE } from "../schemaForm";

/** The select's last option; no enum value looks like a template, so it cannot stand for a choice. */
export const TEMPLATE_OPTION = "{{ template }}";

/**
 * A field that is "one of these, or a `{{ template }}`" (Dagster's enum-or-string): a select of the
 * choices whose last option reveals a text input for a template expression. A value that is not one of
 * the choices (a template, or any string read from the YAML) opens in that input, so nothing is lost.
 */
export function EnumOrTemplateWidget({ id, value, schema, required, disabled, readonly, label, placeholder, autofocus, onChange, onBlur, onFocus }: WidgetProps) {
  const choices = ((schema as Record<string, unknown>)[ENUM_OR_TEMPLATE] as unknown[] | undefined)?.map(String) ?? [];
  const text = value === undefined || value === null ? "" : String(value);
  // the template option was picked (or typed into): the input stays while it is empty, too
  const [asked, setAsked] = useState(false);
  const templating = !choices.includes(text) && (asked || text !== "");
  const locked = disabled || readonly;
  const empty = (next: string) => (next === "" ? undefined : next);

  return (
    <div className="enum-or-template">
      <select
        id={id}
        name={id}
        className="form-control"
        value={templating ? TEMPLATE_OPTION : text}
        required={required}
        disabled={locked}
        autoFocus={autofocus}
        aria-describedby={ariaDescribedByIds(id)}
        onChange={(event) => {
          const picked = event.target.value;
          setAsked(picked === TEMPLATE_OPTION);
          // picking the template option clears the value: a select reading "template" must not save a choice
          onChange(picked === TEMPLATE_OPTION ? undefined : empty(picked));
        }}
        onBlur={() => onBlur(id, value)}
        onFocus={() => onFocus(id, value)}
      >
        {(!required || text === "") && <option value="">{placeholder ?? ""}</option>}
        {choices.map((choice) => (
          <option key={choice} value={choice}>
            {choice}
          </option>
        ))}
        <option value={TEMPLATE_OPTION}>{TEMPLATE_OPTION}…</option>
      </select>
      {templating && (
        <input
          id={`${id}__template`}
          type="text"
          className="form-control"
          aria-label={`${label || id}: template expression`}
          placeholder="{{ env.NAME }}"
          value={text}
          disabled={locked}
          autoFocus={asked && text === ""}
          onChange={(event) => {
            setAsked(true);
            onChange(empty(event.target.value));
          }}
          onBlur={() => onBlur(id, value)}
          onFocus={() => onFocus(id, value)}
        />
      )}
    </div>
  );
}
