/** The API's errors for one form field, in plain words, referenced by the control's aria-describedby. */
export function FieldErrors({ id, messages }: { id: string; messages?: string[] }) {
  return (
    <span id={id} className="field-error error" role={messages?.length ? "alert" : undefined}>
      {messages?.join(" ") ?? ""}
    </span>
  );
}

/** The errors about no field of the form. */
export function GeneralErrors({ messages, label }: { messages: string[]; label: string }) {
  if (!messages.length) return null;
  return (
    <ul className="errors" role="alert" aria-label={label}>
      {messages.map((message) => (
        <li key={message}>{message}</li>
      ))}
    </ul>
  );
}
