import type { InputHTMLAttributes } from "react";

import { FieldErrors } from "./FieldErrors";
import { describedBy } from "./useFormErrors";

interface FieldProps {
  label: string;
  name: string;
  errors?: string[];
}

type TextFieldProps = FieldProps & Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "onChange"> & { onText(text: string): void };

/** A labelled text input with its API errors beneath, tied by aria-describedby. */
export function TextField({ label, name, errors, onText, ...input }: TextFieldProps) {
  const errorId = `${name}-error`;
  return (
    <label>
      {label}
      <input name={name} onChange={(event) => onText(event.target.value)} {...input} {...describedBy(errorId, errors)} />
      <FieldErrors id={errorId} messages={errors} />
    </label>
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
  const errorId = `${name}-error`;
  return (
    <label>
      {label}
      <select name={name} value={value} onChange={(event) => onChoose(event.target.value)} {...describedBy(errorId, errors)}>
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.text}
          </option>
        ))}
      </select>
      <FieldErrors id={errorId} messages={errors} />
    </label>
  );
}
