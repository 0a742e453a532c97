/** What a test reads of a failed exit: everything it shows of itself, and its one typed AmsError. */
import { assert } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import { type AmsError, isAmsError } from "../../src/AmsError.js"

/** Everything an error shows of itself: message, `toString`, JSON, and the whole cause rendered. */
export const shown = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.isSuccess(exit) ? "" : [
    Cause.pretty(exit.cause),
    String(Cause.squash(exit.cause)),
    JSON.stringify(Cause.squash(exit.cause)),
    JSON.stringify(exit)
  ].join("\n")

/** Fails the test unless `exit` is a typed AmsError failure (no defect, no interruption). */
export const typedFailure = (exit: Exit.Exit<unknown, unknown>): AmsError => {
  assert(Exit.isFailure(exit), "expected a failure")
  assert(Cause.isFailType(exit.cause), `expected one typed failure, got ${Cause.pretty(exit.cause)}`)
  assert(isAmsError(exit.cause.error), "expected an AmsError")
  return exit.cause.error
}
