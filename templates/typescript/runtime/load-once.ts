/**
 * Code the package loads on first use (an ESM chunk: the incoming client's HTTP half, the
 * receiver's processing), behind one loader per piece.
 */

/** `load` runs on the first call and its promise serves every later one; a failed load runs again next time. */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
