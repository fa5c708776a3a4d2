/**
 * The Node build's capture writer: JSON lines appended to a file, in order.
 *
 * ```ts
 * createNodeHandler({ secret, on, capture: { record: 'all', write: captureFile('chameleon-capture.jsonl') } });
 * ```
 */
import { appendFile } from 'node:fs/promises';
import type { CaptureWriter } from './capture.js';

/** The file capture writes to by default, relative to the working directory. */
export const DEFAULT_CAPTURE_FILE = 'chameleon-capture.jsonl';

/**
 * A {@link CaptureWriter} appending each line to `file`. Appends are queued, so lines never
 * interleave; they are not synced to disk one by one (a capture is evidence, not the delivery).
 */
export function captureFile(file: string = DEFAULT_CAPTURE_FILE): CaptureWriter {
  let queue: Promise<unknown> = Promise.resolve();
  return (line) => {
    const written = queue.then(() => appendFile(file, line));
    queue = written.catch(() => undefined);
    return written;
  };
}
