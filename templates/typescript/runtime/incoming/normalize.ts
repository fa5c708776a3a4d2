// Predicts what Chameleon stores for the properties you send it, so problems show
// up in your own logs instead of as a warning in Chameleon's data-management UI.
// Pure and synchronous; docs/normalization.md explains each choice the vendor leaves open.
import { INCOMING_LIMITS, RESERVED_KEYS } from './facts.js';

/** What normalization changed beyond renaming keys (renaming is expected and silent). */
export type NormalizationWarningKind =
  /** Two keys normalize to the same name: one value is lost. */
  | 'duplicate-key'
  /** A key has no letter or digit, so it has no name once normalized: dropped. */
  | 'empty-name'
  /** A key Chameleon's identify call reserves: it may be ignored or mean something else. */
  | 'reserved-key'
  /** A value longer than `INCOMING_LIMITS.valueBytes` bytes (UTF-8), cut at a character boundary. */
  | 'truncated'
  /** A hash nested deeper than `INCOMING_LIMITS.maxHashDepth` levels: dropped. */
  | 'too-deep'
  /** A hash inside an array: dropped. */
  | 'hash-in-array'
  /** A null (or undefined) inside an array: dropped. */
  | 'null-in-array'
  /** A value JSON cannot carry (a function, symbol, NaN, Infinity, a circular array): dropped. */
  | 'unsupported-value'
  /** A string with unpaired UTF-16 surrogates: each became U+FFFD so the text is valid UTF-8. */
  | 'invalid-unicode';

export interface NormalizationWarning {
  /** JSON Pointer to the value in your input, with your original key names. */
  path: string;
  kind: NormalizationWarningKind;
  message: string;
}

export interface NormalizedProperties {
  /** The properties as Chameleon will store them. */
  properties: Record<string, unknown>;
  warnings: NormalizationWarning[];
}

export interface NormalizeOptions {
  /**
   * Keys sent as they are: the identifiers and fields the endpoint documents
   * (`uid`, `email`, `company_id`…). They are never renamed nor flagged as
   * reserved, and win over a custom key that normalizes to the same name.
   */
  keepKeys?: readonly string[];
}

// Unicode property classes are built on first use: V8 checks a regex literal's syntax when it
// parses the module, and resolving `\p{…}` classes then costs ~0.4 ms of every cold import.
let unicodeClasses: { separators: RegExp; marks: RegExp } | undefined;
function unicode(): { separators: RegExp; marks: RegExp } {
  unicodeClasses ??= {
    // biome-ignore lint/complexity/useRegexLiterals: a literal would be checked at every import (see above)
    separators: new RegExp('[^\\p{L}\\p{N}]+', 'u'),
    // biome-ignore lint/complexity/useRegexLiterals: a literal would be checked at every import (see above)
    marks: new RegExp('\\p{M}', 'gu'),
  };
  return unicodeClasses;
}
const LONE_SURROGATE_PATTERN =
  '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
// Pure: an import that never normalizes leaves them (and the reserved keys) out of the bundle.
const HAS_LONE_SURROGATE = /* @__PURE__ */ new RegExp(LONE_SURROGATE_PATTERN);
const LONE_SURROGATES = /* @__PURE__ */ new RegExp(LONE_SURROGATE_PATTERN, 'g');
const RESERVED: ReadonlySet<string> = /* @__PURE__ */ new Set(RESERVED_KEYS);
const DROP = /* @__PURE__ */ Symbol('drop');
type Normalized = unknown | typeof DROP;

function isUpper(char: string | undefined): boolean {
  return char !== undefined && char !== char.toLowerCase();
}

function isLower(char: string | undefined): boolean {
  return char !== undefined && char !== char.toUpperCase() && !isUpper(char);
}

/** Compatibility forms decomposed and accents removed: `Café` → `Cafe`, `ﬁ` → `fi`. */
function withoutAccents(text: string): string {
  return text.normalize('NFKD').replace(unicode().marks, '').normalize('NFC');
}

