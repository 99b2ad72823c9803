/**
 * The analyst's own copy of an uploaded video, kept in this browser only, so the video page can play it beside the
 * timeline without the server keeping the file: in memory for this tab (an object URL) and in IndexedDB so a reload
 * still finds it. Browser-only; every function is a no-op answer (null) where IndexedDB is missing.
 */
const DB_NAME = "moodlens-local-videos";
const STORE = "videos";
/** Old copies are dropped so the browser's storage does not fill up with videos. */
const KEEP_LATEST = 5;

const memory = new Map<string, Blob>();

function openDb(): Promise<IDBDatabase | null> {
  if (typeof indexedDB === "undefined") return Promise.resolve(null);
  return new Promise((resolve) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(null);
  });
}

function run<T>(
  db: IDBDatabase,
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T | null> {
  return new Promise((resolve) => {
    const transaction = db.transaction(STORE, mode);
    const request = work(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request.result ?? null);
    transaction.onerror = () => resolve(null);
    transaction.onabort = () => resolve(null);
  });
}

interface StoredVideo {
  blob: Blob;
  name: string;
  savedAt: number;
}

export async function keepLocalVideo(jobId: string, file: File): Promise<void> {
  memory.set(jobId, file);
  const db = await openDb();
  if (!db) return;
  try {
    await run(db, "readwrite", (store) =>
      store.put({ blob: file, name: file.name, savedAt: Date.now() } satisfies StoredVideo, jobId),
    );
    const keys = ((await run(db, "readonly", (store) => store.getAllKeys())) ?? []) as string[];
    const entries = await Promise.all(
      keys.map(async (key) => ({
        key,
        saved: ((await run(db, "readonly", (store) => store.get(key))) as StoredVideo | null)?.savedAt ?? 0,
      })),
    );
    const stale = entries.sort((a, b) => b.saved - a.saved).slice(KEEP_LATEST);
    for (const entry of stale) await run(db, "readwrite", (store) => store.delete(entry.key));
  } catch {
    // Quota or private mode: the in-memory copy still plays in this tab.
  } finally {
    db.close();
  }
}

export async function findLocalVideo(jobId: string): Promise<Blob | null> {
  const cached = memory.get(jobId);
  if (cached) return cached;
  const db = await openDb();
  if (!db) return null;
  try {
    const stored = (await run(db, "readonly", (store) => store.get(jobId))) as StoredVideo | null;
    if (stored?.blob) memory.set(jobId, stored.blob);
    return stored?.blob ?? null;
  } catch {
    return null;
  } finally {
    db.close();
  }
}

export async function forgetLocalVideo(jobId: string): Promise<void> {
  memory.delete(jobId);
  const db = await openDb();
  if (!db) return;
  try {
    await run(db, "readwrite", (store) => store.delete(jobId));
  } finally {
    db.close();
  }
}
