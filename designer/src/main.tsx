import "@xyflow/react/dist/style.css";
import "./styles.css";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { PageSwitch } from "./pipelines/PageSwitch";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <PageSwitch designer={<App />} />
  </StrictMode>,
);
