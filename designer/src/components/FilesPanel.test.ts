// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { createElement } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { api } from "../api";
import { useDesigner } from "../store";
import { FilesPanel } from "./FilesPanel";

// Monaco does not run in jsdom: a textarea stands in for it. Monaco calls onChange from its own listener, outside
// React's events, so `typed` calls it the same way.
const editor = vi.hoisted(() => ({ onChange: (() => {}) as (text: string) => void }));
vi.mock("./CodeEditor", () => ({
  default: ({ value, onChange, label }: { value: string; onChange: (text: string) => void; label: string }) => {
    editor.onChange = onChange;
    return createElement("textarea", { "aria-label": label, value, readOnly: true });
  },
}));

const MODEL = "dbt_models/models/staging/orders.sql";

beforeEach(() => {
  useDesigner.setState({ location: "shop", refresh: async () => {} });
  vi.spyOn(api, "files").mockResolvedValue([{ path: MODEL, kind: "sql", size: 6 }]);
  vi.spyOn(api, "readFile").mockResolvedValue("select");
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe("the Files tab", () => {
  it("saves what the editor holds when Ctrl+S comes before React has rendered the last keystroke", async () => {
    const written = vi.spyOn(api, "writeFile").mockResolvedValue({});
    render(createElement(FilesPanel));
    fireEvent.click(await screen.findByTitle(MODEL));
    await screen.findByLabelText(`Contents of ${MODEL}`);
    act(() => {
      // one batch: React renders the keystroke only after Ctrl+S
      editor.onChange("select 1");
      window.dispatchEvent(new KeyboardEvent("keydown", { key: "s", ctrlKey: true }));
    });
    await vi.waitFor(() => expect(written).toHaveBeenCalledWith("shop", MODEL, "select 1"));
    expect(await screen.findByRole("button", { name: "Save file" })).toHaveProperty("disabled", true);
  });
});
