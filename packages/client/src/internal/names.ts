/** The server's rule for resource names (`^[a-zA-Z0-9_-]+$`), checked before any request; full names read from answers. */
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

/** The resource kinds that are named `projects/P/<kind>/N`. */
export type Kind = "topics" | "subscriptions" | "schemas"

/**
 * Whether the leading `/` is required: the server writes a resource's own name as `/projects/...`
 * (topics, subscriptions), but refers to other resources, and names schemas, without it.
 */
export type Slash = "required" | "optional"

/**
 * Parses `/projects/P/<kind>/N` (or `projects/...` when the slash is optional); `undefined` if it is not one.
 * (Split by hand: it runs for every resource in an answer, and a pattern per kind would be built each time.)
 */
export const parse = (
  kind: Kind,
  text: string,
  slash: Slash = "optional"
): { readonly project: string; readonly name: string } | undefined => {
  const leading = text.startsWith("/")
  if (!leading && slash === "required") return undefined
  const parts = (leading ? text.slice(1) : text).split("/")
  return parts.length === 4 && parts[0] === "projects" && parts[2] === kind && isValid(parts[1]!) &&
      isValid(parts[3]!)
    ? { project: parts[1]!, name: parts[3]! }
    : undefined
}
