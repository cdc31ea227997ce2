/** The links between the app's pages (hash routes, see pipelines/PageSwitch); the current one is marked. */
const PAGES = [
  { name: "Designer", href: "#/" },
  { name: "Pipelines", href: "#/pipelines" },
] as const;

export function PageNav({ current }: { current: (typeof PAGES)[number]["name"] }) {
  return (
    <nav aria-label="Pages" className="page-nav">
      {PAGES.filter((page) => page.name !== current).map((page) => (
        <a key={page.name} className="button" href={page.href}>
          {page.name}
        </a>
      ))}
    </nav>
  );
}