/**
 * Whether the character at `index` starts a new word inside a run of letters and digits.
 * A capital starts a word when a lower-case letter follows it (`userRole`, `HTMLParser`),
 * or when it opens a run of capitals right after a lower-case letter (`userID`). A lone
 * capital at the end of a word does not (`ImporteD` stays one word, as Chameleon documents).
 */
function startsWord(chars: string[], index: number): boolean {
  const [previous, current, next] = [chars[index - 1], chars[index], chars[index + 1]];
  if (previous === undefined || !isUpper(current)) return false;
  if (isLower(next)) return true;
  return isLower(previous) && isUpper(next);
}

function splitWords(segment: string): string[] {
  const chars = Array.from(segment);
  const words: string[] = [];
  let word = '';
  chars.forEach((char, index) => {
    if (word && startsWord(chars, index)) {
      words.push(word);
      word = '';
    }
    word += char;
  });
  if (word) words.push(word);
  return words;
}

/**
 * The name Chameleon stores for a property, event or tag name: words lower-cased and
 * joined by `_`. `planName`, `plan-name` and `Plan Name!` all become `plan_name`;
 * `ImporteD leads` becomes `imported_leads`. Returns `''` for a name with no letter or digit.
 */
export function normalizeName(name: string): string {
  const { separators } = unicode();
  const words = withoutAccents(name.replace(LONE_SURROGATES, ''))
    .split(separators)
    .flatMap(splitWords)
    .map((word) => withoutAccents(word.toLowerCase()));
  return words
    .join('_')
    .split(separators)
    .filter((word) => word !== '')
    .join('_');
}

/** Bytes of `text` in UTF-8 (an unpaired surrogate counts as the 3 bytes of U+FFFD). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, never splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += utf8ByteLength(char);
    if (bytes > maxBytes) break;
    end += char.length;
  }
  return text.slice(0, end);
}

function pointer(parent: string, key: string | number): string {
  return `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

class Normalizer {
  readonly warnings: NormalizationWarning[] = [];
  private readonly openArrays = new Set<unknown[]>();

  warn(path: string, kind: NormalizationWarningKind, message: string): void {
    this.warnings.push({ path, kind, message });
  }

  /** A property value, a hash value or an array item; `depth` counts the hashes around it. */
  value(value: unknown, path: string, depth: number): Normalized {
    if (value === null || typeof value === 'boolean') return value;
    if (typeof value === 'string') return this.text(value, path);
    if (typeof value === 'number') return this.number(value, path);
    if (typeof value === 'bigint') return this.text(value.toString(), path);
    if (value === undefined) return DROP; // JSON leaves undefined out; so does Chameleon
    if (typeof value !== 'object') {
      this.warn(path, 'unsupported-value', `A ${typeof value} cannot be sent as JSON: dropped.`);
      return DROP;
    }
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      // Dates and similar objects travel as what their toJSON returns, as in JSON.stringify.
      return this.value((value as { toJSON(): unknown }).toJSON(), path, depth);
    }
    if (Array.isArray(value)) return this.array(value, path, depth);
    return this.hash(value as Record<string, unknown>, path, depth + 1);
  }

  private number(value: number, path: string): Normalized {
    // JSON has no -0 (JSON.stringify(-0) is "0"), so Chameleon stores 0.
    if (Number.isFinite(value)) return value === 0 ? 0 : value;
    this.warn(path, 'unsupported-value', `${value} is not a JSON number: dropped.`);
    return DROP;
  }

  private text(value: string, path: string): string {
    let text = value;
    if (HAS_LONE_SURROGATE.test(text)) {
      text = text.replace(LONE_SURROGATES, '\uFFFD');
      this.warn(path, 'invalid-unicode', 'Unpaired UTF-16 surrogates were replaced by U+FFFD.');
    }
    const bytes = utf8ByteLength(text);
    if (bytes <= INCOMING_LIMITS.valueBytes) return text;
    this.warn(
      path,
      'truncated',
      `The value is ${bytes} bytes long; Chameleon keeps the first ${INCOMING_LIMITS.valueBytes}.`,
    );
    return truncateUtf8(text, INCOMING_LIMITS.valueBytes);
  }

  private array(items: unknown[], path: string, depth: number): Normalized {
    if (this.openArrays.has(items)) {
      this.warn(path, 'unsupported-value', 'The array contains itself: dropped.');
      return DROP;
    }
    this.openArrays.add(items);
    const kept: unknown[] = [];
    items.forEach((item, index) => {
      const at = pointer(path, index);
      if (item === null || item === undefined) {
        this.warn(at, 'null-in-array', 'Chameleon drops null items from arrays.');
      } else if (isHash(item)) {
        this.warn(at, 'hash-in-array', 'Chameleon drops hashes inside arrays.');
      } else {
        const normalized = this.value(item, at, depth);
        if (normalized !== DROP) kept.push(normalized);
      }
    });
    this.openArrays.delete(items);
    return kept;
  }

  /** Keys inside a hash are kept as sent: Chameleon documents normalization for property names only. */
  private hash(hash: Record<string, unknown>, path: string, depth: number): Normalized {
    if (depth > INCOMING_LIMITS.maxHashDepth) {
      this.warn(
        path,
        'too-deep',
        `Hashes nest at most ${INCOMING_LIMITS.maxHashDepth} levels; this one is level ${depth}: dropped.`,
      );
      return DROP;
    }
    const entries: Array<[string, unknown]> = [];
    for (const [key, value] of Object.entries(hash)) {
      const normalized = this.value(value, pointer(path, key), depth);
      if (normalized !== DROP) entries.push([key, normalized]);
    }
    return Object.fromEntries(entries);
  }
}

