/**
 * The turns of the Redis entries (generated/typescript/src/redis/turn.ts): the calls made in one turn
 * of the event loop are written together (a corkable socket is corked for that turn only) and share
 * one timer, while each call keeps its own outcome.
 */
import { describe, expect, it } from 'vitest';
import { corkableSocketOf, createTurns } from '../generated/typescript/src/redis/turn.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function fakeSocket() {
  const events: string[] = [];
  return { events, cork: () => events.push('cork'), uncork: () => events.push('uncork') };
}

describe('turns of Redis calls', () => {
  it('corks the socket for the calls of one turn and uncorks it once the turn is over', async () => {
    const socket = fakeSocket();
    const bounded = createTurns({ timeoutMs: 1000, socket: () => socket });
    const first = [1, 2, 3].map((n) =>
      bounded(
        () => Promise.resolve(n),
        () => new Error('late'),
      ),
    );
    expect(socket.events).toEqual(['cork']);
    await nextTurn();
    expect(socket.events).toEqual(['cork', 'uncork']);
    const second = bounded(
      () => 4,
      () => new Error('late'),
    );
    expect(await Promise.all([...first, second])).toEqual([1, 2, 3, 4]);
    expect(socket.events).toEqual(['cork', 'uncork', 'cork']);
  });

  it('gives each call its own outcome, a synchronous throw included', async () => {
    const bounded = createTurns({ timeoutMs: 1000 });
    const outcomes = await Promise.allSettled([
      bounded(
        () => Promise.resolve('a'),
        () => new Error('late'),
      ),
      bounded(
        () => Promise.reject(new Error('refused')),
        () => new Error('late'),
      ),
      bounded(
        () => {
          throw new Error('closed');
        },
        () => new Error('late'),
      ),
    ]);
    expect(outcomes).toMatchObject([
      { status: 'fulfilled', value: 'a' },
      { status: 'rejected', reason: { message: 'refused' } },
      { status: 'rejected', reason: { message: 'closed' } },
    ]);
  });

  it('rejects each call still waiting when its turn times out; a reply landing later goes to late', async () => {
    const bounded = createTurns({ timeoutMs: 50 });
    const late: string[] = [];
    let answer!: (value: string) => void;
    const slow = new Promise<string>((resolve) => (answer = resolve));
    const outcomes = Promise.allSettled([
      bounded(
        () => 'quick',
        () => new Error('quick timed out'),
      ),
      bounded(
        () => slow,
        () => new Error('slow timed out'),
        (value) => late.push(value),
      ),
      bounded(
        () => slow,
        () => new Error('copy timed out'),
        (value) => late.push(`copy ${value}`),
      ),
    ]);
    const started = Date.now();
    expect(await outcomes).toMatchObject([
      { status: 'fulfilled', value: 'quick' },
      { status: 'rejected', reason: { message: 'slow timed out' } },
      { status: 'rejected', reason: { message: 'copy timed out' } },
    ]);
    expect(Date.now() - started).toBeLessThan(500);
    answer('claimed');
    await sleep(0);
    expect(late).toEqual(['claimed', 'copy claimed']);
  });

  it('corks only what can be corked', () => {
    expect(corkableSocketOf({ stream: fakeSocket() })).toBeDefined();
    expect(corkableSocketOf({ stream: {} })).toBeUndefined();
    expect(corkableSocketOf({})).toBeUndefined();
    expect(corkableSocketOf(undefined)).toBeUndefined();
  });
});
