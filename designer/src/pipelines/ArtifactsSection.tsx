import { useState } from "react";

import { ArtifactEditForm, ArtifactForm } from "./ArtifactForm";
import { DeleteButton } from "./DeleteButton";
import { confirmLeave } from "./leaveGuard";
import { usedBy } from "./pipelineMapping";
import { usePipelines } from "./pipelinesStore";

const size = (bytes: number | null | undefined) =>
  bytes == null ? "–" : bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

/** The artifacts (source documents): list, register (upload or path/URL), rename, disable/enable, delete. */
export function ArtifactsSection() {
  const { artifacts, pipelines, loaded, remove, setEnabled } = usePipelines();
  const [editing, setEditing] = useState<number | null>(null);
  const edited = artifacts.find((artifact) => artifact.id === editing);
  return (
    <div className="section-grid">
      <section aria-labelledby="artifacts-heading">
        <h2 id="artifacts-heading">Artifacts</h2>
        {loaded && artifacts.length === 0 && <p className="hint">No artifacts yet: upload a document (PDF, HTML, JSON, …) or register a path or URL with the form.</p>}
        {artifacts.length > 0 && (
          <table className="pipeline-table">
            <caption className="visually-hidden">Artifacts</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Media type</th>
                <th scope="col">Source</th>
                <th scope="col">Size</th>
                <th scope="col">Enabled</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {artifacts.map((artifact) => {
                const users = usedBy(pipelines, "artifact", artifact.id);
                return (
                  <tr key={artifact.id} data-testid={`artifact-${artifact.name}`} aria-current={artifact.id === editing ? "true" : undefined}>
                    <th scope="row">{artifact.name}</th>
                    <td>{artifact.media_type}</td>
                    <td className="wrap">{artifact.stored ? "uploaded" : artifact.location}</td>
                    <td>{size(artifact.size_bytes)}</td>
                    <td>{artifact.enabled === false ? <span className="disabled-mark">disabled</span> : "yes"}</td>
                    <td className="row-actions">
                      <button type="button" aria-label={`Edit ${artifact.name}`} aria-pressed={artifact.id === editing} onClick={() => artifact.id !== editing && confirmLeave() && setEditing(artifact.id)}>
                        Edit
                      </button>
                      <button type="button" aria-label={`${artifact.enabled === false ? "Enable" : "Disable"} ${artifact.name}`} onClick={() => void setEnabled("artifact", artifact, artifact.enabled === false)}>
                        {artifact.enabled === false ? "Enable" : "Disable"}
                      </button>
                      <DeleteButton
                        what={artifact.name}
                        warning={users.length ? `Used by ${users.join(", ")}: they would no longer read it.` : undefined}
                        onDelete={async () => {
                          if ((await remove("artifact", artifact.id, artifact.name)) && editing === artifact.id) setEditing(null);
                        }}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      {edited ? <ArtifactEditForm key={edited.id} artifact={edited} onDone={() => setEditing(null)} /> : <ArtifactForm />}
    </div>
  );
}
