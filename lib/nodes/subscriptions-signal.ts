/** Wakes this process's node subscription manager (a node was attached or replaced). */
const listeners = new Set<() => void>();

export function onNodesChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function kickNodeSubscriptions(): void {
  for (const listener of listeners) listener();
}
