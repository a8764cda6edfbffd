/**
 * In-process signal "the lists of this database changed": an HTTP import or delete awaits the
 * reloaders of the same database, so that when it answers, the new list already matches events
 * in this process. Other processes notice the change by polling the lists version.
 */
type Listener = () => Promise<void>;

const listeners = new WeakMap<object, Set<Listener>>();

/** Registers a reloader for a database; returns the function that unregisters it. */
export function onListsChanged(db: object, listener: Listener): () => void {
  let set = listeners.get(db);
  if (!set) {
    set = new Set();
    listeners.set(db, set);
  }
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}

/** Tells the reloaders of a database to reload now; resolves when they have (errors are theirs to log). */
export async function notifyListsChanged(db: object): Promise<void> {
  const set = listeners.get(db);
  if (!set || set.size === 0) return;
  await Promise.all([...set].map((l) => l().catch(() => {})));
}
