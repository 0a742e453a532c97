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
 * The first invalid `[argument, value]` pair as an error with the server's own text (`Invalid topic
 * name`) plus what is wrong, or `undefined` when every name is valid.
 */
export const invalid = (
  operation: string,
  names: ReadonlyArray<readonly [argument: string, value: string]>
): AmsArgumentError | undefined => {
  for (const [argument, value] of names) {
    if (typeof value !== "string" || !NAME.test(value)) {
      return new AmsArgumentError({
        operation,
        argument,
        message: `Invalid ${argument} name ${show(value)}: ` +
          `AMS names may contain only letters, digits, "_" and "-"`
      })
    }
  }
  return undefined
}

/** `invalid` as an Effect: fails with the first invalid name. */
export const check = (
  operation: string,
  names: ReadonlyArray<readonly [argument: string, value: string]>
): Effect.Effect<void, AmsArgumentError> => {
  const error = invalid(operation, names)
  return error === undefined ? Effect.void : Effect.fail(error)
}
