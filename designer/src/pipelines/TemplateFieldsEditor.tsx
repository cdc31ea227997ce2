import { FieldErrors } from "./FieldErrors";
import { type RowErrors, rowMessages } from "./pipelineMapping";
import type { Transform } from "./pipelinesApi";
import { emptyField, FIELD_TYPES, type FieldDraft, NUMBER_LOCALES, TRANSFORM_KINDS } from "./templateDraft";
import { describedBy } from "./useFormErrors";

interface FieldsEditorProps {
  fields: FieldDraft[];
  /** What a selector means for the template's strategy. */
  selectorHelp: string;
  /** An empty selector means the field's name (table_detection's column header). */
  nameIsSelector: boolean;
  errors: Record<number, RowErrors>;
  onChange(fields: FieldDraft[]): void;
}

/** The template's fields: name, type, selector, required; transforms, date formats and default behind "More". */
export function TemplateFieldsEditor({ fields, selectorHelp, nameIsSelector, errors, onChange }: FieldsEditorProps) {
  const change = (key: string, values: Partial<FieldDraft>) => onChange(fields.map((field) => (field.key === key ? { ...field, ...values } : field)));
  const changeTransform = (field: FieldDraft, index: number, values: Partial<Transform>) =>
    change(field.key, { transforms: field.transforms.map((transform, at) => (at === index ? { ...transform, ...values } : transform)) });

  return (
    <div className="template-fields">
      <table className="grid-table">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Type</th>
            <th scope="col">Selector</th>
            <th scope="col">Required</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        {fields.map((field, index) => {
          const problems = errors[index] ?? {};
          const label = `Field ${index + 1}`;
          const errorId = `${field.key}-error`;
          const messages = rowMessages(problems);
          const more = Boolean(field.transforms.length || field.dateFormatsText || field.defaultText || problems.transforms || problems.date_formats || problems.default_value);
          return (
            <tbody key={field.key} className="field-rows">
              <tr>
                <td>
                  <input aria-label={`${label} name`} value={field.name} placeholder="column_name" onChange={(event) => change(field.key, { name: event.target.value })} {...describedBy(errorId, problems.name)} />
                </td>
                <td>
                  <select aria-label={`${label} type`} value={field.field_type} onChange={(event) => change(field.key, { field_type: event.target.value as FieldDraft["field_type"] })} {...describedBy(errorId, problems.field_type)}>
                    {FIELD_TYPES.map((type) => (
                      <option key={type}>{type}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <input
                    aria-label={`${label} selector`}
                    className="selector"
                    value={field.selector}
                    placeholder={nameIsSelector ? field.name || "column header" : "selector"}
                    title={selectorHelp}
                    onChange={(event) => change(field.key, { selector: event.target.value })}
                    {...describedBy(errorId, problems.selector)}
                  />
                </td>
                <td>
                  <input type="checkbox" aria-label={`${label} required`} checked={field.required} onChange={(event) => change(field.key, { required: event.target.checked })} />
                </td>
                <td>
                  <button type="button" aria-label={`Remove ${label.toLowerCase()}`} disabled={fields.length === 1} onClick={() => onChange(fields.filter((item) => item.key !== field.key))}>
                    Remove
                  </button>
                </td>
              </tr>
              <tr className="field-details">
                <td colSpan={5}>
                  <FieldErrors id={errorId} messages={messages.length ? messages : undefined} />
                  <details open={more}>
                    <summary>More for {field.name || label.toLowerCase()}: transforms, date formats, default</summary>
                    <div className="field-more">
                      <div className="transforms">
                        {field.transforms.map((transform, at) => (
                          <div key={at} className="transform" role="group" aria-label={`${label} transform ${at + 1}`}>
                            <select aria-label="Kind" value={transform.kind} onChange={(event) => changeTransform(field, at, { kind: event.target.value as Transform["kind"] })}>
                              {TRANSFORM_KINDS.map((kind) => (
                                <option key={kind}>{kind}</option>
                              ))}
                            </select>
                            {transform.kind === "regex_replace" && (
                              <>
                                <input aria-label="Pattern" placeholder="pattern" value={transform.pattern ?? ""} onChange={(event) => changeTransform(field, at, { pattern: event.target.value })} />
                                <input aria-label="Replacement" placeholder="replacement" value={transform.replacement ?? ""} onChange={(event) => changeTransform(field, at, { replacement: event.target.value })} />
                              </>
                            )}
                            {transform.kind === "parse_number" && (
                              <select aria-label="Locale" value={transform.locale ?? "en"} onChange={(event) => changeTransform(field, at, { locale: event.target.value as Transform["locale"] })}>
                                {NUMBER_LOCALES.map((locale) => (
                                  <option key={locale}>{locale}</option>
                                ))}
                              </select>
                            )}
                            <button type="button" onClick={() => change(field.key, { transforms: field.transforms.filter((_, item) => item !== at) })}>
                              Remove transform
                            </button>
                          </div>
                        ))}
                        <button type="button" onClick={() => change(field.key, { transforms: [...field.transforms, { kind: "trim" }] })}>
                          Add transform
                        </button>
                      </div>
                      <label>
                        Date formats (one per line)
                        <textarea rows={2} value={field.dateFormatsText} placeholder="%d/%m/%Y" onChange={(event) => change(field.key, { dateFormatsText: event.target.value })} />
                      </label>
                      <label>
                        Default value
                        <input value={field.defaultText} placeholder="none" onChange={(event) => change(field.key, { defaultText: event.target.value })} />
                      </label>
                    </div>
                  </details>
                </td>
              </tr>
            </tbody>
          );
        })}
      </table>
      <button type="button" className="add-row" onClick={() => onChange([...fields, emptyField()])}>
        Add field
      </button>
    </div>
  );
}
