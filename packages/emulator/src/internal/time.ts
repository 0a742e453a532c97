// The server's time formats (§1.5): nanosecond publish times, second-precision stamps, the Zulu query layout.
import * as Option from "effect/Option"

/** Milliseconds since the epoch of a nanosecond instant. */
export const nanosToMillis = (nanos: bigint): number => Number(nanos / 1_000_000n)

/** `2006-01-02T15:04:05.999999999Z`: UTC with trailing zeros of the fraction trimmed. */
export const formatNanos = (nanos: bigint): string => {
  const seconds = nanos / 1_000_000_000n
  const fraction = (nanos % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "")
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19)
  return fraction === "" ? `${base}Z` : `${base}.${fraction}Z`
}

/** `2006-01-02T15:04:05Z`: UTC, seconds precision. */
export const formatSeconds = (millis: number): string => `${new Date(millis).toISOString().slice(0, 19)}Z`

/** `2006-01-02`: the UTC day of an instant. */
export const formatDay = (millis: number): string => new Date(millis).toISOString().slice(0, 10)

const zulu = /^(\d{4})-(\d{2})-(\d{2})T(\d{1,2}):(\d{2}):(\d{2})\.(\d{3})Z$/

/** Parses exactly `YYYY-MM-DDTHH:MM:SS.mmmZ` (the hour may have one digit) into epoch milliseconds. */
export const parseZulu = (text: string): Option.Option<number> => {
  const match = zulu.exec(text)
  if (match === null) return Option.none()
  const [year, month, day, hour, minute, second, milli] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number
  ]
  // Not `Date.UTC`: it maps the years 0–99 to 1900–1999, and Go accepts every year 0000–9999.
  const check = new Date(0)
  check.setUTCFullYear(year, month - 1, day)
  check.setUTCHours(hour, minute, second, milli)
  const millis = check.getTime()
  const valid = check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === day &&
    hour < 24 && minute < 60 && second < 60
  return valid ? Option.some(millis) : Option.none()
}

/** An instant truncated to whole seconds (the precision of the metadata timestamps), in milliseconds. */
export const truncateToSeconds = (millis: number): number => Math.floor(millis / 1000) * 1000
