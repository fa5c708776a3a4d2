/**
 * Exactly-once handling per webhook id. Chameleon retries a failed delivery
 * for up to two days, and a slow answer (over its delivery timeout) can
 * make a retry arrive while the first delivery is still being handled. The
 * receiver runs the handler once per id: a concurrent duplicate waits for the
 * running attempt and answers the same way, a later duplicate of a success is
 * acknowledged without running, and a failure is forgotten so the retry runs again.
 *
 * The default store lives in memory: right for one process. With several
 * instances, plug a shared store. A Redis store is three commands:
 *
 * ```ts
 * import type { IdempotencyStore } from 'chameleon-webhooks';
 * const redisStore = (redis: Redis): IdempotencyStore => ({
 *   // Claim for the lease; NX makes exactly one instance win.
 *   async begin(id) {
 *     if (await redis.set(`chameleon:${id}`, 'running', 'PX', DEFAULT_PROCESSING_LEASE_MS, 'NX')) return 'claimed';
 *     return (await redis.get(`chameleon:${id}`)) === 'done' ? 'done' : 'in-progress';
 *   },
 *   async complete(id) { await redis.set(`chameleon:${id}`, 'done', 'PX', DEFAULT_IDEMPOTENCY_TTL_MS); },
 *   async fail(id) { await redis.del(`chameleon:${id}`); },
 * });
 * createNodeHandler({ secret, on, idempotency: redisStore(redis) });
 * ```
 */
import { IDEMPOTENCY_TTL_HOURS } from './facts.js';

/** What `begin` found: run the handler (`claimed`), skip it (`done`), or another instance holds it (`in-progress`). */
export type IdempotencyClaim = 'claimed' | 'done' | 'in-progress';

/** Where the receiver records which webhook ids were handled. Methods may be sync or async. */
export interface IdempotencyStore {
  /** Atomically claims `id` unless it is done or claimed and its lease has not run out. */
  begin(id: string): IdempotencyClaim | Promise<IdempotencyClaim>;
  /** The handler succeeded: remember `id` for longer than Chameleon keeps retrying. */
  complete(id: string): void | Promise<void>;
  /** The handler failed: forget `id` so Chameleon's retry runs it again. */
  fail(id: string): void | Promise<void>;
}

/**
 * How long a handled id is remembered: {@link IDEMPOTENCY_TTL_HOURS}, the retry span and a margin,
 * so even the last retry (late by backoff jitter or the replay window) is recognised.
 */
export const DEFAULT_IDEMPOTENCY_TTL_MS = IDEMPOTENCY_TTL_HOURS * 60 * 60 * 1000;

/**
 * How long a claim blocks other instances when its owner never reports back
 * (it crashed): after this, a retry may claim the id again.
 */
export const DEFAULT_PROCESSING_LEASE_MS = 5 * 60 * 1000;

export interface MemoryIdempotencyStoreOptions {
  /** How long a handled id is remembered (default {@link DEFAULT_IDEMPOTENCY_TTL_MS}). */
  ttlMs?: number;
  /** How long an unfinished claim holds (default 5 minutes). */
  leaseMs?: number;
  /** At most this many ids are remembered; the oldest go first (default 100 000). */
  maxEntries?: number;
  /** The clock, in epoch milliseconds (default `Date.now`). */
  now?: () => number;
}

interface Entry {
  state: 'running' | 'done';
  expiresAt: number;
}

/** The in-memory default: bounded (oldest evicted first) and expiring. One process only. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #leaseMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.#leaseMs = options.leaseMs ?? DEFAULT_PROCESSING_LEASE_MS;
    this.#maxEntries = Math.max(1, options.maxEntries ?? 100_000);
    this.#now = options.now ?? Date.now;
  }

  /** How many ids are remembered (running or done). */
  get size(): number {
    return this.#entries.size;
  }

  begin(id: string): IdempotencyClaim {
    const now = this.#now();
    const entry = this.#entries.get(id);
    if (entry && entry.expiresAt > now) return entry.state === 'done' ? 'done' : 'in-progress';
    this.#set(id, { state: 'running', expiresAt: now + this.#leaseMs });
    return 'claimed';
  }

  complete(id: string): void {
    this.#set(id, { state: 'done', expiresAt: this.#now() + this.#ttlMs });
  }

  fail(id: string): void {
    this.#entries.delete(id);
  }

  /** Re-inserts so the Map's order stays oldest-first, then evicts what expired or overflows. */
  #set(id: string, entry: Entry): void {
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    const now = this.#now();
    for (const [key, value] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && value.expiresAt > now) break;
      this.#entries.delete(key);
    }
  }
}

/** What happened to one delivery of an id. */
export type OnceOutcome = 'ran' | 'duplicate' | 'in-progress';

/** A handler that did not settle in time: its attempt fails (500), so Chameleon's retry runs it again. */
export class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError';
  constructor(ms: number) {
    super(`The handler did not settle within ${ms} ms.`);
  }
}

function withTimeout(work: Promise<void>, ms: number | undefined): Promise<void> {
  if (!ms) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HandlerTimeoutError(ms)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Runs a task at most once per id: concurrent calls with the same id share the
 * running call's outcome (or its error) while its claim's lease holds; past the
 * lease, a call claims the id again and runs, and the stale attempt no longer
 * touches the store. Later calls see the store's record. A task that does not
 * settle within `timeoutMs` fails. With `store: false` every call runs.
 */
export function createOncePerId(
  store: IdempotencyStore | false = new MemoryIdempotencyStore(),
  timeoutMs?: number,
) {
  const running = new Map<string, Promise<OnceOutcome>>();

  function run(id: string, task: () => Promise<void>, claimed?: 'claimed'): Promise<OnceOutcome> {
    let attempt: Promise<OnceOutcome> | undefined;
    const current = () => running.get(id) === attempt;
    attempt = (async (): Promise<OnceOutcome> => {
      if (!store) {
        await withTimeout(task(), timeoutMs);
        return 'ran';
      }
      const claim = claimed ?? (await store.begin(id));
      if (claim === 'done') return 'duplicate';
      if (claim === 'in-progress') return 'in-progress';
      try {
        await withTimeout(task(), timeoutMs);
      } catch (error) {
        // A newer attempt holds the id now (this one outlived its lease): its record stands.
        if (current()) await store.fail(id);
        throw error;
      }
      await store.complete(id);
      return 'ran';
    })().finally(() => {
      if (current()) running.delete(id);
    });
    running.set(id, attempt);
    return attempt;
  }

  return async function oncePerId(id: string, task: () => Promise<void>): Promise<OnceOutcome> {
    const pending = running.get(id);
    if (!pending) return run(id, task);
    if (store) {
      // The running attempt holds the id only for its lease: past it, this delivery is processed.
      const claim = await store.begin(id);
      if (claim === 'claimed') return run(id, task, claim);
      if (claim === 'done') return 'duplicate';
    }
    // A concurrent duplicate within the lease: answer as the running attempt does, never run twice.
    return pending.then((outcome) => (outcome === 'ran' ? 'duplicate' : outcome));
  };
}
