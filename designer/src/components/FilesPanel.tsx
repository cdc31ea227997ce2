import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";

import { api, ApiError, type ApiErrorItem, type LocationFile } from "../api";
import { fileLabels } from "../fileLabels";
import { messageOf, tracked, useDesigner } from "../store";

const CodeEditor = lazy(() => import("./CodeEditor"));

interface OpenFile {
  path: string;
  kind: LocationFile["kind"];
  saved: string;
  text: string;
}

/** "line 3: invalid YAML: ..." for each problem the API listed. */
function problemLines(errors: ApiErrorItem[]): string[] {
  return errors.map((error) => (error.line ? `line ${error.line}: ${error.message}` : error.message));
}

/** The location's own files (SQL models, YAML, Python) in Monaco; a save is validated by the API first. */
export function FilesPanel() {
  const location = useDesigner((state) => state.location);
  if (!location) return <p className="files-hint">Choose a location to see its files.</p>;
  return <LocationFiles key={location} location={location} />;
}

function LocationFiles({ location }: { location: string }) {
  const notify = useDesigner((state) => state.notify);
  const [files, setFiles] = useState<LocationFile[]>([]);
  const [open, setOpenState] = useState<OpenFile | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  // The file as the editor holds it now: a Ctrl+S right after a keystroke may come before React renders it.
  const current = useRef<OpenFile | null>(null);
  const setOpen = useCallback((file: OpenFile | null) => {
    current.current = file;
    setOpenState(file);
  }, []);

  useEffect(() => {
    let live = true;
    api
      .files(location)
      .then((listed) => live && setFiles(listed))
      .catch((error) => notify("error", `The location's files could not be listed: ${messageOf(error)}`));
    return () => {
      live = false;
    };
  }, [location, notify]);

  const choose = useCallback(
    async (file: LocationFile) => {
      const shown = current.current;
      if (shown && shown.text !== shown.saved && !window.confirm(`Discard your changes to ${shown.path}?`)) return;
      try {
        const content = await api.readFile(location, file.path);
        setOpen({ path: file.path, kind: file.kind, saved: content, text: content });
        setProblems([]);
      } catch (error) {
        notify("error", `${file.path} could not be read: ${messageOf(error)}`);
      }
    },
    [location, notify, setOpen],
  );

  async function save() {
    const file = current.current;
    if (!file || file.text === file.saved || saving) return;
    setSaving(true);
    try {
      await tracked(`Checking and saving ${file.path}…`, () => api.writeFile(location, file.path, file.text));
      // what was written is saved; anything typed meanwhile stays unsaved
      if (current.current?.path === file.path) setOpen({ ...current.current, saved: file.text });
      setProblems([]);
      notify("info", `Saved ${file.path}`);
      void useDesigner.getState().refresh();
    } catch (error) {
      setProblems(error instanceof ApiError ? problemLines(error.errors) : [messageOf(error)]);
      notify("error", `${file.path} was not saved: fix the problems listed above the editor`);
    } finally {
      setSaving(false);
    }
  }

  const dirty = open !== null && open.text !== open.saved;
  const labels = useMemo(() => fileLabels(files.map((file) => file.path)), [files]);
  // Ctrl+S (Cmd+S) saves the open file, also from inside the editor, instead of the browser's "Save page"
  const saveRef = useRef(save);
  useEffect(() => {
    saveRef.current = save;
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "s") {
        event.preventDefault();
        void saveRef.current();
      }
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, []);

  return (
    <section className="files" aria-label="Files">
      <nav aria-label="Location files">
        <ul>
          {files.map((file) => (
            <li key={file.path}>
              <button type="button" aria-current={open?.path === file.path} onClick={() => void choose(file)} title={file.path}>
                {labels.get(file.path)}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {open ? (
        <div className="file-editor">
          <header>
            <strong title={open.path}>{open.path}</strong>
            {dirty && <span title="Unsaved changes">●</span>}
            <button type="button" onClick={() => void save()} disabled={!dirty || saving} aria-keyshortcuts="Control+S" title="Save file (Ctrl+S)">
              {saving ? "Checking…" : "Save file"}
            </button>
          </header>
          {problems.length > 0 && (
            <ul className="file-errors" role="alert" aria-label="Problems in the file">
              {problems.map((problem) => (
                <li key={problem}>
                  <pre>{problem}</pre>
                </li>
              ))}
            </ul>
          )}
          <Suspense fallback={<p>Loading the editor…</p>}>
            <CodeEditor value={open.text} language={open.kind} label={`Contents of ${open.path}`} onChange={(text) => setOpen({ ...(current.current ?? open), text })} />
          </Suspense>
        </div>
      ) : (
        <p className="files-hint">Pick a file to edit it. Saving checks it first: nothing is written while a problem remains.</p>
      )}
    </section>
  );
}
