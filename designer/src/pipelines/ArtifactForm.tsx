import { useRef, useState } from "react";

import { FieldErrors, GeneralErrors } from "./FieldErrors";
import { TextField } from "./FormFields";
import { useLeaveGuard } from "./leaveGuard";
import { artifactInput, isArtifactDrafted, isArtifactEdited, mediaTypeFor } from "./pipelineMapping";
import { type Artifact, pipelinesApi } from "./pipelinesApi";
import { usePipelines } from "./pipelinesStore";
import { describedBy, useFormErrors } from "./useFormErrors";

const FIELDS = ["file", "name", "media_type", "location"] as const;
type Source = "upload" | "link";

/** Register a source document: upload a file (stored in the database), or give a path or URL read at run time. */
export function ArtifactForm() {
  const { refresh, notify } = usePipelines();
  const [source, setSource] = useState<Source>("upload");
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [location, setLocation] = useState("");
  const [mediaType, setMediaType] = useState("");
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const { errors, clear, fail } = useFormErrors(FIELDS);
  const on = errors.byField;
  useLeaveGuard(isArtifactDrafted({ file, name, media_type: mediaType, location }) ? "the new artifact" : null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    clear();
    try {
      const artifact =
        source === "upload"
          ? await upload()
          : await pipelinesApi.registerArtifact({ name: name || location, media_type: mediaType || mediaTypeFor(location), location });
      await refresh("artifact");
      notify("info", `Registered artifact ${artifact.name} (id ${artifact.id}).`);
      setName("");
      setLocation("");
      setMediaType("");
      setFile(null);
      if (fileInput.current) fileInput.current.value = "";
    } catch (error) {
      fail(error);
      notify("error", "The artifact was not registered: see the form.");
    } finally {
      setBusy(false);
    }
  }

  function upload() {
    if (!file) throw new Error("file: choose a file to upload");
    return pipelinesApi.uploadArtifact(file, name);
  }

  return (
    <form className="artifact-form" aria-labelledby="new-artifact-heading" onSubmit={submit} noValidate>
      <h2 id="new-artifact-heading">Register an artifact</h2>
      <fieldset>
        <legend>Source</legend>
        <label className="check">
          <input type="radio" name="artifact-source" value="upload" checked={source === "upload"} onChange={() => setSource("upload")} />
          Upload a file
        </label>
        <label className="check">
          <input type="radio" name="artifact-source" value="link" checked={source === "link"} onChange={() => setSource("link")} />
          A path or URL
        </label>
      </fieldset>
      {source === "upload" ? (
        <div className="field">
          <label htmlFor="field-file">File</label>
          <input id="field-file" ref={fileInput} type="file" name="file" onChange={(event) => setFile(event.target.files?.[0] ?? null)} {...describedBy("field-file-error", on.file)} />
          <FieldErrors id="field-file-error" messages={on.file} />
        </div>
      ) : (
        <TextField
          label="Path or URL"
          name="location"
          value={location}
          placeholder="/srv/documents/report.pdf or https://…"
          errors={on.location}
          onText={setLocation}
        />
      )}
      <TextField label="Name" name="artifact-name" value={name} placeholder="the file's name" errors={on.name} onText={setName} />
      {source === "link" && (
        <TextField
          label="Media type"
          name="media_type"
          value={mediaType}
          placeholder={mediaTypeFor(location) || "text/html"}
          errors={on.media_type}
          onText={setMediaType}
        />
      )}
      <GeneralErrors label="Other problems with the artifact" messages={errors.general} />
      <button type="submit" disabled={busy}>
        {busy ? "Registering…" : "Register artifact"}
      </button>
    </form>
  );
}

/** Rename an artifact or correct its media type; a registered one's path or URL too (uploaded bytes stay as they are). */
export function ArtifactEditForm({ artifact, onDone }: { artifact: Artifact; onDone(): void }) {
  const { refresh, notify } = usePipelines();
  const [name, setName] = useState(artifact.name);
  const [mediaType, setMediaType] = useState(artifact.media_type);
  const [location, setLocation] = useState(artifact.location ?? "");
  const [busy, setBusy] = useState(false);
  const { errors, clear, fail } = useFormErrors(FIELDS);
  const on = errors.byField;
  useLeaveGuard(isArtifactEdited(artifact, { name, media_type: mediaType, location }) ? `the artifact ${artifact.name}` : null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    clear();
    try {
      const saved = await pipelinesApi.updateArtifact(artifact.id, artifactInput(artifact, { name, media_type: mediaType, location: artifact.stored ? null : location }));
      await refresh("artifact");
      notify("info", `Saved artifact ${saved.name}.`);
      onDone();
    } catch (error) {
      fail(error);
      notify("error", "The artifact was not saved: see the form.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="artifact-form" aria-labelledby="edit-artifact-heading" onSubmit={submit} noValidate>
      <h2 id="edit-artifact-heading">Edit artifact {artifact.name}</h2>
      <TextField label="Name" name="artifact-name" value={name} errors={on.name} onText={setName} />
      <TextField label="Media type" name="media_type" value={mediaType} errors={on.media_type} onText={setMediaType} />
      {artifact.stored ? (
        <p className="hint">Uploaded{artifact.sha256 ? ` (sha256 ${artifact.sha256.slice(0, 12)}…)` : ""}: to change its content, upload the new file.</p>
      ) : (
        <TextField label="Path or URL" name="location" value={location} errors={on.location} onText={setLocation} />
      )}
      <GeneralErrors label="Other problems with the artifact" messages={errors.general} />
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Save artifact"}
        </button>
        <button type="button" onClick={onDone}>
          Cancel editing
        </button>
      </div>
    </form>
  );
}
