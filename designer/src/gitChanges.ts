/**
 * The Git dialog's pure parts: a unified diff split per file, the diff and the paths of the ticked files, why
 * a commit cannot be made yet, and a refused branch switch in words.
 */

/** One changed file, as the API's status lists it (`status` is porcelain's two letters, trimmed). */
export interface GitChange {
  status: string;
  path: string;
}

/** One file's part of a unified diff: its `diff --git` header and every line up to the next header. */
export interface FileDiff {
  path: string;
  text: string;
}

const HEADER = "diff --git ";

/** A path as git prints it: C-style quoted (and escaped) when it holds special characters. */
export function unquote(raw: string): string {
  if (!raw.startsWith('"') || !raw.endsWith('"') || raw.length < 2) return raw;
  const bytes: number[] = [];
  const escapes: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '"': 34, "\\": 92 };
  const body = raw.slice(1, -1);
  for (let index = 0; index < body.length; index++) {
    const char = body[index];
    if (char !== "\\") {
      bytes.push(...new TextEncoder().encode(char));
      continue;
    }
    const octal = /^[0-7]{3}/.exec(body.slice(index + 1));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      index += 3;
    } else {
      const next = body[index + 1] ?? "";
      bytes.push(escapes[next] ?? next.charCodeAt(0));
      index += 1;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** The file a diff section is about: its `+++ b/…` line, else (deleted) `--- a/…`, else the header's name. */
function pathOf(lines: string[]): string {
  const named = (prefix: string) => {
    const line = lines.find((item) => item.startsWith(prefix));
    if (!line) return null;
    const name = unquote(line.slice(4).replace(/\t.*$/, ""));
    return name === "/dev/null" ? null : name.replace(/^[ab]\//, "");
  };
  const fromLines = named("+++ ") ?? named("--- ");
  if (fromLines) return fromLines;
  // binary or mode-only changes: "diff --git a/<path> b/<path>", the same path twice
  const rest = lines[0].slice(HEADER.length);
  if (rest.startsWith('"')) {
    const end = rest.indexOf('" ');
    return unquote(rest.slice(0, end + 1)).replace(/^a\//, "");
  }
  const half = (rest.length - 5) / 2;
  return Number.isInteger(half) && half > 0 ? rest.slice(2, 2 + half) : rest;
}

/** A unified diff (`git diff`) split per file on its `diff --git` headers, in the diff's order, text kept whole. */
export function splitDiff(diff: string): FileDiff[] {
  const starts: number[] = [];
  for (let at = diff.startsWith(HEADER) ? 0 : diff.indexOf(`\n${HEADER}`); at !== -1; at = diff.indexOf(`\n${HEADER}`, at + 1)) {
    starts.push(at === 0 && diff.startsWith(HEADER) ? 0 : at + 1);
  }
  return starts.map((start, index) => {
    const text = diff.slice(start, starts[index + 1] ?? diff.length);
    return { path: pathOf(text.split("\n")), text };
  });
}

/** The diff of the ticked files only. */
export function diffOf(files: FileDiff[], ticked: ReadonlySet<string>): string {
  return files
    .filter((file) => ticked.has(file.path))
    .map((file) => file.text)
    .join("");
}

/** The paths a commit sends (`paths`): the ticked ones still listed as changed, in the list's order. */
export function commitPaths(changes: GitChange[], ticked: ReadonlySet<string>): string[] {
  return changes.filter((change) => ticked.has(change.path)).map((change) => change.path);
}

/** Why Commit is disabled, or null when a commit can be made. */
export function commitBlocker(changes: GitChange[], paths: string[], message: string): string | null {
  if (!changes.length) return "Nothing to commit: the location has no changes.";
  if (!paths.length) return "Tick at least one file to commit.";
  if (!message.trim()) return "Enter a commit message.";
  return null;
}

/** A refused branch switch in words, whatever the API answered: uncommitted changes are named first. */
export function switchRefusal(branch: string, apiMessage: string, uncommitted: string[]): string {
  const given = apiMessage.trim();
  if (!uncommitted.length) return `Not switched to ${branch}: ${given || "the platform API refused the switch."}`;
  const reason = `the location has uncommitted changes (${uncommitted.join(", ")}); commit them first, a switch changes the whole checkout.`;
  return given && !/uncommitted/i.test(given) ? `Not switched to ${branch}: ${reason} (${given})` : `Not switched to ${branch}: ${reason}`;
}
