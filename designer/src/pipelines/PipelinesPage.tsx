import "./pipelines.css";

import { useEffect } from "react";

import { PageNav } from "../components/PageNav";

import { ArtifactForm } from "./ArtifactForm";
import { PipelineForm } from "./PipelineForm";
import { PipelineList } from "./PipelineList";
import { usePipelines } from "./pipelinesStore";
import { RunPanel } from "./RunPanel";

/** The universal pipelines: list, create (and register artifacts), launch, and watch a run live. */
export function PipelinesPage() {
  const notice = usePipelines((state) => state.notice);

  useEffect(() => {
    void usePipelines.getState().load();
  }, []);

  return (
    <div className="app pipelines-page">
      <header className="topbar">
        <h1>Pipelines</h1>
        <PageNav current="Pipelines" />
        <span className="spacer" />
        <button type="button" onClick={() => void usePipelines.getState().load()}>
          Refresh
        </button>
      </header>
      <main className="pipelines-workspace">
        <section aria-labelledby="pipelines-heading" className="pipelines-list">
          <h2 id="pipelines-heading">All pipelines</h2>
          <PipelineList />
        </section>
        <section aria-labelledby="run-heading" className="pipelines-run">
          <h2 id="run-heading">Run</h2>
          <RunPanel />
        </section>
        <section className="pipelines-forms">
          <PipelineForm />
          <ArtifactForm />
        </section>
      </main>
      <footer className={`notice ${notice?.kind ?? ""}`} role={notice?.kind === "error" ? "alert" : "status"}>
        {notice?.text ?? ""}
      </footer>
    </div>
  );
}
