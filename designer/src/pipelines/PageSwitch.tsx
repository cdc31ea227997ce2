import { type ReactNode, useEffect, useState } from "react";

import { PipelinesPage } from "./PipelinesPage";

/** The page the URL's hash names: `#/pipelines` shows the Pipelines page, anything else the designer. */
export const PIPELINES_HASH = "#/pipelines";

export function PageSwitch({ designer }: { designer: ReactNode }) {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return hash.startsWith(PIPELINES_HASH) ? <PipelinesPage /> : <>{designer}</>;
}
