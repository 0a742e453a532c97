/**
 * What `ams` says when something fails, and the exit code it ends with: the same mapping for every command.
 *
 * @since 0.1.0
 */
import type { AmsError } from "@argo-ams/client/AmsError"
import * as Data from "effect/Data"

/**
 * The exit codes of every `ams` command.
 *
 * - `0` ok
 * - `1` AMS refused: it answered with an error (a bad token, a missing resource, a conflict, ...)
 * - `2` usage: bad flags or arguments, missing configuration, input that cannot be sent (nothing was sent)
 * - `3` network or balancer: AMS could not be reached, or its load balancer answered; the request may not
 *   have reached AMS and may be retried
 * - `4` unexpected answer: something answered that is not AMS (or not this version of it)
 * - `130` interrupted (Ctrl-C, SIGTERM), after a clean stop
 *
 * @since 0.1.0
 * @category constants
 */
export const ExitCode = {
  ok: 0,
  refused: 1,
  usage: 2,
  unavailable: 3,
  unexpected: 4,
  interrupted: 130
} as const

/**
 * One of the exit codes of `ExitCode`.
 *
 * @since 0.1.0
 * @category models
 */
export type ExitCode = typeof ExitCode[keyof typeof ExitCode]

/**
 * A failure as `ams` reports it: a message a person can act on, and the exit code.
 *
 * @since 0.1.0
 * @category errors
 */
export class CliError extends Data.TaggedError("CliError")<{
  readonly message: string
  readonly exitCode: ExitCode
}> {}

/**
 * A usage failure (exit 2): the command line or the configuration is wrong, and nothing was sent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const usage = (message: string): CliError => new CliError({ message, exitCode: ExitCode.usage })

/**
 * The kinds of resources a command names, used to say which one is missing.
 *
 * @since 0.1.0
 * @category models
 */
export type Resource = "project" | "topic" | "subscription" | "user" | "schema" | "registration"

/**
 * What a command was doing, so that an error can say which token, endpoint and resource it was about.
 *
 * @since 0.1.0
 * @category models
 */
export interface Context {
  /** Where the endpoint came from and what it is, e.g. `http://127.0.0.1:8080 (from AMS_ENDPOINT)`. */
  readonly endpoint: string
  /** Where the token came from, e.g. `the token from --token-file /run/ams.token` (never the token). */
  readonly token: string
  /** The configured project, for project-scoped commands only. */
  readonly project: string | undefined
  /** The resources named on the command line. */
  readonly resources: Readonly<Partial<Record<Resource, string | undefined>>>
}

// AMS's 404 texts name the kind of resource, never the resource: the command line does.
const missing: ReadonlyArray<readonly [RegExp, Resource]> = [
  [/^project doesn't exist$/i, "project"],
  [/^ProjectUUID doesn't exist$/, "project"],
  [/^Topic doesn't exist$/, "topic"],
  [/^Subscription doesn't exist$/, "subscription"],
  [/^User doesn't exist$/, "user"],
  [/^Schema doesn't exist$/, "schema"],
  [/^User registration doesn't exist$/, "registration"]
]

const notFound = (text: string, context: Context): string => {
  const kind = missing.find(([pattern]) => pattern.test(text))?.[1]
  if (kind === undefined) return `Not found: ${text}.`
  const name = kind === "project" ? context.resources.project ?? context.project : context.resources[kind]
  const where = kind === "project" || kind === "user" || kind === "registration" || context.project === undefined
    ? ""
    : ` in project "${context.project}"`
  return `Not found: ${kind}${name === undefined ? "" : ` "${name}"`}${where} (AMS: 404 ${text}).`
}

const retryHint = (operation: string): string =>
  operation === "topic.publish"
    ? "It may be retried (a retried publish may publish the messages twice)."
    : "It may be retried."

/**
 * Says what an AMS error means for the person at the terminal, and picks its exit code.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromAms = (error: AmsError, context: Context): CliError => {
  const fail = (exitCode: ExitCode, message: string) => new CliError({ message, exitCode })
  switch (error._tag) {
    case "AmsServiceError": {
      const answer = `${error.status}${error.statusText === "" ? "" : ` ${error.statusText}`}`
      if (error.status === 401 && error.message === "Unauthorized") {
        return fail(
          ExitCode.refused,
          `AMS refused ${context.token} (401 Unauthorized): AMS does not know it, or its user has no role` +
            `${context.project === undefined ? "" : ` in project "${context.project}"`}.\n` +
            "Fix: check which user it belongs to with `ams users profile`, or use another token with " +
            "--token-file FILE, the AMS_TOKEN variable, or a profile's tokenFile / tokenEnv."
        )
      }
      if (error.status === 403) {
        return fail(
          ExitCode.refused,
          `AMS refused ${error.operation} (403 ${error.message}): ${context.token} is valid, but its user's roles` +
            `${context.project === undefined ? "" : ` in project "${context.project}"`} do not allow it.\n` +
            (context.project === undefined
              ? "Fix: use a token whose user has the service role this needs (some operations take the service token)."
              : "Fix: ask a project admin for the role (`ams projects members update USER --role ROLE`), or use " +
                "another token.")
        )
      }
      if (error.status === 404) return fail(ExitCode.refused, notFound(error.message, context))
      return fail(ExitCode.refused, `AMS refused ${error.operation} (${answer}): ${error.message}.`)
    }
    case "AmsBalancerError":
      return fail(
        ExitCode.unavailable,
        `The load balancer in front of AMS answered ${error.status} to ${error.operation}: the request may not have ` +
          `reached AMS. ${retryHint(error.operation)}`
      )
    case "AmsTimeoutError":
      return error.source === "balancer"
        ? fail(
          ExitCode.unavailable,
          `The load balancer in front of AMS timed out (${error.status}) on ${error.operation}: the request may or ` +
            `may not have been applied. ${retryHint(error.operation)}`
        )
        : fail(
          ExitCode.refused,
          `AMS refused ${error.operation} (${error.status}): ${error.message}. Pull again: the messages come back.`
        )
    case "AmsConnectionError":
      return fail(
        ExitCode.unavailable,
        `Cannot reach AMS at ${context.endpoint}: ${error.message}.\n` +
          `Check the endpoint (--endpoint, AMS_ENDPOINT or the profile); the request may not have reached AMS. ${
            retryHint(error.operation)
          }`
      )
    case "AmsArgumentError":
    case "AmsMessageError":
      return fail(ExitCode.usage, `${error.message} (nothing was sent).`)
    case "AmsDecodeError":
      return fail(
        ExitCode.unexpected,
        `${context.endpoint} answered ${error.operation} with something that is not what AMS sends ` +
          `(${error.expected}): is it an AMS endpoint? ${error.message}`
      )
  }
}
