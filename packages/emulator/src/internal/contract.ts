/**
 * The seam between the emulator's router/engine and its adapters (in-process layer, HTTP(S) server,
 * bin, fault plan). Adapters only ever see `Emulator.handle`.
 */
import type * as Effect from "effect/Effect"

/** A request as the router sees it: no sockets, no streams. */
export interface EmulatorRequest {
  readonly method: string
  /** Path and query, e.g. `/v1/projects/demo/topics?pageSize=2` (absolute URL also accepted). */
  readonly url: string
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>
  /** The raw request body ("" when none). */
  readonly body: string
}

/** A response as the router produces it. `body` is sent verbatim ("" = an empty body). */
export interface EmulatorResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** A running emulator: one in-memory AMS. */
export interface Emulator {
  /**
   * Answers one request. Never fails: every problem is an HTTP answer. May suspend (a long-polling
   * pull waits on Effect's Clock, so `TestClock` drives it in tests).
   */
  readonly handle: (request: EmulatorRequest) => Effect.Effect<EmulatorResponse>
}
