import { DeleteButton } from "./DeleteButton";
import { routeHash } from "./pageRoute";
import { usedBy } from "./pipelineMapping";
import { usePipelines } from "./pipelinesStore";

/** The templates (how documents are read): list, open in the editor, delete. */
export function TemplatesSection() {
  const { templates, pipelines, loaded, remove, setEnabled } = usePipelines();
  return (
    <section aria-labelledby="templates-heading" className="templates-section">
      <div className="section-head">
        <h2 id="templates-heading">Templates</h2>
        <a className="button" href={routeHash("templates", "new")}>
          New template
        </a>
      </div>
      {loaded && templates.length === 0 && (
        <p className="hint">
          No templates yet. A template says how to read a document: a strategy (a table's columns, CSS selectors, JSON paths, …) and one selector per field.{" "}
          <a href={routeHash("templates", "new")}>Create the first one</a>, with a live preview on an artifact.
        </p>
      )}
      {templates.length > 0 && (
        <table className="pipeline-table">
          <caption className="visually-hidden">Templates</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Strategy</th>
              <th scope="col">Fields</th>
              <th scope="col">Used by</th>
              <th scope="col">Enabled</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {templates.map((template) => {
              const users = usedBy(pipelines, "template", template.id);
              return (
                <tr key={template.id} data-testid={`template-${template.name}`}>
                  <th scope="row">{template.name}</th>
                  <td>{template.extraction_strategy}</td>
                  <td>{template.fields.map((field) => field.name).join(", ")}</td>
                  <td>{users.join(", ") || "–"}</td>
                  <td>{template.enabled === false ? <span className="disabled-mark">disabled</span> : "yes"}</td>
                  <td className="row-actions">
                    <a className="button" href={routeHash("templates", template.id)} aria-label={`Edit ${template.name}`}>
                      Edit
                    </a>
                    <button type="button" aria-label={`${template.enabled === false ? "Enable" : "Disable"} ${template.name}`} onClick={() => void setEnabled("template", template, template.enabled === false)}>
                      {template.enabled === false ? "Enable" : "Disable"}
                    </button>
                    <DeleteButton
                      what={template.name}
                      warning={users.length ? `Used by ${users.join(", ")}: delete or change them first.` : undefined}
                      onDelete={() => remove("template", template.id, template.name)}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
