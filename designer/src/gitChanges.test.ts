import { describe, expect, it } from "vitest";

import { commitBlocker, commitPaths, diffOf, splitDiff, switchRefusal } from "./gitChanges";

const MODIFIED = `diff --git a/app/loc/defs.yaml b/app/loc/defs.yaml
index 1111111..2222222 100644
--- a/app/loc/defs.yaml
+++ b/app/loc/defs.yaml
@@ -1 +1 @@
-source: mysql
+source: postgres
`;
const ADDED = `diff --git a/app/loc/new file.sql b/app/loc/new file.sql
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/app/loc/new file.sql
@@ -0,0 +1 @@
+select 1
`;
const DELETED = `diff --git a/app/loc/old.sql b/app/loc/old.sql
deleted file mode 100644
index 4444444..0000000
--- a/app/loc/old.sql
+++ /dev/null
@@ -1 +0,0 @@
-select 2
`;
const BINARY = `diff --git a/app/loc/logo.png b/app/loc/logo.png
new file mode 100644
index 0000000..5555555
Binary files /dev/null and b/app/loc/logo.png differ
`;
const QUOTED = `diff --git "a/app/loc/say \\"hi\\".sql" "b/app/loc/say \\"hi\\".sql"
index 6666666..7777777 100644
--- "a/app/loc/say \\"hi\\".sql"
+++ "b/app/loc/say \\"hi\\".sql"
@@ -1 +1 @@
-a
+b
`;

describe("splitDiff", () => {
  it("splits a unified diff per file on its diff --git headers, each file's text whole", () => {
    const diff = MODIFIED + ADDED + DELETED;
    const files = splitDiff(diff);
    expect(files.map((file) => file.path)).toEqual(["app/loc/defs.yaml", "app/loc/new file.sql", "app/loc/old.sql"]);
    expect(files.map((file) => file.text)).toEqual([MODIFIED, ADDED, DELETED]);
    expect(files.map((file) => file.text).join("")).toBe(diff);
  });

  it("names binary files from the header and unquotes quoted paths", () => {
    expect(splitDiff(BINARY + QUOTED).map((file) => file.path)).toEqual(["app/loc/logo.png", 'app/loc/say "hi".sql']);
  });

  it("keeps a diff line that merely contains the header text inside a file", () => {
    const inner = MODIFIED.replace("+source: postgres", "+ diff --git a/x b/x");
    expect(splitDiff(inner)).toHaveLength(1);
  });

  it("finds no files in an empty diff", () => {
    expect(splitDiff("")).toEqual([]);
  });
});

describe("the ticked files", () => {
  const changes = [
    { status: "M", path: "app/loc/defs.yaml" },
    { status: "??", path: "app/loc/new file.sql" },
    { status: "D", path: "app/loc/old.sql" },
  ];

  it("show only their diff", () => {
    const files = splitDiff(MODIFIED + ADDED + DELETED);
    expect(diffOf(files, new Set(["app/loc/defs.yaml", "app/loc/old.sql"]))).toBe(MODIFIED + DELETED);
    expect(diffOf(files, new Set())).toBe("");
  });

  it("are the paths a commit sends, in the listed order, none that is no longer changed", () => {
    const ticked = new Set(["app/loc/old.sql", "app/loc/defs.yaml", "app/loc/committed-meanwhile.sql"]);
    expect(commitPaths(changes, ticked)).toEqual(["app/loc/defs.yaml", "app/loc/old.sql"]);
    expect(commitPaths(changes, new Set())).toEqual([]);
  });

  it("and a message make a commit possible; otherwise the reason is given", () => {
    expect(commitBlocker(changes, ["app/loc/defs.yaml"], "  Fix the source ")).toBeNull();
    expect(commitBlocker(changes, [], "Fix")).toBe("Tick at least one file to commit.");
    expect(commitBlocker(changes, ["app/loc/defs.yaml"], "   ")).toBe("Enter a commit message.");
    expect(commitBlocker([], [], "Fix")).toMatch(/no changes/);
  });
});

describe("switchRefusal", () => {
  it("names the uncommitted files whatever the API answered", () => {
    expect(switchRefusal("main", "", ["a.sql"])).toBe(
      "Not switched to main: the location has uncommitted changes (a.sql); commit them first, a switch changes the whole checkout.",
    );
    expect(switchRefusal("main", "The platform API answered 500", ["a.sql"])).toMatch(/uncommitted changes \(a\.sql\).*\(The platform API answered 500\)$/);
    expect(switchRefusal("main", "location 'x' has uncommitted changes; commit them first: a.sql", ["a.sql"])).not.toMatch(/\(location/);
  });

  it("gives the API's reason otherwise", () => {
    expect(switchRefusal("main", "git switch failed: would be overwritten", [])).toBe("Not switched to main: git switch failed: would be overwritten");
    expect(switchRefusal("main", " ", [])).toBe("Not switched to main: the platform API refused the switch.");
  });
});
