/** Paged listings (`{items, nextPageToken, totalSize}`, ams-api.md §5.2, §8.3): wire fields, query, streams. */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { AmsArgumentError } from "../AmsError.js"

/** What every page carries besides its items. */
export interface PageInfo {
  /** The token of the next page; `undefined` on the last page (the server sends `""`). */
  readonly nextPageToken: string | undefined
  /** How many items the whole listing has (visible to the caller), whatever the page size. */
  readonly totalSize: number
}

/** Paging options of `listPage`. */
export interface PageOptions {
  /** Items per page; `0` means everything in one page (the server's rule). */
  readonly pageSize?: number | undefined
  /** The `nextPageToken` of the previous page; absent or `""` for the first page. */
  readonly pageToken?: string | undefined
}

/** The default page size of `stream`. */
export const defaultStreamPageSize = 100

const NextPageToken = Schema.transform(Schema.NullOr(Schema.String), Schema.UndefinedOr(Schema.String), {
  strict: true,
  decode: (token) => token === null || token === "" ? undefined : token,
  encode: (token) => token ?? ""
})

/**
 * The wire fields every page has, to spread into a page's `Schema.Struct` next to its items:
 * `nextPageToken` (`""`, `null` or missing → `undefined`) and `totalSize` (required).
 */
export const fields = {
  nextPageToken: Schema.optionalWith(NextPageToken, { default: () => undefined }),
  totalSize: Schema.Number
}

/**
 * A page's schema: its items next to `fields`. A function rather than a spread at each module's top level,
 * because bundlers keep any module-level object literal with a spread (it might run a getter), and with
 * it the whole item schema, even where the listing is never called.
 */
export const page = <Items extends Schema.Struct.Fields>(items: Items): Schema.Struct<Items & typeof fields> =>
  Schema.Struct({ ...items, ...fields })

/** The items of a page: a `null` or missing list (a Go nil slice) is read as empty. */
export const items = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.optionalWith(Schema.Array(item), { nullable: true, default: () => [] })

/** Checks a page size before any request: a whole number ≥ 0 (the server answers 400 to anything else). */
export const checkPageSize = (operation: string, pageSize: number | undefined): Effect.Effect<void, AmsArgumentError> =>
  pageSize === undefined || (Number.isSafeInteger(pageSize) && pageSize >= 0)
    ? Effect.void
    : Effect.fail(
      new AmsArgumentError({
        operation,
        argument: "pageSize",
        message: `Invalid page size ${pageSize}: it must be a whole number, 0 or more (0 means everything)`
      })
    )

/** The query of a paged request: only the parameters that are set (a `""` token is the first page). */
export const query = (options: PageOptions | undefined): Record<string, string> => {
  const out: Record<string, string> = {}
  if (options?.pageSize !== undefined) out.pageSize = String(options.pageSize)
  if (options?.pageToken !== undefined && options.pageToken !== "") out.pageToken = options.pageToken
  return out
}

/**
 * Every item of a listing, page after page, fetching a page only when the previous one is consumed.
 * Stops on the last page (no `nextPageToken`), and also if the server hands back the token it was
 * given, so a misbehaving server cannot make the stream loop forever.
 */
export const stream = <P extends PageInfo, A, E, R>(
  fetch: (pageToken: string | undefined) => Effect.Effect<P, E, R>,
  itemsOf: (page: P) => ReadonlyArray<A>
): Stream.Stream<A, E, R> =>
  Stream.paginateChunkEffect(undefined as string | undefined, (token) =>
    Effect.map(fetch(token), (page) => {
      const next = page.nextPageToken
      return [
        Chunk.fromIterable(itemsOf(page)),
        next === undefined || next === token ? Option.none() : Option.some(next)
      ] as const
    }))
