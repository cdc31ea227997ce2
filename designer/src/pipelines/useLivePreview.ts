import { useEffect, useRef, useState } from "react";

import type { Preview } from "./pipelinesApi";

/** How long the editor waits after the last keystroke before it asks for a preview. */
export const PREVIEW_DELAY_MS = 500;

export interface LivePreview {
  preview: Preview | null;
  /** Why the newest request failed (null when it succeeded). */
  failure: unknown;
  /** A request is waiting or under way: the shown preview is of an older draft. */
  pending: boolean;
}

/**
 * The preview of the newest request, asked for `delay` ms after its key last changed; an answer to an
 * older request (a slower one overtaken by a later edit) is dropped. `key` says what the request asks
 * (template body, artifact): null asks for nothing. `onAnswer` hears each answer that is kept.
 */
export function useLivePreview(key: string | null, ask: () => Promise<Preview>, onAnswer: (failure: unknown) => void, delay = PREVIEW_DELAY_MS): LivePreview {
  const [state, setState] = useState<{ answered: string | null; preview: Preview | null; failure: unknown }>({ answered: null, preview: null, failure: null });
  const latest = useRef({ ask, onAnswer });
  const sequence = useRef(0);

  useEffect(() => {
    latest.current = { ask, onAnswer };
  });

  useEffect(() => {
    if (key === null) return;
    const mine = (sequence.current += 1);
    const current = () => mine === sequence.current;
    const timer = window.setTimeout(() => {
      latest.current.ask().then(
        (preview) => {
          if (!current()) return;
          setState({ answered: key, preview, failure: null });
          latest.current.onAnswer(null);
        },
        (failure: unknown) => {
          if (!current()) return;
          setState((previous) => ({ ...previous, answered: key, failure }));
          latest.current.onAnswer(failure);
        },
      );
    }, delay);
    return () => window.clearTimeout(timer);
  }, [key, delay]);

  return { preview: state.preview, failure: state.failure, pending: key !== null && state.answered !== key };
}
