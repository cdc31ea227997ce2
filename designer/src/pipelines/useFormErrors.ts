import { useState } from "react";

import { ApiError } from "../api";
import { messageOf } from "../store";
import { type FormErrors, formErrors } from "./pipelineMapping";

const NONE: FormErrors = { byField: {}, general: [] };

/** A form's API errors: `fail(error)` spreads a refusal over the form's fields, `clear()` forgets them. */
export function useFormErrors(fields: readonly string[]) {
  const [errors, setErrors] = useState<FormErrors>(NONE);
  return {
    errors,
    clear: () => setErrors(NONE),
    fail(error: unknown): FormErrors {
      const items = error instanceof ApiError ? error.errors : [{ message: messageOf(error) }];
      const mapped = formErrors(items, fields);
      setErrors(mapped);
      return mapped;
    },
  };
}

/** The accessibility attributes of a control whose errors FieldErrors shows. */
export function describedBy(id: string, messages?: string[]) {
  return { "aria-describedby": id, "aria-invalid": Boolean(messages?.length) };
}
