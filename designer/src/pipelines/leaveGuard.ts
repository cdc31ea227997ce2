/**
 * Asks before the page leaves a form with unsaved edits: a link or the back button (the page's sections are
 * hash routes, so React would just unmount the form and drop its draft), a reload or closing the tab
 * (beforeunload), or a form switched to another record. Forms say what they hold unsaved through
 * useLeaveGuard; one set of window listeners serves them all and does nothing while none is unsaved.
 */
import { useEffect } from "react";

/** What each mounted form with unsaved edits holds ("the template Sales"), by a key of its own. */
const unsaved = new Map<symbol, string>();
/** The hash the next hashchange may go to unasked: asked for already (a confirmed link), or after a save. */
let allowedHash: string | null = null;

/** The question asked before unsaved edits are dropped, naming them. */
export function leaveQuestion(what: string[]): string {
  const names = what.length <= 1 ? (what[0] ?? "this form") : `${what.slice(0, -1).join(", ")} and ${what[what.length - 1]}`;
  return `Leave without saving? The unsaved changes to ${names} will be lost.`;
}

export function unsavedForms(): string[] {
  return [...new Set(unsaved.values())];
}

/** True when nothing is unsaved, or the user agrees to drop it. */
export function confirmLeave(): boolean {
  const what = unsavedForms();
  return what.length === 0 || window.confirm(leaveQuestion(what));
}

/** Goes to a hash route without asking: the edits were just saved, or their record deleted. */
export function navigateWithoutAsking(hash: string): void {
  if (window.location.hash === hash) return; // no hashchange would come to use up the allowance
  allowedHash = hash;
  window.location.hash = hash;
}

/** A plain left click on a link to somewhere else in this window (not a new tab, not a download). */
function leavingLink(event: MouseEvent): HTMLAnchorElement | null {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const link = (event.target as Element | null)?.closest?.("a[href]");
  if (!(link instanceof HTMLAnchorElement) || (link.target && link.target !== "_self") || link.hasAttribute("download")) return null;
  return link.href === window.location.href ? null : link;
}

function onClick(event: MouseEvent): void {
  const link = leavingLink(event);
  if (!link || unsaved.size === 0) return;
  if (!confirmLeave()) {
    event.preventDefault();
    event.stopPropagation();
    return;
  }
  const target = new URL(link.href);
  const sameDocument = target.origin === window.location.origin && target.pathname === window.location.pathname && target.search === window.location.search;
  if (sameDocument && target.hash !== window.location.hash) allowedHash = target.hash;
  else if (!sameDocument) unsaved.clear(); // beforeunload must not ask a second time
}

/** Back, forward or an edited address: the URL has changed already; a "stay" puts it back before the page's routers see it. */
function onHashChange(event: HashChangeEvent): void {
  const allowed = allowedHash !== null && allowedHash === window.location.hash;
  allowedHash = null;
  if (allowed) return;
  if (confirmLeave()) return;
  event.stopImmediatePropagation(); // the routers, added after this listener, never hear of it
  window.history.replaceState(window.history.state, "", event.oldURL);
}

function onBeforeUnload(event: BeforeUnloadEvent): void {
  if (unsaved.size === 0) return;
  event.preventDefault();
  event.returnValue = ""; // older browsers ask only when returnValue is set
}

// At import, before any router's: a window's hashchange listeners run in the order they were added
// (useHash imports this module for that), so a "stay" is undone before a router unmounts the form.
document.addEventListener("click", onClick, true);
window.addEventListener("hashchange", onHashChange, true);
window.addEventListener("beforeunload", onBeforeUnload);

/** Holds `what` as unsaved until the returned release is called. */
export function holdUnsaved(what: string): () => void {
  const key = Symbol(what);
  unsaved.set(key, what);
  return () => {
    unsaved.delete(key);
  };
}

/** Registers a form's unsaved edits while `what` names them (null: nothing unsaved). */
export function useLeaveGuard(what: string | null): void {
  useEffect(() => (what === null ? undefined : holdUnsaved(what)), [what]);
}
