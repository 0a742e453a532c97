// Listing pages (§8.3): newest first, pageSize 0 = everything, opaque base64 page tokens, totalSize.
import * as Either from "effect/Either"
import * as Errors from "./errors.js"

/** One page of a listing. */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly nextPageToken: string
  readonly totalSize: number
}

/** Go's `strconv.Atoi`. */
export const atoi = (text: string): number | undefined =>
  /^[+-]?\d+$/.test(text) && Math.abs(Number(text)) <= Number.MAX_SAFE_INTEGER ? Number(text) : undefined

/** A page token: the standard base64 of the first item's creation sequence number. */
export const encodeToken = (seq: number): string => btoa(String(seq))

const decodeToken = (token: string): number | undefined => {
  if (token.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(token)) return undefined
  try {
    const text = atob(token)
    return /^\d+$/.test(text) ? Number(text) : undefined
  } catch {
    return undefined
  }
}

/**
 * Pages `items` (already filtered and sorted newest first) by the `pageSize` and `pageToken` query values.
 * Fails with "Invalid page size" or "Invalid page token".
 */
export const paginate = <A>(
  items: ReadonlyArray<A>,
  seqOf: (item: A) => number,
  pageSizeText: string | null,
  pageToken: string | null
): Either.Either<Page<A>, Errors.ApiError> => {
  let pageSize = 0
  if (pageSizeText !== null && pageSizeText !== "") {
    const parsed = atoi(pageSizeText)
    if (parsed === undefined) return Either.left(Errors.invalidData("Invalid page size"))
    pageSize = parsed
  }
  let start = 0
  if (pageToken !== null && pageToken !== "") {
    const seq = decodeToken(pageToken)
    start = seq === undefined ? -1 : items.findIndex((item) => seqOf(item) === seq)
    if (start < 0) return Either.left(Errors.invalidData("Invalid page token"))
  }
  const rest = items.slice(start)
  const page = pageSize > 0 ? rest.slice(0, pageSize) : rest
  const next = pageSize > 0 && rest.length > pageSize ? encodeToken(seqOf(rest[pageSize]!)) : ""
  return Either.right({ items: page, nextPageToken: next, totalSize: items.length })
}
