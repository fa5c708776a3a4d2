/**
 * The few Redis commands the store needs, over either client a project already has: ioredis
 * (`call`) or node-redis (`sendCommand`), recognised by shape, so the package depends on neither.
 * Every command is bounded by a timeout: a stalled or unreachable Redis fails fast instead of
 * holding a webhook's answer past Chameleon's timeout.
 */
import { corkableSocketOf, createTurns } from './turn.js';

/** An ioredis client (`new Redis()`, or a Cluster): `call(command, ...args)`. */
export interface IoredisLike {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}

/** A node-redis client (`createClient()`, connected): `sendCommand([command, ...args])`. */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
}

export type RedisClientLike = IoredisLike | NodeRedisLike;

/** A Redis command that did not answer in time (the server is stalled, or unreachable and being retried). */
export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
  constructor(command: string, ms: number) {
    super(`Redis did not answer ${command} within ${ms} ms`);
  }
}

/**
 * Runs `command` on `client`, rejecting after `timeoutMs`. The command itself may still run later
 * (a stalled server wakes up): `late` then gets its reply, to undo what nobody waits for any more.
 */
export type RedisCommand = (
  command: string,
  args: (string | number)[],
  late?: (reply: unknown) => void,
) => Promise<unknown>;

function isIoredis(client: RedisClientLike): client is IoredisLike {
  return typeof (client as IoredisLike).call === 'function';
}

/**
 * A bounded command runner over an ioredis or node-redis client. The commands of one event-loop turn
 * share one timer and, on ioredis, leave in one write (see `turn.ts`); each gets its own reply.
 */
export function boundedCommands(client: RedisClientLike, timeoutMs: number): RedisCommand {
  if (!isIoredis(client) && typeof client?.sendCommand !== 'function') {
    throw new TypeError('Expected an ioredis client (with call) or a node-redis client (with sendCommand).');
  }
  const send = isIoredis(client)
    ? (command: string, args: (string | number)[]) => client.call(command, ...args)
    : (command: string, args: (string | number)[]) => client.sendCommand([command, ...args.map(String)]);
  const bounded = createTurns({ timeoutMs, socket: () => corkableSocketOf(client) });
  return (command, args, late) =>
    bounded(
      () => send(command, args),
      () => new RedisTimeoutError(command, timeoutMs),
      late,
    );
}
