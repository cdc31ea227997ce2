import type { InputHTMLAttributes } from "react";

import { FieldErrors } from "./FieldErrors";
import { describedBy } from "./useFormErrors";

interface FieldProps {
  label: string;
  name: string;
  errors?: string[];
}

type TextFieldProps = FieldProps & Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "onChange"> & { onText(text: string): void };

/** A labelled text input with its API errors beneath (outside the label: they describe it, they do not name it). */
export function TextField({ label, name, errors, onText, ...input }: TextFieldProps) {
  const id = `field-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} onChange={(event) => onText(event.target.value)} {...input} {...describedBy(`${id}-error`, errors)} />
      <FieldErrors id={`${id}-error`} messages={errors} />
    </div>
  );
}

interface ChoiceFieldProps extends FieldProps {
  value: string;
  options: { value: string; text: string }[];
  /** The option meaning "nothing chosen", if there is one. */
  placeholder?: string;
  onChoose(value: string): void;
}

/** A labelled select with its API errors beneath. */
export function ChoiceField({ label, name, errors, value, options, placeholder, onChoose }: ChoiceFieldProps) {
  const id = `field-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} value={value} onChange={(event) => onChoose(event.target.value)} {...describedBy(`${id}-error`, errors)}>
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.text}
          </option>
        ))}
      </select>
      <FieldErrors id={`${id}-error`} messages={errors} />
    </div>
  );
}
