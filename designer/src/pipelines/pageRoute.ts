/**
 * The Pipelines page's sections as hash routes under `#/pipelines` (PageSwitch shows the page for all
 * of them): `#/pipelines` (pipelines and runs), `#/pipelines/templates`, `#/pipelines/templates/new`,
 * `#/pipelines/templates/7` (the editor), `#/pipelines/entities`, `#/pipelines/artifacts`.
 */
export type Section = "pipelines" | "templates" | "entities" | "artifacts";

export const SECTIONS: { section: Section; title: string }[] = [
  { section: "pipelines", title: "Pipelines" },
  { section: "templates", title: "Templates" },
  { section: "entities", title: "Entities" },
  { section: "artifacts", title: "Artifacts" },
];

export interface PageRoute {
  section: Section;
  /** The template the editor shows: an id, "new", or null outside the editor. */
  template: number | "new" | null;
}

const ROOT = "#/pipelines";

export function parseRoute(hash: string): PageRoute {
  const parts = hash.startsWith(ROOT) ? hash.slice(ROOT.length).split("/").filter(Boolean) : [];
  const section = SECTIONS.find((item) => item.section === parts[0])?.section ?? "pipelines";
  let template: PageRoute["template"] = null;
  if (section === "templates" && parts[1] === "new") template = "new";
  else if (section === "templates" && /^\d+$/.test(parts[1] ?? "")) template = Number(parts[1]);
  return { section, template };
}

export function routeHash(section: Section, template: PageRoute["template"] = null): string {
  if (section === "pipelines") return ROOT;
  return `${ROOT}/${section}${template === null ? "" : `/${template}`}`;
}
