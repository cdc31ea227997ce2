import { lazy, type ReactNode, Suspense, useEffect, useState } from "react";

/** Loaded on first visit: the designer's first bundle stays as it was. */
const PipelinesPage = lazy(() => import("./PipelinesPage").then((module) => ({ default: module.PipelinesPage })));

/** The page the URL's hash names: `#/pipelines` shows the Pipelines page, anything else the designer. */
const PIPELINES_HASH = "#/pipelines";

export function PageSwitch({ designer }: { designer: ReactNode }) {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  if (!hash.startsWith(PIPELINES_HASH)) return <>{designer}</>;
  return (
    <Suspense fallback={<p role="status">Loading the Pipelines page…</p>}>
      <PipelinesPage />
    </Suspense>
  );
}
