/**
 * Exactly-once handling per webhook id. Chameleon retries a failed delivery
 * for up to two days, and a slow answer (over its delivery timeout) can
 * make a retry arrive while the first delivery is still being handled. The
 * receiver runs the handler once per id: a concurrent duplicate waits for the
 * running attempt and answers the same way, a later duplicate of a success is
 * acknowledged without running, and a failure is forgotten so the retry runs again.
 *
 * The default store lives in memory: right for one process. With several
 * instances, plug a shared store: `createRedisIdempotencyStore` from
 * `chameleon-webhooks/redis` (owner tokens, lease renewal, bounded calls).
 */
import { IDEMPOTENCY_TTL_HOURS } from './facts.js';
import { createOnceRunner, type OnceOutcome } from './once-per-id.js';

/** What `begin` found: run the handler (`claimed`), skip it (`done`), or another instance holds it (`in-progress`). */
export type IdempotencyClaim = 'claimed' | 'done' | 'in-progress';

/**
 * Where the receiver records which webhook ids were handled. Methods may be sync or async. Each claim
 * carries an owner token, unique to one attempt: a shared store should let only the owner complete,
 * renew or release its claim, so an attempt that outlived its lease cannot touch a newer one's.
 */
export interface IdempotencyStore {
  /** Atomically claims `id` for `owner` unless it is done or claimed and its lease has not run out. */
  begin(id: string, owner: string): IdempotencyClaim | Promise<IdempotencyClaim>;
  /** The handler succeeded: remember `id` for longer than Chameleon keeps retrying. */
  complete(id: string, owner: string): void | Promise<void>;
  /** The handler failed: forget `id` (if `owner` still holds it) so Chameleon's retry runs it again. */
  fail(id: string, owner: string): void | Promise<void>;
  /**
   * Optional: extends `owner`'s claim by a full lease; called every {@link renewEveryMs} while the handler
   * runs, so a slow handler is never run twice. Resolves `false` once the claim is no longer `owner`'s.
   */
  renew?(id: string, owner: string): boolean | Promise<boolean>;
  /** How often `renew` is called, in milliseconds (a fraction of the lease). */
  readonly renewEveryMs?: number;
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
  /** Which write of the id this is: a queue slot of an older write is stale. */
  generation: number;
}

/**
 * The in-memory default: bounded (oldest evicted first) and expiring. One process only.
 *
 * Eviction order is a FIFO of (id, generation) slots read from a head index, not the Map's own order:
 * iterating a Map from its start walks every deleted slot V8 keeps until a rehash, which made each
 * insert at the cap cost thousands of steps. Here each slot is visited once, and the FIFO is compacted
 * when stale slots outnumber live ones, so every operation is O(1) amortized at the cap as below it.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries = new Map<string, Entry>();
  #queueIds: string[] = [];
  #queueGenerations: number[] = [];
  #head = 0;
  #generation = 0;
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

  /** Slots in the eviction FIFO, stale ones included: at most about twice {@link size} (memory bound). */
  get queuedSlots(): number {
    return this.#queueIds.length - this.#head;
  }

  begin(id: string): IdempotencyClaim {
    const now = this.#now();
    const entry = this.#entries.get(id);
    if (entry && entry.expiresAt > now) return entry.state === 'done' ? 'done' : 'in-progress';
    this.#set(id, 'running', now + this.#leaseMs);
    return 'claimed';
  }

  complete(id: string): void {
    this.#set(id, 'done', this.#now() + this.#ttlMs);
  }

  fail(id: string): void {
    this.#entries.delete(id);
  }

  /** Writes the entry as the newest, then evicts from the oldest what expired or overflows. */
  #set(id: string, state: Entry['state'], expiresAt: number): void {
    const generation = ++this.#generation;
    this.#entries.set(id, { state, expiresAt, generation });
    this.#queueIds.push(id);
    this.#queueGenerations.push(generation);
    this.#evict(this.#now());
    // Both compactions cost the live slots, paid for by at least as many writes since the last one.
    const consumed = this.#head > 1024 && this.#head * 2 > this.#queueIds.length;
    if (consumed || this.queuedSlots > 2 * this.#entries.size + 1024) this.#compact();
  }

  #evict(now: number): void {
    while (this.#head < this.#queueIds.length) {
      const id = this.#queueIds[this.#head]!;
      const entry = this.#entries.get(id);
      if (entry && entry.generation === this.#queueGenerations[this.#head]) {
        if (this.#entries.size <= this.#maxEntries && entry.expiresAt > now) break;
        this.#entries.delete(id);
      }
      this.#head += 1;
    }
  }

  /** Keeps only the live slots after the head, in order. */
  #compact(): void {
    const ids: string[] = [];
    const generations: number[] = [];
    for (let index = this.#head; index < this.#queueIds.length; index++) {
      const id = this.#queueIds[index]!;
      const generation = this.#queueGenerations[index]!;
      if (this.#entries.get(id)?.generation !== generation) continue;
      ids.push(id);
      generations.push(generation);
    }
    this.#queueIds = ids;
    this.#queueGenerations = generations;
    this.#head = 0;
  }
}

export { HandlerTimeoutError, IdempotencyStoreUnavailableError, type OnceOutcome } from './once-per-id.js';

/**
 * Runs a task at most once per id: concurrent calls with the same id share the running call's outcome
 * (or its error) while its claim's lease holds; past the lease, a call claims the id again and runs, and
 * the stale attempt no longer touches the store. Later calls see the store's record. A task that does
 * not settle within `timeoutMs` fails with a `HandlerTimeoutError`. With `store: false` every call runs.
 *
 * Each attempt claims with its own owner token, and renews the claim while it runs when the store can.
 * A store that fails to claim rejects with {@link IdempotencyStoreUnavailableError} (nothing ran: answer
 * 503). Once the task succeeded, a store failure to record it does not undo that: the outcome is `ran`
 * (the store is responsible for retrying the record).
 */
export function createOncePerId(
  store: IdempotencyStore | false = new MemoryIdempotencyStore(),
  timeoutMs?: number,
): (id: string, task: () => void | Promise<void>) => Promise<OnceOutcome> {
  const runOnce = createOnceRunner(store, timeoutMs);
  return async (id, task) => runOnce(id, task);
}
