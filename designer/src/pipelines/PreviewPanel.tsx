import { useState } from "react";

import { PageView } from "./PageView";
import { type Artifact, type Preview, pipelinesApi } from "./pipelinesApi";
import { cellText, cellTitle, countEntries, SKIP_COUNT_KEYS, skipEntries, firstPage, pageOptions, pageOutlines, previewSummary, recordColumns, recordSource, skippedLine, tableOf, tableTitle } from "./previewMapping";

interface PreviewPanelProps {
  artifacts: Artifact[];
  artifactId: number | null;
  onArtifact(id: number | null): void;
  preview: Preview | null;
  pending: boolean;
  /** Why there is no current preview (the API's answer, or what the draft lacks). */
  problem: string | null;
  fieldNames: string[];
}

/** What the template reads from one artifact: the page with its tables outlined, the tables, the records. */
export function PreviewPanel({ artifacts, artifactId, onArtifact, preview, pending, problem, fieldNames }: PreviewPanelProps) {
  const [chosenPage, setChosenPage] = useState<number | null>(null);
  const [highlighted, setHighlighted] = useState<number | null>(null);
  const pages = preview?.pages ?? [];
  const page = pages.find((item) => item.number === chosenPage) ?? pages.find((item) => item.number === (preview ? firstPage(preview) : null));
  const position = page ? pages.indexOf(page) : -1;
  const columns = preview ? recordColumns(preview.records, fieldNames) : [];

  function showRecord(index: number) {
    const record = preview?.records[index];
    const table = record && preview ? tableOf(record, preview.tables) : undefined;
    const target = record?.page ?? table?.page;
    if (target != null) setChosenPage(target);
    setHighlighted(index);
  }

  return (
    <section className="preview-panel" aria-labelledby="preview-heading" aria-busy={pending}>
      <div className="section-head">
        <h2 id="preview-heading">Preview</h2>
        <label>
          Artifact
          <select aria-label="Preview artifact" value={artifactId ?? ""} onChange={(event) => onArtifact(event.target.value ? Number(event.target.value) : null)}>
            <option value="">Choose an artifact…</option>
            {artifacts.map((artifact) => (
              <option key={artifact.id} value={artifact.id}>
                {artifact.name} ({artifact.media_type})
              </option>
            ))}
          </select>
        </label>
        <span role="status" className="hint preview-state">
          {pending ? "Reading…" : preview && !problem ? previewSummary(preview) : ""}
        </span>
      </div>
      {artifacts.length === 0 && (
        <p className="hint">
          No artifacts yet: <a href="#/pipelines/artifacts">upload a document</a> to preview the template on it.
        </p>
      )}
      {problem && (
        <p className="errors" role="alert" aria-label="Preview problem">
          {problem}
        </p>
      )}
      {preview && (
        <div className={pending || problem ? "preview-body stale" : "preview-body"}>
          {page && artifactId !== null && (
            <>
              <nav className="page-nav-bar" aria-label="Pages of the artifact">
                <button type="button" disabled={position <= 0} onClick={() => setChosenPage(pages[position - 1].number)}>
                  Previous page
                </button>
                <select aria-label="Page" value={page.number} onChange={(event) => setChosenPage(Number(event.target.value))}>
                  {pageOptions(preview).map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.text}
                    </option>
                  ))}
                </select>
                <button type="button" disabled={position >= pages.length - 1} onClick={() => setChosenPage(pages[position + 1].number)}>
                  Next page
                </button>
              </nav>
              <PageView
                page={page}
                imageUrl={pipelinesApi.pageImageUrl(artifactId, page.number)}
                outlines={pageOutlines(preview, page.number)}
                highlighted={highlighted}
                onRecord={setHighlighted}
              />
            </>
          )}
          {preview.problems?.length ? (
            <ul className="errors" aria-label="What the document fails of the template's expectations">
              {preview.problems.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          ) : null}
          <h3 id="records-heading">Records</h3>
          {preview.records.length === 0 ? (
            <p className="hint">No records: see the tables found and what was skipped below.</p>
          ) : (
            <div className="records-scroll">
              <table className="records-table" aria-labelledby="records-heading">
                <thead>
                  <tr>
                    <th scope="col">From</th>
                    {columns.map((column) => (
                      <th key={column} scope="col">
                        {column}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {preview.records.map((record, index) => (
                    <tr
                      key={index}
                      className={index === highlighted ? "record-highlighted" : undefined}
                      data-testid="preview-record"
                      onMouseEnter={() => setHighlighted(index)}
                      onMouseLeave={() => setHighlighted(null)}
                    >
                      <th scope="row">
                        {record.page != null && page ? (
                          <button type="button" className="link" onClick={() => showRecord(index)} aria-label={`Show record ${index + 1} on its page`}>
                            {recordSource(record)}
                          </button>
                        ) : (
                          recordSource(record) || `#${index + 1}`
                        )}
                      </th>
                      {columns.map((column) => {
                        const error = record.errors[column];
                        return (
                          <td key={column} className={error ? "cell-error" : undefined} title={cellTitle(record, column)}>
                            {cellText(record.values[column])}
                            {error && <span className="cell-message">{error}</span>}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {preview.tables.length > 0 && (
            <details className="tables-found" open={preview.tables.some((table) => !table.used)}>
              <summary>Tables found ({preview.tables.length})</summary>
              <ul>
                {preview.tables.map((table) => (
                  <li key={`${table.page}:${table.index}`} className={table.used ? undefined : "skipped"}>
                    {tableTitle(table)}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {preview.skipped.length > 0 && (
            <details className="skipped-list" open>
              <summary>Skipped ({preview.skipped.length})</summary>
              <ul>
                {preview.skipped.map((item, index) => (
                  <li key={index}>{skippedLine(item)}</li>
                ))}
              </ul>
            </details>
          )}
          {countEntries(preview.counts, "", SKIP_COUNT_KEYS).length + skipEntries(preview.counts).length > 0 && (
            <dl className="count-list" aria-label="Preview counts">
              {[...countEntries(preview.counts, "", SKIP_COUNT_KEYS), ...skipEntries(preview.counts)].map(([label, value]) => (
                <div key={label}>
                  <dt>{label}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
          )}
        </div>
      )}
    </section>
  );
}
