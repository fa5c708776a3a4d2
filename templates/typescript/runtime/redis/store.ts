/**
 * `createRedisIdempotencyStore`: exactly-once handling per webhook id across every instance that
 * shares one Redis. Each claim is a key holding `running:<owner>` with a lease (PX); each state
 * change is one Lua script, so it is atomic and only the owner completes, renews or releases it.
 *
 * Failure policy, so that no delivery is lost and none waits past Chameleon's timeout:
 * - claim fails or times out: nothing ran; the receiver answers 503 and Chameleon retries (a claim
 *   that lands late is released as it lands);
 * - recording a success fails: the handler ran, so the answer stays 2xx, and the record is retried
 *   in the background (a retry in the meantime finds the claim, then its lease runs out);
 * - release after a failed handler fails: the answer is 500 anyway; the lease runs out, and
 *   Chameleon's retry runs the handler then.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_IDEMPOTENCY_TTL_MS, type IdempotencyClaim, type IdempotencyStore } from '../idempotency.js';
import { boundedCommands, type RedisClientLike, type RedisCommand } from './client.js';

/** How long a claim holds without renewal: a crashed instance's ids are free again after this. */
export const DEFAULT_REDIS_LEASE_MS = 30_000;
/** How long one Redis command may take before the delivery is answered 503 (or 2xx, once it ran). */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 1000;

export interface RedisIdempotencyStoreOptions {
  /** An ioredis or node-redis client (connected); the store never closes it. */
  client: RedisClientLike;
  /** Prefix of the keys (default `chameleon-webhooks:id:`). */
  prefix?: string;
  /** How long a handled id is remembered (default {@link DEFAULT_IDEMPOTENCY_TTL_MS}, past the retry span). */
  ttlMs?: number;
  /** How long a claim holds unless renewed (default 30 s); renewed every third of it while the handler runs. */
  leaseMs?: number;
  /** Longest wait for one Redis command (default 1 s): keep claim + handler + record under the ack deadline. */
  commandTimeoutMs?: number;
  /** Where failures are reported (default `console.error`). */
  log?: (message: string) => void;
}

// KEYS[1]: the id's key. ARGV[1]: the owner token; ARGV[2]: milliseconds.
const CLAIM = `local v = redis.call('GET', KEYS[1])
if v == 'done' then return 'done' end
if v then return 'in-progress' end
redis.call('SET', KEYS[1], 'running:' .. ARGV[1], 'PX', ARGV[2])
return 'claimed'`;
// Done unless another owner holds the claim now (this attempt outlived its lease and lost it).
const COMPLETE = `local v = redis.call('GET', KEYS[1])
if v and v ~= 'done' and v ~= 'running:' .. ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
return 1`;
const RENEW = `if redis.call('GET', KEYS[1]) ~= 'running:' .. ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;
const RELEASE = `if redis.call('GET', KEYS[1]) ~= 'running:' .. ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

/** A Lua script and its SHA-1: sent by hash (EVALSHA), in full (EVAL) only when Redis lacks it. */
interface Script {
  lua: string;
  sha: string;
}

const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });
const SCRIPTS = {
  claim: script(CLAIM),
  complete: script(COMPLETE),
  renew: script(RENEW),
  release: script(RELEASE),
};

/** Redis' answer to EVALSHA of a script it does not hold (first use, restart, SCRIPT FLUSH). */
const isNoScript = (error: unknown) => error instanceof Error && error.message.startsWith('NOSCRIPT');

/** Background retries of a success record: about a minute in all, then the lease decides. */
const RECORD_RETRY_DELAYS_MS = [250, 1000, 4000, 15_000, 40_000];