/** A plain object that JSON would send as a hash (not an array, not something with toJSON). */
function isHash(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}

interface Slot {
  source: string;
  kept: boolean;
  value: unknown;
}

/**
 * Puts one property in place. On a name collision a kept key wins, otherwise the later
 * key wins (as when a server assigns the keys in order); the name keeps its first position.
 */
function place(slots: Map<string, Slot>, name: string, slot: Slot, normalizer: Normalizer): void {
  const earlier = slots.get(name);
  if (earlier) {
    const winner = earlier.kept && !slot.kept ? earlier : slot;
    const loser = winner === slot ? earlier : slot;
    normalizer.warn(
      pointer('', loser.source),
      'duplicate-key',
      `"${earlier.source}" and "${slot.source}" both become "${name}"; the value of "${winner.source}" is kept.`,
    );
    if (winner === earlier) return;
  }
  slots.set(name, slot);
}

/**
 * Normalizes custom properties exactly as Chameleon will store them: names
 * lower-cased and underscored, values cut at {@link INCOMING_LIMITS} `valueBytes`, hashes deeper than
 * `maxHashDepth` levels or inside arrays dropped, nulls inside arrays dropped. Every loss
 * is reported in `warnings` with the path of the value in your input.
 *
 * Idempotent: normalizing the result again changes nothing.
 */
export function normalizeProperties(
  properties: Readonly<Record<string, unknown>>,
  options: NormalizeOptions = {},
): NormalizedProperties {
  const keep = new Set(options.keepKeys ?? []);
  const normalizer = new Normalizer();
  const slots = new Map<string, Slot>();
  for (const [key, value] of Object.entries(properties)) {
    const kept = keep.has(key);
    const name = kept ? key : normalizeName(key);
    const path = pointer('', key);
    if (name === '') {
      normalizer.warn(
        path,
        'empty-name',
        `"${key}" has no letter or digit, so it has no name in Chameleon: dropped.`,
      );
      continue;
    }
    if (!kept && (RESERVED.has(key) || RESERVED.has(name))) {
      normalizer.warn(
        path,
        'reserved-key',
        `"${key}" is reserved by Chameleon's identify call; it may be ignored or mean something else.`,
      );
    }
    const normalized = normalizer.value(value, path, 0);
    if (normalized !== DROP) place(slots, name, { source: key, kept, value: normalized }, normalizer);
  }
  const entries = [...slots].map(([name, slot]): [string, unknown] => [name, slot.value]);
  return { properties: Object.fromEntries(entries), warnings: normalizer.warnings };
}
