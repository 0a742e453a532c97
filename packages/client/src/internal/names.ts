/** The server's rule for resource names (`^[a-zA-Z0-9_-]+$`), checked before any request. */
import * as Effect from "effect/Effect"
import { AmsArgumentError } from "../AmsError.js"

const NAME = /^[a-zA-Z0-9_-]+$/

/** Whether the server would accept this resource name. */
export const isValid = (name: string): boolean => NAME.test(name)

/** An argument as an error quotes it: a string as JSON, anything else (a caller past the types) by its type. */
export const show = (value: unknown): string =>
  typeof value === "string"
    ? JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value)
    : value === null
    ? "null"
    : `of type ${typeof value}`

/**
 * Checks each `[argument, value]` pair, failing on the first invalid one with the server's own text
 * (`Invalid topic name`) plus what is wrong.
 */
export const check = (
  operation: string,
  names: ReadonlyArray<readonly [argument: string, value: string]>
): Effect.Effect<void, AmsArgumentError> => {
  for (const [argument, value] of names) {
    if (typeof value !== "string" || !NAME.test(value)) {
      return Effect.fail(
        new AmsArgumentError({
          operation,
          argument,
          message: `Invalid ${argument} name ${show(value)}: ` +
            `AMS names may contain only letters, digits, "_" and "-"`
        })
      )
    }
  }
  return Effect.void
}
