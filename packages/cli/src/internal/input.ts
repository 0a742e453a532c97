// Reading what a command is given: files, JSON documents, dates. Every failure is a usage error (exit 2).
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Failure from "../Failure.js"

/** A file's bytes. */
export const readBytes = (
  file: string,
  flag: string
): Effect.Effect<Uint8Array, Failure.CliError, FileSystem.FileSystem> =>
  Effect.flatMap(
    FileSystem.FileSystem,
    (fs) =>
      Effect.mapError(fs.readFile(file), (error) => Failure.usage(`Cannot read ${flag} ${file}: ${error.message}`))
  )

/** JSON text, parsed; `what` names it in the error. */
export const parseJson = (text: string, what: string): Effect.Effect<unknown, Failure.CliError> =>
  Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: (error) => Failure.usage(`${what} is not JSON: ${error instanceof Error ? error.message : String(error)}`)
  })

/** A JSON document given inline (`inline`) or as a file (`file`): exactly one of them. */
export const jsonDocument = (options: {
  readonly inline: Option.Option<string>
  readonly inlineFlag: string
  readonly file: Option.Option<string>
  readonly fileFlag: string
}): Effect.Effect<unknown, Failure.CliError, FileSystem.FileSystem> => {
  if (Option.isSome(options.inline) === Option.isSome(options.file)) {
    return Effect.fail(Failure.usage(`Give exactly one of ${options.inlineFlag} JSON and ${options.fileFlag} FILE.`))
  }
  if (Option.isSome(options.inline)) return parseJson(options.inline.value, options.inlineFlag)
  const file = Option.getOrThrow(options.file)
  return Effect.flatMap(
    readBytes(file, options.fileFlag),
    (bytes) => parseJson(new TextDecoder().decode(bytes), `${options.fileFlag} ${file}`)
  )
}

/** An object (a schema definition, ...). */
export const jsonObject = (
  value: unknown,
  what: string
): Effect.Effect<Readonly<Record<string, unknown>>, Failure.CliError> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? Effect.succeed(value as Readonly<Record<string, unknown>>)
    : Effect.fail(Failure.usage(`${what} must be a JSON object.`))

/** A date or time in ISO 8601 form. */
export const date = (text: string, flag: string): Effect.Effect<Date, Failure.CliError> => {
  const parsed = new Date(text)
  return Number.isNaN(parsed.getTime())
    ? Effect.fail(Failure.usage(`Invalid ${flag} ${text}: give an ISO 8601 date or time, e.g. 2026-01-31`))
    : Effect.succeed(parsed)
}
