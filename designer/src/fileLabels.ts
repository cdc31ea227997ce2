/**
 * Labels of the Files tab's list: a file's name alone, or its whole path when another file has the same name
 * (a location has a `schema.yml` per dbt folder), so that no two entries read the same.
 */
export function fileLabels(paths: string[]): Map<string, string> {
  const nameOf = (path: string) => path.slice(path.lastIndexOf("/") + 1);
  const counts = new Map<string, number>();
  for (const path of paths) counts.set(nameOf(path), (counts.get(nameOf(path)) ?? 0) + 1);
  return new Map(paths.map((path) => [path, counts.get(nameOf(path))! > 1 ? path : nameOf(path)]));
}
