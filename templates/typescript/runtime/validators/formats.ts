/**
 * The formats the compiled validators call, written for speed and agreement
 * with ajv-formats' full mode (which checks the spec's examples at generate
 * time): one anchored regex for the shape, then arithmetic on fixed offsets.
 * ajv-formats' `date-time` splits the string and runs two more regexes, which
 * made a whole validator five times slower.
 */

/** Days in each month of a common year, January first. */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `date T time offset`, RFC 3339 §5.6: any one whitespace character or T may
 * separate date and time (as ajv-formats allows), the offset is required.
 */
const DATE_TIME = /^\d{4}-\d\d-\d\d[Tt\s]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d(?::?\d\d)?)$/;

/**
 * The form nearly every webhook uses (UTC, `T`, `Z`) with every field in range (month 01-12,
 * day 01-31, hour 00-23, minute and second 00-59): tried first, it leaves only days 29 to 31
 * to look at. V8 runs this one regex about as fast as the shape-only one, and the ranges spare
 * the character arithmetic that made the calendar check cost a third of a whole guard.
 */
const UTC_DATE_TIME =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?Z$/;

/** `2` and `9`: a day below 29 (the digits `0`-`2` then `0`-`8`) exists in every month. */
const DIGIT_2 = 50;
const DIGIT_9 = 57;

/** The number written by the two digits at `index` (the regex has checked they are digits). */
function twoDigits(text: string, index: number): number {
  return (text.charCodeAt(index) - 48) * 10 + text.charCodeAt(index + 1) - 48;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(text: string, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1]!;
  return isLeapYear(twoDigits(text, 0) * 100 + twoDigits(text, 2)) ? 29 : 28;
}

const PLUS = 43;
const MINUS = 45;
const UPPER_Z = 90;
const LOWER_Z = 122;

function isSign(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code === PLUS || code === MINUS;
}

/** Index of the offset's sign (`+hh`, `+hhmm`, `+hh:mm`; the regex has checked the shape), or -1 for `Z`. */
function offsetStart(text: string): number {
  const end = text.length;
  const last = text.charCodeAt(end - 1);
  if (last === UPPER_Z || last === LOWER_Z) return -1;
  if (isSign(text, end - 3)) return end - 3;
  return isSign(text, end - 5) ? end - 5 : end - 6;
}

/** ajv-formats' leap-second rule, to the letter: 23:59 UTC by the offset, with a second below 61. */
function isLeapSecond(
  hour: number,
  minute: number,
  second: number,
  sign: number,
  offsetHour: number,
  offsetMinute: number,
): boolean {
  const utcMinute = minute - offsetMinute * sign;
  const utcHour = hour - offsetHour * sign - (utcMinute < 0 ? 1 : 0);
  return (utcHour === 23 || utcHour === -1) && (utcMinute === 59 || utcMinute === -1) && second <= 60;
}

/**
 * True when `text` is an RFC 3339 date-time on a real day of the calendar
 * (leap days and leap seconds included), as ajv-formats' full mode decides.
 * Validators call it on every timestamp of every payload: one regex (V8 runs
 * it faster than reading the characters one by one), then a few character codes.
 */
export function isDateTime(text: string): boolean {
  if (UTC_DATE_TIME.test(text)) {
    const tens = text.charCodeAt(8);
    if (tens < DIGIT_2 || (tens === DIGIT_2 && text.charCodeAt(9) < DIGIT_9)) return true;
    return twoDigits(text, 8) <= daysInMonth(text, twoDigits(text, 5));
  }
  // Anything else: another offset or separator, a leap second, or not a date-time at all.
  if (!DATE_TIME.test(text)) return false;
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (month < 1 || month > 12 || day < 1 || (day > 28 && day > daysInMonth(text, month))) return false;
  const offset = offsetStart(text);
  const offsetHour = offset < 0 ? 0 : twoDigits(text, offset + 1);
  const offsetMinute = offset < 0 || offset === text.length - 3 ? 0 : twoDigits(text, text.length - 2);
  if (offsetHour > 23 || offsetMinute > 59) return false;
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (hour <= 23 && minute <= 59 && second <= 59) return true;
  return isLeapSecond(
    hour,
    minute,
    second,
    offset >= 0 && text.charCodeAt(offset) === MINUS ? -1 : 1,
    offsetHour,
    offsetMinute,
  );
}

/** The formats by the name the spec uses, as the compiled validators look them up. */
export const formats: Readonly<Record<string, (text: string) => boolean>> = {
  'date-time': isDateTime,
};
