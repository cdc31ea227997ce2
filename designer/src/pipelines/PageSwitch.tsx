import { lazy, type ReactNode, Suspense } from "react";

import { useHash } from "./useHash";

/** Loaded on first visit: the designer's first bundle stays as it was. */
const PipelinesPage = lazy(() => import("./PipelinesPage").then((module) => ({ default: module.PipelinesPage })));

/** The page the URL's hash names: `#/pipelines` (and its sections) shows the Pipelines page, anything else the designer. */
const PIPELINES_HASH = "#/pipelines";

export function PageSwitch({ designer }: { designer: ReactNode }) {
  const hash = useHash();
  if (!hash.startsWith(PIPELINES_HASH)) return <>{designer}</>;
  return (
    <Suspense fallback={<p role="status">Loading the Pipelines page…</p>}>
      <PipelinesPage />
    </Suspense>
  );
}
