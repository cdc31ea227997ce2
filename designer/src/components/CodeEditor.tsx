/**
 * Monaco, bundled with the app (no CDN): @monaco-editor/react's loader is pointed at the local
 * monaco-editor package, with the YAML, SQL and Python grammars only. Import this module lazily
 * (React.lazy), so the first page stays small.
 */
import Editor, { loader } from "@monaco-editor/react";
import * as monaco from "monaco-editor/editor/editor.api";
import "monaco-editor/languages/definitions/yaml/register";
import "monaco-editor/languages/definitions/sql/register";
import "monaco-editor/languages/definitions/python/register";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };
loader.config({ monaco });

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  label: string;
  language?: "yaml" | "sql" | "python";
}

export default function CodeEditor({ value, onChange, label, language = "yaml" }: CodeEditorProps) {
  return (
    <div className="yaml-editor code-editor" aria-label={label}>
      <Editor
        height="100%"
        language={language}
        value={value}
        onChange={(text) => onChange(text ?? "")}
        options={{ minimap: { enabled: false }, fontSize: 13, scrollBeyondLastLine: false, ariaLabel: label, tabSize: 2 }}
      />
    </div>
  );
}
