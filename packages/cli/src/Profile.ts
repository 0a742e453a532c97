/**
 * Named profiles: a JSON file of endpoints, projects and where each profile's token is kept (a file or an
 * environment variable, never the token itself).
 *
 * ```json
 * {
 *   "default": "demo",
 *   "profiles": {
 *     "demo": { "endpoint": "http://127.0.0.1:8080", "project": "demo", "tokenFile": "~/.config/ams/demo.token" },
 *     "argo": { "endpoint": "msg.argo.grnet.gr", "project": "ARGO", "tokenEnv": "ARGO_AMS_TOKEN" }
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Failure from "./Failure.js"
import * as Output from "./Output.js"

/**
 * One profile, as found in the file.
 *
 * @since 0.1.0
 * @category models
 */
export interface Profile {
  readonly name: string
  /** The file it was read from. */
  readonly file: string
  readonly endpoint: string | undefined
  readonly project: string | undefined
  /** An absolute path (`~` and paths relative to the profile file are resolved). */
  readonly tokenFile: string | undefined
  /** The name of the environment variable holding the token. */
  readonly tokenEnv: string | undefined
}

const Entry = Schema.Struct({
  endpoint: Schema.optional(Schema.String),
  project: Schema.optional(Schema.String),
  tokenFile: Schema.optional(Schema.String),
  tokenEnv: Schema.optional(Schema.String)
})

const FileShape = Schema.Struct({
  default: Schema.optional(Schema.String),
  profiles: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})

/**
 * Where the profile file is when neither `--config` nor `AMS_CONFIG` says:
 * `$XDG_CONFIG_HOME/ams/config.json`, else `~/.config/ams/config.json`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultFile = (env: { readonly home: string | undefined; readonly xdg: string | undefined }) =>
  env.xdg !== undefined && env.xdg !== ""
    ? `${env.xdg}/ams/config.json`
    : `${env.home ?? "."}/.config/ams/config.json`

const decodeError = (file: string, what: string, error: ParseResult.ParseError) =>
  Failure.usage(`The profile file ${file} is not valid (${what}): ${ParseResult.TreeFormatter.formatErrorSync(error)}`)

/**
 * Reads a profile. `name` is the profile asked for (`--profile`, `AMS_PROFILE`), `explicit` says whether
 * the file was named (`--config`, `AMS_CONFIG`): a named file or profile that is missing is an error; the
 * default file may be absent.
 *
 * The file is refused if others may write to it (they could point your token at their own endpoint), and
 * a warning is printed if others may read it. A profile holding a `token` is refused: give `tokenFile`
 * or `tokenEnv`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const load = (options: {
  readonly file: string
  readonly explicit: boolean
  readonly name: string | undefined
  readonly home: string | undefined
}): Effect.Effect<Option.Option<Profile>, Failure.CliError, FileSystem.FileSystem | Path.Path | Output.Output> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = path.resolve(options.file)
    const info = yield* Effect.option(fs.stat(file))
    if (Option.isNone(info)) {
      if (options.explicit || options.name !== undefined) {
        return yield* Failure.usage(
          `No profile file at ${file}${options.name === undefined ? "" : ` (looking for profile "${options.name}")`}.`
        )
      }
      return Option.none()
    }
    const mode = info.value.mode
    if ((mode & 0o022) !== 0) {
      return yield* Failure.usage(
        `The profile file ${file} may be changed by other users, who could send your token elsewhere: refused.\n` +
          `Fix: chmod 600 ${file}`
      )
    }
    if ((mode & 0o044) !== 0) {
      yield* Output.warn(`the profile file ${file} can be read by other users (chmod 600 ${file})`)
    }
    const text = yield* fs.readFileString(file).pipe(
      Effect.mapError((error) => Failure.usage(`Cannot read the profile file ${file}: ${error.message}`))
    )
    const json = yield* Either.try(() => JSON.parse(text) as unknown).pipe(
      Either.mapLeft(() => Failure.usage(`The profile file ${file} is not JSON.`))
    )
    const shape = yield* Schema.decodeUnknown(FileShape)(json).pipe(
      Effect.mapError((error) => decodeError(file, "expected { \"default\"?, \"profiles\": { NAME: {...} } }", error))
    )
    const name = options.name ?? shape.default
    if (name === undefined) return Option.none()
    const raw = shape.profiles[name]
    if (raw === undefined) {
      const known = Object.keys(shape.profiles)
      return yield* Failure.usage(
        `No profile "${name}" in ${file}${known.length === 0 ? "" : ` (it has: ${known.join(", ")})`}.`
      )
    }
    if (typeof raw === "object" && raw !== null && "token" in raw) {
      return yield* Failure.usage(
        `Profile "${name}" in ${file} holds a token: refused, as tokens are never kept in profiles.\n` +
          `Fix: put the token in a file of its own (chmod 600) and name it as "tokenFile", or name an ` +
          `environment variable as "tokenEnv".`
      )
    }
    const entry = yield* Schema.decodeUnknown(Entry, { onExcessProperty: "error" })(raw).pipe(
      Effect.mapError((error) => decodeError(file, `profile "${name}"`, error))
    )
    const tokenFile = entry.tokenFile === undefined
      ? undefined
      : entry.tokenFile.startsWith("~/")
      ? path.join(options.home ?? "", entry.tokenFile.slice(2))
      : path.resolve(path.dirname(file), entry.tokenFile)
    return Option.some({
      name,
      file,
      endpoint: entry.endpoint,
      project: entry.project,
      tokenFile,
      tokenEnv: entry.tokenEnv
    })
  })
