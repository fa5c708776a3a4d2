/**
 * The once-per-id runner behind every receiver (internal: `createOncePerId` in idempotency.ts is its
 * public, promise-returning face). It stays synchronous as far as the store and the handler are: with
 * the memory store and a handler that returns no promise, a delivery is claimed, handled and recorded
 * without one promise, timer or microtask. Under load that is most of what a receiver costs beyond the
 * HMAC and the JSON parse. Anything that returns a promise (a shared store, an async handler) switches
 * that attempt to the asynchronous path, with the same outcomes.
 */
import type { IdempotencyClaim, IdempotencyStore } from './idempotency.js';

/** What happened to one delivery of an id. */
export type OnceOutcome = 'ran' | 'duplicate' | 'in-progress';

/** A value now, or a promise of it: what the runner's steps return. */
export type Maybe<T> = T | PromiseLike<T>;

/**
 * The store could not be asked whether an id was handled (it is unreachable, stalled or failed): the
 * receiver answers 503, so Chameleon retries, and nothing ran.
 */
export class IdempotencyStoreUnavailableError extends Error {
  override readonly name = 'IdempotencyStoreUnavailableError';
  constructor(
    readonly id: string,
    override readonly cause: unknown,
  ) {
    super(
      `The idempotency store could not claim ${id}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

/** A handler that did not settle in time: its attempt fails (500), so Chameleon's retry runs it again. */
export class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError';
  constructor(ms: number) {
    super(`The handler did not settle within ${ms} ms.`);
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

const rethrow = (error: unknown): never => {
  throw error;
};

/**
 * `next(value)` of what `work` returns, or `failed(error)` if it throws or rejects: at once when `work`
 * returns a plain value, once it settles when it returns a promise. The sync/async seam of the runner.
 */
export function step<T, R>(
  work: () => Maybe<T>,
  next: (value: T) => Maybe<R>,
  failed: (error: unknown) => Maybe<R> = rethrow,
): Maybe<R> {
  let value: Maybe<T>;
  try {
    value = work();
  } catch (error) {
    return failed(error);
  }
  return isThenable(value) ? Promise.resolve(value).then(next, failed) : next(value);
}

/** What {@link settleWithin} found: the work's value, its error, or {@link LATE} (it goes on). */
export const LATE = Symbol('late');
export type Settled<T> = { value: T } | { error: unknown } | typeof LATE;

/**
 * Waits for `work` at most `ms`, with one timer and no `Promise.race` (which cost about 1 µs a call):
 * the deadline of every receiver (the ack deadline, the handler timeout).
 */
export function settleWithin<T>(work: PromiseLike<T>, ms: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms, LATE);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve({ value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ error });
      },
    );
  });
}

/** `work`, failing with {@link HandlerTimeoutError} if it is a promise still pending after `ms`. */
function withTimeout(work: Maybe<void>, ms: number | undefined): Maybe<void> {
  if (!ms || !isThenable(work)) return work;
  return settleWithin(work, ms).then((settled) => {
    if (settled === LATE) throw new HandlerTimeoutError(ms);
    if ('error' in settled) throw settled.error;
  });
}

/**
 * Owner tokens: random per process, counted per attempt, so two attempts never share one. The prefix is
 * drawn on the first attempt, not at import: Workers forbid random values in the global scope.
 */
let ownerPrefix: string | undefined;
let ownerCount = 0;

function newOwner(): string {
  ownerPrefix ??= Array.from(globalThis.crypto.getRandomValues(new Uint32Array(2)), (word) =>
    word.toString(36),
  ).join('');
  ownerCount += 1;
  return `${ownerPrefix}:${ownerCount.toString(36)}`;
}

function claim(store: IdempotencyStore, id: string, owner: string): Maybe<IdempotencyClaim> {
  const unavailable = (error: unknown): never => {
    throw new IdempotencyStoreUnavailableError(id, error);
  };
  return step(
    () => store.begin(id, owner),
    (state) => state,
    unavailable,
  );
}

/** Renews `owner`'s claim while `work` runs (stores with `renew`), so its lease never runs out under it. */
function whileRenewing(store: IdempotencyStore, id: string, owner: string, work: Maybe<void>): Maybe<void> {
  const every = store.renewEveryMs;
  if (!isThenable(work) || !store.renew || !every || every <= 0) return work;
  let held = true;
  const timer = setInterval(() => {
    if (!held) return;
    Promise.resolve(store.renew?.(id, owner)).then(
      (kept) => (held = kept !== false),
      // A failed renewal is retried on the next tick; the store reports its own errors.
      () => undefined,
    );
  }, every);
  const stop = () => clearInterval(timer);
  return Promise.resolve(work).then(stop, (error: unknown) => {
    stop();
    throw error;
  });
}

/** A store failure after the handler ran must not fail it: the store retries or its lease runs out. */
function settle(action: () => void | PromiseLike<void>): Maybe<void> {
  // The store reports its own errors (the Redis store logs them and retries `complete`).
  return step(
    action,
    () => undefined,
    () => undefined,
  );
}

/** One attempt in the `running` table; `outcome` is set once the attempt had to wait for something. */
interface Attempt {
  outcome?: Promise<OnceOutcome>;
}

/** The outcome `running`'s attempt gives a concurrent duplicate: never a second run. */
function shared(attempt: Attempt): Maybe<OnceOutcome> {
  // No outcome yet: the handler itself delivered its own id again, synchronously.
  if (!attempt.outcome) return 'in-progress';
  return attempt.outcome.then((outcome) => (outcome === 'ran' ? 'duplicate' : outcome));
}

/**
 * Runs a task at most once per id: concurrent calls with the same id share the running call's outcome
 * (or its error) while its claim's lease holds; past the lease, a call claims the id again and runs,
 * and the stale attempt no longer touches the store. Later calls see the store's record. A task that
 * does not settle within `timeoutMs` fails. With `store: false` every call runs. The result is a plain
 * value when nothing along the way returned a promise; a sync throw and a rejection mean the same.
 */
export function createOnceRunner(store: IdempotencyStore | false, timeoutMs?: number) {
  const running = new Map<string, Attempt>();

  function attemptOnce(
    id: string,
    task: () => Maybe<void>,
    claimed: string | undefined,
    attempt: Attempt,
  ): Maybe<OnceOutcome> {
    if (!store)
      return step(
        () => withTimeout(task(), timeoutMs),
        () => 'ran',
      );
    const owner = claimed ?? newOwner();
    return step(
      () => (claimed ? 'claimed' : claim(store, id, owner)),
      (state): Maybe<OnceOutcome> => {
        if (state !== 'claimed') return state === 'done' ? 'duplicate' : 'in-progress';
        return step(
          () => whileRenewing(store, id, owner, withTimeout(task(), timeoutMs)),
          () =>
            step(
              () => settle(() => store.complete(id, owner)),
              () => 'ran',
            ),
          // A newer attempt holds the id now (this one outlived its lease): its record stands.
          (error) =>
            step(
              () => (running.get(id) === attempt ? settle(() => store.fail(id, owner)) : undefined),
              () => rethrow(error),
            ),
        );
      },
    );
  }

  function run(id: string, task: () => Maybe<void>, claimed?: string): Maybe<OnceOutcome> {
    const attempt: Attempt = {};
    running.set(id, attempt);
    const done = () => {
      if (running.get(id) === attempt) running.delete(id);
    };
    const outcome = step(
      () => attemptOnce(id, task, claimed, attempt),
      (value) => {
        done();
        return value;
      },
      (error) => {
        done();
        throw error;
      },
    );
    if (isThenable(outcome)) attempt.outcome = Promise.resolve(outcome);
    return outcome;
  }

  return function oncePerId(id: string, task: () => Maybe<void>): Maybe<OnceOutcome> {
    const pending = running.get(id);
    if (!pending) return run(id, task);
    if (!store) return shared(pending);
    // The running attempt holds the id only for its lease: past it, this delivery is processed.
    const owner = newOwner();
    return step(
      () => claim(store, id, owner),
      (state) =>
        state === 'claimed' ? run(id, task, owner) : state === 'done' ? 'duplicate' : shared(pending),
    );
  };
}
