/**
 * The in-memory store's eviction FIFO against the Map-ordered store it replaced (same answers on
 * random operations with a fake clock), its memory bound, and createOncePerId's owner tokens and
 * store failures. Its speed at the cap is measured in `npm run bench -- store`.
 */
import { describe, expect, it } from 'vitest';
import {
  createOncePerId,
  IdempotencyStoreUnavailableError,
  MemoryIdempotencyStore,
  type IdempotencyClaim,
  type IdempotencyStore,
} from '../generated/typescript/src/index.js';

/** The previous store, verbatim in behaviour: the Map's insertion order is the eviction order. */
class MapOrderedStore {
  readonly entries = new Map<string, { state: 'running' | 'done'; expiresAt: number }>();
  constructor(
    readonly ttlMs: number,
    readonly leaseMs: number,
    readonly maxEntries: number,
    readonly now: () => number,
  ) {}
  begin(id: string): IdempotencyClaim {
    const entry = this.entries.get(id);
    if (entry && entry.expiresAt > this.now()) return entry.state === 'done' ? 'done' : 'in-progress';
    this.set(id, { state: 'running', expiresAt: this.now() + this.leaseMs });
    return 'claimed';
  }
  complete(id: string): void {
    this.set(id, { state: 'done', expiresAt: this.now() + this.ttlMs });
  }
  fail(id: string): void {
    this.entries.delete(id);
  }
  set(id: string, entry: { state: 'running' | 'done'; expiresAt: number }): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
    for (const [key, value] of this.entries) {
      if (this.entries.size <= this.maxEntries && value.expiresAt > this.now()) break;
      this.entries.delete(key);
    }
  }
}

/** A small deterministic PRNG (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('MemoryIdempotencyStore', () => {
  it('answers as the Map-ordered store did, on 200 000 random operations', () => {
    for (const seed of [1, 2, 3, 4]) {
      let now = 0;
      const clock = () => now;
      const next = random(seed);
      const store = new MemoryIdempotencyStore({ ttlMs: 500, leaseMs: 50, maxEntries: 64, now: clock });
      const reference = new MapOrderedStore(500, 50, 64, clock);
      const mismatches: string[] = [];
      for (let step = 0; step < 50_000 && mismatches.length < 5; step++) {
        now += Math.floor(next() * 3);
        const id = `id-${Math.floor(next() * 200)}`;
        const op = next();
        if (op < 0.6) {
          const [got, want] = [store.begin(id), reference.begin(id)];
          if (got !== want) mismatches.push(`seed ${seed} step ${step}: begin(${id}) ${got}, want ${want}`);
        } else if (op < 0.9) {
          store.complete(id);
          reference.complete(id);
        } else {
          store.fail(id);
          reference.fail(id);
        }
        if (store.size !== reference.entries.size) mismatches.push(`seed ${seed} step ${step}: size`);
      }
      expect(mismatches).toEqual([]);
    }
  });

  it('keeps its eviction FIFO within about twice its size, however the ids churn', () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 1000 });
    // The same few ids rewritten over and over: every write leaves a stale slot behind.
    for (let round = 0; round < 20_000; round++) {
      const id = `hot-${round % 10}`;
      store.begin(id);
      store.complete(id);
    }
    expect(store.size).toBe(10);
    expect(store.queuedSlots).toBeLessThanOrEqual(2 * store.size + 1025);
    // New ids past the cap: the oldest go, and the FIFO stays bounded.
    for (let index = 0; index < 50_000; index++) store.complete(`new-${index}`);
    expect(store.size).toBe(1000);
    expect(store.queuedSlots).toBeLessThanOrEqual(2 * store.size + 1025);
    expect(store.begin('new-49000')).toBe('done');
    expect(store.begin('new-48999')).toBe('claimed');
  });
});

/** A store that records what it is told (owner tokens included) and can be made to fail. */
class RecordingStore implements IdempotencyStore {
  readonly calls: string[] = [];
  readonly renewEveryMs = 10;
  failing: 'begin' | 'complete' | undefined;
  begin(id: string, owner: string): IdempotencyClaim {
    this.calls.push(`begin ${id} ${owner}`);
    if (this.failing === 'begin') throw new Error('connection refused');
    return 'claimed';
  }
  complete(id: string, owner: string): void {
    this.calls.push(`complete ${id} ${owner}`);
    if (this.failing === 'complete') throw new Error('connection reset');
  }
  fail(id: string, owner: string): void {
    this.calls.push(`fail ${id} ${owner}`);
  }
  renew(id: string, owner: string): boolean {
    this.calls.push(`renew ${id} ${owner}`);
    return true;
  }
}

describe('createOncePerId with a shared store', () => {
  it('claims with a fresh owner token per attempt, renews it while the task runs, and settles with it', async () => {
    const store = new RecordingStore();
    const once = createOncePerId(store);
    await once('a', () => new Promise((resolve) => setTimeout(resolve, 55)));
    await expect(once('b', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    const owners = store.calls.map((call) => call.split(' ')[2]);
    const [first] = owners;
    const aCalls = store.calls.filter((call) => call.includes(' a '));
    expect(aCalls[0]).toBe(`begin a ${first}`);
    expect(aCalls.at(-1)).toBe(`complete a ${first}`);
    expect(aCalls.filter((call) => call.startsWith('renew')).length).toBeGreaterThanOrEqual(3);
    expect(aCalls.every((call) => call.endsWith(` ${first}`))).toBe(true);
    const bOwner = store.calls.find((call) => call.startsWith('begin b'))!.split(' ')[2];
    expect(bOwner).not.toBe(first);
    expect(store.calls.at(-1)).toBe(`fail b ${bOwner}`);
    const renewsAfter = store.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(store.calls.length).toBe(renewsAfter); // no renewal once the task settled
  });

  it('rejects with IdempotencyStoreUnavailableError when the claim fails, running nothing', async () => {
    const store = new RecordingStore();
    store.failing = 'begin';
    let runs = 0;
    const error = await createOncePerId(store)('a', async () => {
      runs += 1;
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdempotencyStoreUnavailableError);
    expect((error as Error).message).toContain('connection refused');
    expect(runs).toBe(0);
  });

  it('reports a task that succeeded as ran even when recording it fails', async () => {
    const store = new RecordingStore();
    store.failing = 'complete';
    expect(await createOncePerId(store)('a', async () => {})).toBe('ran');
  });
});
