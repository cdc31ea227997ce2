import { statusKind } from "./pipelineMapping";

export function StatusBadge({ status }: { status: string | null | undefined }) {
  return <span className={`run-status run-status-${statusKind(status)}`}>{status ?? "never run"}</span>;
}
