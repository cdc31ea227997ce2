import { useEffect, useState } from "react";

import { messageOf } from "../store";
import { isFinished, logLine } from "./pipelineMapping";
import { type LogEvent, type PipelineRun, pipelinesApi } from "./pipelinesApi";

const STATUS_POLL_MS = 1500;
/** Polls after the run has ended, waiting for the sensor to copy its counts. */
const POLLS_AFTER_END = 20;

export interface LogEntry {
  id: string;
  line: string;
}

export interface RunWatch {
  run: PipelineRun | null;
  lines: LogEntry[];
  /** Whether the log stream is open (it closes when the run has ended). */
  following: boolean;
  problem: string | null;
}

interface Watched<T> {
  key: string;
  value: T;
}

/** State that belongs to one run: read as `empty` while it holds another run's value. */
function useRunState<T>(key: string, empty: T) {
  const [state, setState] = useState<Watched<T>>({ key: "", value: empty });
  const value = state.key === key ? state.value : empty;
  const update = (forKey: string, next: (current: T) => T) =>
    setState((current) => ({ key: forKey, value: next(current.key === forKey ? current.value : empty) }));
  return [value, update] as const;
}

const NO_LINES: LogEntry[] = [];

/**
 * A run's status (polled until it has ended) and its log lines (the logs route's server-sent events;
 * EventSource reconnects with Last-Event-ID, and an id seen before is never shown twice).
 */
export function useRunWatch(pipelineId: number | null, runId: string | null): RunWatch {
  const key = pipelineId !== null && runId ? `${pipelineId}/${runId}` : "";
  const [run, setRun] = useRunState<PipelineRun | null>(key, null);
  const [lines, setLines] = useRunState<LogEntry[]>(key, NO_LINES);
  const [following, setFollowing] = useRunState(key, false);
  const [problem, setProblem] = useRunState<string | null>(key, null);

  useEffect(() => {
    if (pipelineId === null || !runId) return;
    let stopped = false;
    let timer: number | undefined;
    let pollsAfterEnd = 0;
    const poll = async () => {
      try {
        const current = await pipelinesApi.run(pipelineId, runId);
        if (stopped) return;
        setRun(key, () => current);
        if (isFinished(current.status) && (current.records_extracted != null || ++pollsAfterEnd > POLLS_AFTER_END)) return;
      } catch (error) {
        if (stopped) return;
        setProblem(key, () => `The run's status could not be read: ${messageOf(error)}`);
      }
      timer = window.setTimeout(poll, STATUS_POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the setters are keyed by `key`
  }, [key]);

  useEffect(() => {
    if (pipelineId === null || !runId) return;
    const seen = new Set<string>();
    const source = new EventSource(pipelinesApi.followLogsUrl(pipelineId, runId));
    source.onopen = () => setFollowing(key, () => true);
    source.onmessage = (message: MessageEvent<string>) => {
      const id = message.lastEventId || `local-${seen.size}`;
      if (seen.has(id)) return;
      seen.add(id);
      const entry = { id, line: logLine(JSON.parse(message.data) as LogEvent) };
      setLines(key, (current) => [...current, entry]);
    };
    source.addEventListener("end", () => {
      source.close();
      setFollowing(key, () => false);
    });
    source.addEventListener("error", (event) => {
      if (event instanceof MessageEvent) {
        // the server's own `event: error`: it says why it stopped
        const { message } = JSON.parse(event.data as string) as { message: string };
        setProblem(key, () => `The log stopped: ${message}`);
        source.close();
        setFollowing(key, () => false);
      } else if (source.readyState === EventSource.CLOSED) {
        setProblem(key, () => "The log could not be followed: the platform API refused the stream.");
        setFollowing(key, () => false);
      }
      // otherwise the connection dropped: EventSource reconnects by itself, resuming after the last id
    });
    return () => source.close();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the setters are keyed by `key`
  }, [key]);

  return { run, lines, following, problem };
}
