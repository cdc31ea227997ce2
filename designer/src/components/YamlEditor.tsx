/** The raw-YAML tab's editor: Monaco in YAML mode (see CodeEditor; this module is loaded lazily too). */
import CodeEditor, { type CodeEditorProps } from "./CodeEditor";

export default function YamlEditor(props: Omit<CodeEditorProps, "language">) {
  return <CodeEditor {...props} language="yaml" />;
}
