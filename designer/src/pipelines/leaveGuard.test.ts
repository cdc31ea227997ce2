// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { confirmLeave, holdUnsaved, leaveQuestion, navigateWithoutAsking, unsavedForms } from "./leaveGuard";

/** A click on a link to `href`, as a user's: the event reports whether the page's guard cancelled it. */
function clickLink(href: string): MouseEvent {
  const link = document.createElement("a");
  link.href = href;
  document.body.append(link);
  const event = new MouseEvent("click", { bubbles: true, cancelable: true, button: 0 });
  link.dispatchEvent(event);
  link.remove();
  return event;
}

describe("leave guard", () => {
  let releases: (() => void)[] = [];
  const hold = (what: string) => releases.push(holdUnsaved(what));

  beforeEach(() => {
    window.location.hash = "#/pipelines/templates/new";
  });
  afterEach(() => {
    releases.forEach((release) => release());
    releases = [];
    vi.restoreAllMocks();
  });

  it("names what would be lost", () => {
    expect(leaveQuestion(["the new template"])).toBe("Leave without saving? The unsaved changes to the new template will be lost.");
    expect(leaveQuestion(["a", "b", "c"])).toContain("a, b and c");
  });

  it("asks nothing while no form is unsaved", () => {
    const ask = vi.spyOn(window, "confirm");
    expect(confirmLeave()).toBe(true);
    expect(clickLink("#/pipelines/entities").defaultPrevented).toBe(false);
    expect(ask).not.toHaveBeenCalled();
  });

  it("keeps the page on a link when the user stays, lets it go when they agree", () => {
    hold("the new template");
    const ask = vi.spyOn(window, "confirm").mockReturnValueOnce(false).mockReturnValueOnce(true);
    expect(clickLink("#/pipelines/entities").defaultPrevented).toBe(true);
    expect(clickLink("#/pipelines/entities").defaultPrevented).toBe(false);
    expect(ask).toHaveBeenCalledWith(leaveQuestion(["the new template"]));
  });

  it("forgets a form once released", () => {
    hold("the entity Sales");
    hold("the entity Sales");
    expect(unsavedForms()).toEqual(["the entity Sales"]);
    releases.forEach((release) => release());
    releases = [];
    expect(unsavedForms()).toEqual([]);
  });

  it("puts the address back before a router added after it hears of a refused back step", () => {
    hold("the pipeline Daily");
    vi.spyOn(window, "confirm").mockReturnValue(false);
    const router = vi.fn();
    window.addEventListener("hashchange", router);
    const before = window.location.href;
    window.history.replaceState(null, "", "#/pipelines"); // as the back button leaves it
    window.dispatchEvent(new HashChangeEvent("hashchange", { oldURL: before, newURL: window.location.href }));
    window.removeEventListener("hashchange", router);
    expect(router).not.toHaveBeenCalled();
    expect(window.location.href).toBe(before);
  });

  it("does not ask for a navigation the page makes after a save", () => {
    hold("the new template");
    const ask = vi.spyOn(window, "confirm");
    navigateWithoutAsking("#/pipelines/templates/4");
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    expect(ask).not.toHaveBeenCalled();
  });

  it("asks the browser to confirm an unload only while something is unsaved", () => {
    const unload = () => {
      const event = new Event("beforeunload", { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    };
    hold("the new entity");
    expect(unload()).toBe(true);
    releases.forEach((release) => release());
    releases = [];
    expect(unload()).toBe(false);
  });
});
