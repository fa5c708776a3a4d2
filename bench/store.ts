/**
 * MemoryIdempotencyStore per new id (begin + complete), below its cap and at it: the bound is
 * at most 2x at the cap (eviction must not walk the Map's deleted slots). Prints the ratio; asserts nothing.
 */
import { MemoryIdempotencyStore } from '../generated/typescript/src/idempotency.js';

const CAP = 100_000;
const MEASURED = 50_000;
const ROUNDS = 5;

/** Nanoseconds per new id over `MEASURED` ids, after `prefill` ids were written. */
function nsPerId(prefill: number): number {
  const store = new MemoryIdempotencyStore({ maxEntries: CAP });
  for (let index = 0; index < prefill; index++) store.complete(`pre-${index}`);
  const started = process.hrtime.bigint();
  for (let index = 0; index < MEASURED; index++) {
    const id = `new-${index}`;
    store.begin(id);
    store.complete(id);
  }
  return Number(process.hrtime.bigint() - started) / MEASURED;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

export async function run(): Promise<void> {
  const below: number[] = [];
  const atCap: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    below.push(nsPerId(CAP / 4)); // stays below the cap throughout
    atCap.push(nsPerId(3 * CAP)); // every write evicts the oldest
  }
  const [low, high] = [median(below), median(atCap)];
  console.log(`\nMemoryIdempotencyStore, cap ${CAP}, begin + complete per new id (median of ${ROUNDS})`);
  console.log(`  below the cap  ${low.toFixed(0)} ns`);
  console.log(`  at the cap     ${high.toFixed(0)} ns   (${(high / low).toFixed(2)}x, target <= 2x)`);
}
