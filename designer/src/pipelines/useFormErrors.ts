import { useState } from "react";

import { ApiError } from "../api";
import { messageOf } from "../store";
import { type FormErrors, formErrors, type ListRows } from "./pipelineMapping";

export const NO_ERRORS: FormErrors = { byField: {}, general: [], rows: {} };

/** The items of a refusal: the API's list, or the message of anything else. */
export const errorItems = (error: unknown) => (error instanceof ApiError ? error.errors : [{ message: messageOf(error) }]);

/**
 * A form's API errors: `fail(error)` spreads a refusal over the form's fields (and its lists' rows,
 * named by `lists`), `clear()` forgets them.
 */
export function useFormErrors(fields: readonly string[]) {
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  return {
    errors,
    clear: () => setErrors(NO_ERRORS),
    fail(error: unknown, lists: ListRows = {}): FormErrors {
      const mapped = formErrors(errorItems(error), fields, lists);
      setErrors(mapped);
      return mapped;
    },
  };
}

/** The accessibility attributes of a control whose errors FieldErrors shows. */
export function describedBy(id: string, messages?: string[]) {
  return { "aria-describedby": id, "aria-invalid": Boolean(messages?.length) };
}
