/**
 * The Redis calls of one turn of the event loop, for the scale-out entries (internal). Under load,
 * node:http parses many requests in one turn (one poll phase); the calls they make:
 * - leave in one write at the end of the turn, where the client shows its socket (ioredis' `stream`):
 *   the socket is corked at the turn's first call and uncorked once the turn is over (`setImmediate`),
 *   so Redis gets one write instead of one per call, and its replies come back together. node-redis
 *   already writes a turn's commands at once; a client without a socket writes as it goes;
 * - share one timer: each call is bounded by `timeoutMs` from the turn's start, and rejects with its own
 *   timeout error if its reply has not come by then (a reply that lands later goes to `late`).
 *
 * Nothing else is shared: each call gets its own reply or error, as if it had been sent alone.
 */

/** A socket whose writes can be held back and sent together (a Node stream). */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/** The socket of a client that shows one (ioredis: `stream`), if it can be corked; else undefined. */
export function corkableSocketOf(client: unknown): Corkable | undefined {
  const stream = (client as { stream?: Partial<Corkable> } | null | undefined)?.stream;
  return typeof stream?.cork === 'function' && typeof stream.uncork === 'function'
    ? (stream as Corkable)
    : undefined;
}

interface Waiting {
  settled: boolean;
  expire(): void;
}

interface Turn {
  waiting: Set<Waiting>;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Set once the turn is over: its timer goes once its last call settled. */
  over: boolean;
}

// Node, Bun and Deno have setImmediate; elsewhere a zero timeout ends the turn too.
const afterTurn: (run: () => void) => unknown =
  typeof globalThis.setImmediate === 'function'
    ? (run) => globalThis.setImmediate(run)
    : (run) => setTimeout(run, 0);

export interface TurnsOptions {
  /** Longest wait for a call's reply, from the start of the turn it was made in. */
  timeoutMs: number;
  /** The socket to cork for a turn, read at the start of each (a reconnect replaces it). */
  socket?: () => Corkable | undefined;
}

/** A call bounded by its turn's timer: `work` runs at once, inside the turn (so its write is held back). */
export type BoundedCall = <T>(
  work: () => T | Promise<T>,
  timeout: () => Error,
  late?: (value: T) => void,
) => Promise<T>;

export function createTurns(options: TurnsOptions): BoundedCall {
  let current: Turn | undefined;

  function open(): Turn {
    const turn: Turn = { waiting: new Set(), timer: undefined, over: false };
    turn.timer = setTimeout(() => {
      turn.timer = undefined;
      for (const waiting of turn.waiting) waiting.expire();
      turn.waiting.clear();
    }, options.timeoutMs);
    const socket = options.socket?.();
    socket?.cork();
    afterTurn(() => {
      turn.over = true;
      if (current === turn) current = undefined;
      socket?.uncork();
      if (turn.waiting.size === 0) clearTimeout(turn.timer);
    });
    return turn;
  }

  function done(turn: Turn, waiting: Waiting): void {
    turn.waiting.delete(waiting);
    // Every call of a finished turn settled: its timer has nothing left to bound.
    if (turn.over && turn.waiting.size === 0 && turn.timer !== undefined) {
      clearTimeout(turn.timer);
      turn.timer = undefined;
    }
  }

  return <T>(work: () => T | Promise<T>, timeout: () => Error, late?: (value: T) => void) => {
    current ??= open();
    const turn = current;
    return new Promise<T>((resolve, reject) => {
      const waiting: Waiting = {
        settled: false,
        expire() {
          waiting.settled = true;
          reject(timeout());
        },
      };
      turn.waiting.add(waiting);
      // `work` may throw synchronously (a closed client): a rejection all the same.
      new Promise<T>((run) => run(work()))
        .then(
          (value) => {
            if (waiting.settled) late?.(value);
            else {
              waiting.settled = true;
              resolve(value);
            }
            done(turn, waiting);
          },
          (error: unknown) => {
            if (!waiting.settled) {
              waiting.settled = true;
              reject(error);
            }
            done(turn, waiting);
          },
        )
        .catch(() => undefined); // only `late` can throw here, once nobody waits any more
    });
  };
}
