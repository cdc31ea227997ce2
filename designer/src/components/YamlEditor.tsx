/**
 * Monaco, bundled with the app (no CDN): @monaco-editor/react's loader is pointed at the local
 * monaco-editor package. Only the editor core and the YAML grammar are loaded, and this whole
 * module is loaded lazily, so the first page stays small.
 */
import Editor, { loader } from "@monaco-editor/react";
import * as monaco from "monaco-editor/editor/editor.api";
import "monaco-editor/languages/definitions/yaml/register";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };
loader.config({ monaco });

export default function YamlEditor({ value, onChange, label }: { value: string; onChange: (value: string) => void; label: string }) {
  return (
    <div className="yaml-editor" aria-label={label}>
      <Editor
        height="100%"
        language="yaml"
        value={value}
        onChange={(text) => onChange(text ?? "")}
        options={{ minimap: { enabled: false }, fontSize: 13, scrollBeyondLastLine: false, ariaLabel: label, tabSize: 2 }}
      />
    </div>
  );
}
