import "./pipelines.css";

import { useEffect } from "react";

import { PageNav } from "../components/PageNav";

import { ArtifactsSection } from "./ArtifactsSection";
import { EntitiesSection } from "./EntitiesSection";
import { parseRoute, routeHash, SECTIONS } from "./pageRoute";
import { PipelineForm } from "./PipelineForm";
import { PipelineList } from "./PipelineList";
import { usePipelines } from "./pipelinesStore";
import { RunPanel } from "./RunPanel";
import { TemplateEditorRoute } from "./TemplateEditor";
import { TemplatesSection } from "./TemplatesSection";
import { useHash } from "./useHash";

function PipelinesSection() {
  const { pipelines, editingPipeline } = usePipelines();
  const editing = pipelines.find((pipeline) => pipeline.id === editingPipeline) ?? null;
  return (
    <div className="pipelines-workspace">
      <section aria-labelledby="pipelines-heading" className="pipelines-list">
        <h2 id="pipelines-heading">All pipelines</h2>
        <PipelineList />
      </section>
      <section aria-labelledby="run-heading" className="pipelines-run">
        <h2 id="run-heading">Run</h2>
        <RunPanel />
      </section>
      <section className="pipelines-forms">
        <PipelineForm key={editing?.id ?? "new"} editing={editing} />
      </section>
    </div>
  );
}

/** The universal pipelines: pipelines and their runs, templates (with a live preview), entities, artifacts. */
export function PipelinesPage() {
  const notice = usePipelines((state) => state.notice);
  const route = parseRoute(useHash());

  useEffect(() => {
    void usePipelines.getState().load();
  }, []);

  return (
    <div className="app pipelines-page">
      <header className="topbar">
        <h1>Pipelines</h1>
        <PageNav current="Pipelines" />
        <nav aria-label="Sections" className="section-nav">
          {SECTIONS.map((item) => (
            <a key={item.section} href={routeHash(item.section)} aria-current={route.section === item.section ? "page" : undefined}>
              {item.title}
            </a>
          ))}
        </nav>
        <span className="spacer" />
        <button type="button" onClick={() => void usePipelines.getState().load()}>
          Refresh
        </button>
      </header>
      <main className="pipelines-main">
        {route.section === "pipelines" && <PipelinesSection />}
        {route.section === "templates" && (route.template === null ? <TemplatesSection /> : <TemplateEditorRoute template={route.template} />)}
        {route.section === "entities" && <EntitiesSection />}
        {route.section === "artifacts" && <ArtifactsSection />}
      </main>
      <footer className={`notice ${notice?.kind ?? ""}`} role={notice?.kind === "error" ? "alert" : "status"}>
        {notice?.text ?? ""}
      </footer>
    </div>
  );
}
