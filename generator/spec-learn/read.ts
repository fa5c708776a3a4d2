/**
 * The inputs of spec:learn: capture files (JSON lines written by the receivers'
 * `capture` option, runtime/capture.ts) or plain payload files (one webhook,
 * or an array of them, per .json file). Each delivery keeps where it came from
 * (`file:line`), so every proposal can point at an example.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface Delivery {
  /** `captures.jsonl:12` or `payloads/x.json` (`payloads/x.json:3` for the third of an array). */
  source: string;
  /** When it was received (captures) or sent (`sent_at` of a plain payload), ISO 8601 UTC. */
  seenAt: string;
  body: Record<string, unknown>;
}

/** An input that could not be read as deliveries: reported, never guessed at. */
export interface Unreadable {
  source: string;
  reason: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function timeOf(value: unknown, fallback: string): string {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(time) ? fallback : new Date(time).toISOString();
}

function asWebhook(value: unknown): Record<string, unknown> | string {
  if (!isObject(value)) return 'not a JSON object';
  if (typeof value.kind !== 'string' || !isObject(value.data)) return 'not a webhook (no kind or data)';
  return value;
}

/** One line of a capture file: its body (a string) parsed, its time. */
function fromCaptureLine(record: Record<string, unknown>, source: string): Delivery | Unreadable {
  let body: unknown;
  try {
    body = typeof record.body === 'string' ? JSON.parse(record.body) : record.body;
  } catch {
    return { source, reason: 'the captured body is not JSON' };
  }
  const webhook = asWebhook(body);
  if (typeof webhook === 'string') return { source, reason: webhook };
  return { source, seenAt: timeOf(record.received_at, timeOf(webhook.sent_at, '')), body: webhook };
}

function fromPayload(value: unknown, source: string): Delivery | Unreadable {
  const webhook = asWebhook(value);
  if (typeof webhook === 'string') return { source, reason: webhook };
  return { source, seenAt: timeOf(webhook.sent_at, ''), body: webhook };
}

/** Reads one input file; `label` is how sources are named (default: the path relative to the cwd). */
export async function readInput(
  file: string,
  label = path.relative(process.cwd(), file),
): Promise<Array<Delivery | Unreadable>> {
  const text = await readFile(file, 'utf8');
  if (file.endsWith('.jsonl')) {
    return text.split('\n').flatMap((line, index) => {
      if (!line.trim()) return [];
      const source = `${label}:${index + 1}`;
      try {
        const record = JSON.parse(line);
        return [
          isObject(record) && 'body' in record
            ? fromCaptureLine(record, source)
            : fromPayload(record, source),
        ];
      } catch {
        return [{ source, reason: 'the line is not JSON' }];
      }
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [{ source: label, reason: 'the file is not JSON' }];
  }
  if (Array.isArray(json)) return json.map((item, index) => fromPayload(item, `${label}:${index + 1}`));
  return [fromPayload(json, label)];
}

export function isDelivery(item: Delivery | Unreadable): item is Delivery {
  return 'body' in item;
}
