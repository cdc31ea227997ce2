import { useEffect, useRef, useState } from "react";

/**
 * Delete with a confirmation in place (no browser dialog): the first press asks, naming what else the
 * deletion touches; "Delete" confirms, "Keep" or Escape cancels.
 */
export function DeleteButton({ what, warning, onDelete }: { what: string; warning?: string; onDelete(): Promise<unknown> }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  const start = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (asking) confirm.current?.focus();
  }, [asking]);

  async function remove() {
    setBusy(true);
    try {
      await onDelete();
    } finally {
      setBusy(false);
      setAsking(false);
    }
  }

  function keep() {
    setAsking(false);
    window.setTimeout(() => start.current?.focus());
  }

  if (!asking) {
    return (
      <button ref={start} type="button" className="danger" aria-label={`Delete ${what}`} onClick={() => setAsking(true)}>
        Delete
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={`Confirm deleting ${what}`} onKeyDown={(event) => event.key === "Escape" && keep()}>
      <span>Delete {what}?{warning ? ` ${warning}` : ""}</span>
      <button ref={confirm} type="button" className="danger" disabled={busy} onClick={() => void remove()} aria-label={`Yes, delete ${what}`}>
        {busy ? "Deleting…" : "Delete"}
      </button>
      <button type="button" onClick={keep} disabled={busy}>
        Keep
      </button>
    </span>
  );
}
