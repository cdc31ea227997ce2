import { useEffect, useState } from "react";

import { AddInstanceDialog } from "./components/AddInstanceDialog";
import { Canvas } from "./components/Canvas";
import { DbtSourceDialog } from "./components/DbtSourceDialog";
import { FilesPanel } from "./components/FilesPanel";
import { InstanceActionDialog } from "./components/InstanceActionDialog";
import { Palette } from "./components/Palette";
import { PropertyPanel } from "./components/PropertyPanel";
import { TopBar } from "./components/TopBar";
import { redoLatest, undoLatest, useInstanceAction } from "./instanceActions";
import { hasUnsaved, useDesigner } from "./store";

export function App() {
  const notice = useDesigner((state) => state.notice);
  const [adding, setAdding] = useState<string | null>(null);
  const [view, setView] = useState<"canvas" | "files">("canvas");

  useEffect(() => {
    const store = useDesigner.getState();
    void store.loadCatalog();
    void store.loadLocations().then(() => {
      const wanted = new URLSearchParams(window.location.search).get("location");
      if (wanted) void useDesigner.getState().openLocation(wanted);
    });
    const onLeave = (event: BeforeUnloadEvent) => {
      if (hasUnsaved(useDesigner.getState())) event.preventDefault();
    };
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, dialog, .monaco-editor")) return;
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
        event.preventDefault();
        void (event.shiftKey ? redoLatest() : undoLatest());
      }
      const selected = useDesigner.getState().selected;
      // on the canvas (a clicked node has the focus) or with nothing focused: it asks first, as the panel's Delete does
      if (event.key === "Delete" && selected && (target === document.body || target?.closest(".canvas"))) {
        event.preventDefault();
        useInstanceAction.getState().ask("delete", selected);
      }
    };
    window.addEventListener("beforeunload", onLeave);
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("beforeunload", onLeave);
      window.removeEventListener("keydown", onKey);
    };
  }, []);

  return (
    <div className="app">
      <TopBar />
      <main className="workspace">
        <Palette onAdd={setAdding} />
        <div className="centre">
          <div role="tablist" aria-label="Centre views">
            {(["canvas", "files"] as const).map((name) => (
              <button key={name} type="button" role="tab" aria-selected={view === name} onClick={() => setView(name)}>
                {name === "canvas" ? "Canvas" : "Files"}
              </button>
            ))}
          </div>
          {view === "canvas" ? <Canvas onAdd={setAdding} /> : <FilesPanel />}
        </div>
        <PropertyPanel />
      </main>
      <footer className={`notice ${notice?.kind ?? ""}`} role={notice?.kind === "error" ? "alert" : "status"}>
        {notice?.text ?? ""}
      </footer>
      <AddInstanceDialog type={adding} onClose={() => setAdding(null)} />
      <InstanceActionDialog />
      <DbtSourceDialog />
    </div>
  );
}
