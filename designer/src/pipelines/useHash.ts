import "./leaveGuard"; // its hashchange listener must be added before this hook's (see there)

import { useEffect, useState } from "react";

/** The URL's hash, following its changes (the app's pages and the Pipelines page's sections are hash routes). */
export function useHash(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return hash;
}
