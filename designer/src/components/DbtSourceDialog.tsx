import { useLineage } from "../lineageStore";
import { Dialog } from "./Dialog";

/** The diff of a dependency drawn into a dbt model (a dbt source and the model's `depends_on` line): Write or Cancel. */
export function DbtSourceDialog() {
  const review = useLineage((state) => state.review);
  const busy = useLineage((state) => state.busy);
  const cancel = () => useLineage.getState().cancelReview();
  return (
    <Dialog title="Add a dbt source" open={review !== null} onClose={cancel}>
      {review && (
        <>
          <p>
            <code>{review.target}</code> will depend on <code>{review.source}</code> through a dbt source. Nothing is written until you press Write, and Undo takes it back.
          </p>
          <pre className="diff" aria-label="Diff of the dbt files" tabIndex={0}>
            {review.diff || "no changes"}
          </pre>
          <div className="actions">
            <button type="button" disabled={busy} onClick={cancel}>
              Cancel
            </button>
            <button type="button" disabled={busy} onClick={() => void useLineage.getState().writeReviewed()}>
              Write
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