const CLAIMS = new Set<string>(['claimed', 'done', 'in-progress']);

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class RedisIdempotencyStore implements IdempotencyStore {
  readonly renewEveryMs: number;
  readonly #command: RedisCommand;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #leaseMs: number;
  readonly #log: (message: string) => void;

  constructor(options: RedisIdempotencyStoreOptions) {
    this.#command = boundedCommands(
      options.client,
      options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    );
    this.#prefix = options.prefix ?? 'chameleon-webhooks:id:';
    this.#ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.#leaseMs = options.leaseMs ?? DEFAULT_REDIS_LEASE_MS;
    this.renewEveryMs = Math.max(1, Math.floor(this.#leaseMs / 3));
    this.#log = options.log ?? ((message) => console.error(message));
  }

  #script(
    script: Script,
    id: string,
    owner: string,
    ms: number,
    late?: (reply: unknown) => void,
  ): Promise<unknown> {
    const args = [1, this.#prefix + id, owner, ms];
    return this.#command('EVALSHA', [script.sha, ...args], late).catch((error: unknown) => {
      if (!isNoScript(error)) throw error;
      return this.#command('EVAL', [script.lua, ...args], late);
    });
  }

  async begin(id: string, owner: string): Promise<IdempotencyClaim> {
    // A claim that lands after its timeout (the delivery was answered 503) would block the retry
    // for a lease: release it as soon as it lands.
    const orphaned = (reply: unknown) => {
      if (reply === 'claimed') this.#script(SCRIPTS.release, id, owner, 0).catch(() => undefined);
    };
    try {
      const reply = String(await this.#script(SCRIPTS.claim, id, owner, this.#leaseMs, orphaned));
      if (!CLAIMS.has(reply)) throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
      return reply as IdempotencyClaim;
    } catch (error) {
      this.#log(
        `chameleon-webhooks/redis: cannot claim webhook ${id}: ${describe(error)}; answering 503 so Chameleon retries`,
      );
      throw error;
    }
  }

  async complete(id: string, owner: string): Promise<void> {
    try {
      await this.#record(id, owner);
    } catch (error) {
      this.#log(
        `chameleon-webhooks/redis: webhook ${id} was handled, but recording it failed: ${describe(error)}; retrying in the background`,
      );
      this.#retryRecord(id, owner, 0);
      throw error;
    }
  }

  async #record(id: string, owner: string): Promise<void> {
    if (Number(await this.#script(SCRIPTS.complete, id, owner, this.#ttlMs)) === 0) {
      this.#log(
        `chameleon-webhooks/redis: webhook ${id} finished after another attempt took over its lease (the handler ran twice); lengthen leaseMs or handlerTimeoutMs`,
      );
    }
  }

  #retryRecord(id: string, owner: string, attempt: number): void {
    const delay = RECORD_RETRY_DELAYS_MS[attempt];
    if (delay === undefined) {
      this.#log(`chameleon-webhooks/redis: gave up recording webhook ${id}; its claim's lease will run out`);
      return;
    }
    const timer = setTimeout(() => {
      this.#record(id, owner).catch(() => this.#retryRecord(id, owner, attempt + 1));
    }, delay);
    // A pending retry must not keep a process alive that is otherwise done.
    (timer as { unref?: () => void }).unref?.();
  }

  async renew(id: string, owner: string): Promise<boolean> {
    try {
      return Number(await this.#script(SCRIPTS.renew, id, owner, this.#leaseMs)) === 1;
    } catch (error) {
      this.#log(`chameleon-webhooks/redis: cannot renew the claim of webhook ${id}: ${describe(error)}`);
      throw error;
    }
  }

  async fail(id: string, owner: string): Promise<void> {
    try {
      await this.#script(SCRIPTS.release, id, owner, 0);
    } catch (error) {
      this.#log(
        `chameleon-webhooks/redis: cannot release webhook ${id} after its handler failed: ${describe(error)}; the retry runs once the lease runs out`,
      );
      throw error;
    }
  }
}

/**
 * An {@link IdempotencyStore} on Redis for several receiver instances: pass it as `idempotency`.
 *
 * ```ts
 * import Redis from 'ioredis'; // or: import { createClient } from 'redis'
 * import { createRedisIdempotencyStore } from 'chameleon-webhooks/redis';
 * const idempotency = createRedisIdempotencyStore({ client: new Redis(process.env.REDIS_URL) });
 * createNodeHandler({ secret, on, idempotency });
 * ```
 */
export function createRedisIdempotencyStore(options: RedisIdempotencyStoreOptions): IdempotencyStore {
  return new RedisIdempotencyStore(options);
}
