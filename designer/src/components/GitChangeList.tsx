import type { GitChange } from "../gitChanges";

const STATUS_WORDS: Record<string, string> = { M: "modified", A: "added", D: "deleted", R: "renamed", "??": "new" };

/** The location's changed files as a checklist: the ticked ones are the change set to review and commit. */
export function GitChangeList({
  changes,
  ticked,
  onToggle,
}: {
  changes: GitChange[];
  ticked: ReadonlySet<string>;
  onToggle: (path: string, on: boolean) => void;
}) {
  if (!changes.length) return <p className="git-clean">nothing changed</p>;
  return (
    <ul className="git-changes" aria-label="Changed files">
      {changes.map((change) => (
        <li key={change.path} data-path={change.path}>
          <label>
            <input type="checkbox" aria-label={`Commit ${change.path}`} checked={ticked.has(change.path)} onChange={(event) => onToggle(change.path, event.target.checked)} />
            <span className="git-status" title={STATUS_WORDS[change.status] ?? change.status}>
              {change.status}
            </span>{" "}
            {change.path}
          </label>
        </li>
      ))}
    </ul>
  );
}
