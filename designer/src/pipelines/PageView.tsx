import { useState } from "react";

import { type Outline } from "./previewMapping";
import type { PreviewPage } from "./pipelinesApi";

interface PageViewProps {
  page: PreviewPage;
  imageUrl: string;
  outlines: Outline[];
  /** The record whose row is highlighted (hovered or chosen in the records table). */
  highlighted: number | null;
  onRecord(record: number | null): void;
}

/**
 * A document page as the API renders it, with the tables the template found drawn over it in PDF
 * points (the SVG's viewBox is the page's size, so no scaling by hand): used tables solid, skipped
 * ones dashed with the reason on hover, and a mark on each row that became a record below.
 */
export function PageView({ page, imageUrl, outlines, highlighted, onRecord }: PageViewProps) {
  const [broken, setBroken] = useState<string | null>(null);
  const used = outlines.filter((outline) => outline.used).length;
  return (
    <figure className="page-view">
      <div className="page-canvas" style={{ aspectRatio: `${page.width} / ${page.height}` }}>
        {broken === imageUrl ? (
          <p className="error page-missing">The page image could not be loaded.</p>
        ) : (
          <img src={imageUrl} alt={`Page ${page.number} of the artifact`} onError={() => setBroken(imageUrl)} />
        )}
        <svg viewBox={`0 0 ${page.width} ${page.height}`} preserveAspectRatio="none" role="group" aria-label={`Tables found on page ${page.number}`}>
          {outlines.map((outline) => {
            const [x0, top, x1, bottom] = outline.box;
            return (
              <g key={outline.key} className={`table-outline ${outline.used ? "table-used" : "table-skipped"}`} data-testid={`outline-${outline.key}`}>
                <title>{outline.title}</title>
                <rect x={x0} y={top} width={x1 - x0} height={bottom - top} />
                <text x={x0 + 2} y={Math.max(top - 3, 9)}>
                  {outline.label}
                </text>
                {outline.rows.map((row) => (
                  <rect
                    key={row.key}
                    className={`row-mark${row.failed ? " row-failed" : ""}${row.record === highlighted ? " row-highlighted" : ""}`}
                    x={row.box[0]}
                    y={row.box[1]}
                    width={row.box[2] - row.box[0]}
                    height={Math.max(row.box[3] - row.box[1], 1)}
                    onMouseEnter={() => onRecord(row.record)}
                    onMouseLeave={() => onRecord(null)}
                  >
                    <title>{`Record ${row.record + 1}${row.failed ? " (has errors)" : ""}`}</title>
                  </rect>
                ))}
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption className="hint">
        Page {page.number}: {outlines.length ? `${outlines.length} table${outlines.length === 1 ? "" : "s"}, ${used} used, ${outlines.length - used} skipped` : "no table found"}. Solid: used;
        dashed: skipped (hover for why); shaded rows became the records below (red: with errors).
      </figcaption>
    </figure>
  );
}
