/**
 * One receiver process of the multi-process proofs (test/scale-out.test.ts): node:http on a free
 * loopback port, printing `READY <port>`. MODE=store runs the handler in process with the Redis
 * store (each run is logged to the Redis list `runs`); MODE=queue hands every delivery to BullMQ.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createBullmqSink } from '../../generated/typescript/src/bullmq.js';
import { createNodeHandler, type ReceiverOptions } from '../../generated/typescript/src/index.js';
import { createRedisIdempotencyStore } from '../../generated/typescript/src/redis.js';

const { REDIS_PORT, SECRET, MODE } = process.env;
const connection = { host: '127.0.0.1', port: Number(REDIS_PORT) };

function storeMode(): Partial<ReceiverOptions> {
  const redis = new Redis(connection);
  return {
    idempotency: createRedisIdempotencyStore({ client: redis }),
    on: {
      'tour.completed': async (webhook) => {
        await redis.rpush('runs', `${process.pid} ${webhook.id}`);
      },
    },
  };
}

function queueMode(): Partial<ReceiverOptions> {
  return { handoff: createBullmqSink({ connection: { ...connection, maxRetriesPerRequest: null } }) };
}

const server = createServer(
  createNodeHandler({ secret: SECRET!, ...(MODE === 'queue' ? queueMode() : storeMode()) }),
);
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  console.log(`READY ${(server.address() as AddressInfo).port}`);
});
