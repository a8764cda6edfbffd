/** The outcome of the last action on a page or panel: a confirmation, a failure, or neither. */
export function Feedback({
  message = null,
  error = null,
}: {
  message?: string | null;
  error?: string | null;
}) {
  return (
    <>
      {message && (
        <p className="ok" role="status">
          {message}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
