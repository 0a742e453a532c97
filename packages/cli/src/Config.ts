/**
 * Where `ams` finds its endpoint, token and project: flags first, then the environment (`AMS_ENDPOINT`,
 * `AMS_TOKEN`, `AMS_PROJECT`), then a named profile. Each value remembers where it came from, so that an
 * error can say which token was refused.
 *
 * @since 0.1.0
 */
import type { AmsArgumentError } from "@argo-ams/client/AmsError"
import * as AmsHttp from "@argo-ams/client/AmsHttp"
import * as Options from "@effect/cli/Options"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as Path from "@effect/platform/Path"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Failure from "./Failure.js"
import type * as Output from "./Output.js"
import * as Profile from "./Profile.js"

/**
 * The connection flags every command accepts.
 *
 * @since 0.1.0
 * @category options
 */
export const options = {
  endpoint: Options.text("endpoint").pipe(
    Options.withDescription("the AMS endpoint: a host (https implied) or a URL; else AMS_ENDPOINT, else the profile"),
    Options.optional
  ),
  project: Options.text("project").pipe(
    Options.withDescription("the project; else AMS_PROJECT, else the profile"),
    Options.optional
  ),
  tokenFile: Options.text("token-file").pipe(
    Options.withDescription("a file holding the token; else AMS_TOKEN, else the profile's tokenFile or tokenEnv"),
    Options.optional
  ),
  profile: Options.text("profile").pipe(
    Options.withDescription("the profile to use; else AMS_PROFILE, else the file's \"default\""),
    Options.optional
  ),
  config: Options.text("config").pipe(
    Options.withDescription("the profile file; else AMS_CONFIG, else ~/.config/ams/config.json"),
    Options.optional
  ),
  timeout: Options.integer("timeout").pipe(
    Options.withDescription("give up on a request after this many seconds (default: no limit)"),
    Options.optional
  )
}

/**
 * The parsed connection flags.
 *
 * @since 0.1.0
 * @category models
 */
export interface Flags {
  readonly endpoint: Option.Option<string>
  readonly project: Option.Option<string>
  readonly tokenFile: Option.Option<string>
  readonly profile: Option.Option<string>
  readonly config: Option.Option<string>
  readonly timeout: Option.Option<number>
}

/**
 * A value and where it came from, in words (`--endpoint`, `AMS_TOKEN`, `profile "demo"`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Sourced<A> {
  readonly value: A
  readonly source: string
}

/**
 * The resolved configuration.
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  readonly endpoint: Sourced<string> | undefined
  readonly project: Sourced<string> | undefined
  readonly token: Sourced<Redacted.Redacted<string>> | undefined
  readonly timeout: number | undefined
}

/**
 * What a command needs: nothing but an endpoint (`/status`, `/version`), a token, or a token and a project.
 *
 * @since 0.1.0
 * @category models
 */
export type Needs = "endpoint" | "token" | "project"

const env = (name: string): Effect.Effect<string | undefined> =>
  Config.option(Config.string(name)).pipe(
    Effect.map((value) => Option.getOrUndefined(Option.filter(value, (text) => text !== ""))),
    Effect.orElseSucceed(() => undefined)
  )

const readToken = (file: string, source: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(file).pipe(
      Effect.mapError((error) => Failure.usage(`Cannot read the token file ${file} (${source}): ${error.message}`))
    )
    const token = text.trim()
    if (token === "") return yield* Failure.usage(`The token file ${file} (${source}) is empty.`)
    return Redacted.make(token)
  })

/**
 * Resolves endpoint, project and token: flags, then the environment, then the profile.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (
  flags: Flags
): Effect.Effect<Settings, Failure.CliError, FileSystem.FileSystem | Path.Path | Output.Output> =>
  Effect.gen(function*() {
    const configFile = Option.getOrUndefined(flags.config) ?? (yield* env("AMS_CONFIG"))
    const home = yield* env("HOME")
    const profile = Option.getOrUndefined(
      yield* Profile.load({
        file: configFile ?? Profile.defaultFile({ home, xdg: yield* env("XDG_CONFIG_HOME") }),
        explicit: configFile !== undefined,
        name: Option.getOrUndefined(flags.profile) ?? (yield* env("AMS_PROFILE")),
        home
      })
    )
    const fromProfile = `profile "${profile?.name}" in ${profile?.file}`
    const pick = (
      flag: Option.Option<string>,
      flagName: string,
      variable: string,
      inProfile: string | undefined
    ): Effect.Effect<Sourced<string> | undefined> =>
      Effect.map(env(variable), (fromEnv): Sourced<string> | undefined =>
        Option.isSome(flag)
          ? { value: flag.value, source: flagName }
          : fromEnv !== undefined
          ? { value: fromEnv, source: variable }
          : inProfile !== undefined
          ? { value: inProfile, source: fromProfile }
          : undefined)
    const endpoint = yield* pick(flags.endpoint, "--endpoint", "AMS_ENDPOINT", profile?.endpoint)
    const project = yield* pick(flags.project, "--project", "AMS_PROJECT", profile?.project)

    const token: Sourced<Redacted.Redacted<string>> | undefined = yield* Effect.gen(function*() {
      if (Option.isSome(flags.tokenFile)) {
        const source = `--token-file ${flags.tokenFile.value}`
        return { value: yield* readToken(flags.tokenFile.value, source), source }
      }
      const fromEnv = yield* env("AMS_TOKEN")
      if (fromEnv !== undefined) return { value: Redacted.make(fromEnv), source: "AMS_TOKEN" }
      if (profile?.tokenFile !== undefined) {
        const source = `${fromProfile} (tokenFile ${profile.tokenFile})`
        return { value: yield* readToken(profile.tokenFile, source), source }
      }
      if (profile?.tokenEnv !== undefined) {
        const source = `${fromProfile} (tokenEnv ${profile.tokenEnv})`
        const value = yield* env(profile.tokenEnv)
        if (value === undefined) {
          return yield* Failure.usage(`No token: ${source} names the variable ${profile.tokenEnv}, which is not set.`)
        }
        return { value: Redacted.make(value), source }
      }
      return undefined
    })
    return { endpoint, project, token, timeout: Option.getOrUndefined(flags.timeout) }
  })

const missing = (what: string, flag: string, variable: string, key: string) =>
  Failure.usage(`No ${what}: give ${flag}, set ${variable}, or add "${key}" to a profile (see \`ams --help\`).`)

/**
 * Checks that the settings hold what the command needs.
 *
 * @since 0.1.0
 * @category constructors
 */
export const check = (settings: Settings, needs: Needs): Effect.Effect<void, Failure.CliError> => {
  if (settings.endpoint === undefined) return Effect.fail(missing("endpoint", "--endpoint", "AMS_ENDPOINT", "endpoint"))
  if (needs !== "endpoint" && settings.token === undefined) {
    return Effect.fail(missing("token", "--token-file FILE", "AMS_TOKEN", "tokenFile"))
  }
  if (needs === "project" && settings.project === undefined) {
    return Effect.fail(missing("project", "--project", "AMS_PROJECT", "project"))
  }
  if (settings.timeout !== undefined && !(settings.timeout > 0)) {
    return Effect.fail(
      Failure.usage(`Invalid --timeout ${settings.timeout}: it must be a number of seconds, 1 or more`)
    )
  }
  return Effect.void
}

/**
 * How the settings are described in errors (never the token itself).
 *
 * @since 0.1.0
 * @category constructors
 */
export const describe = (
  settings: Settings,
  needs: Needs,
  resources: Failure.Context["resources"]
): Failure.Context => ({
  endpoint: settings.endpoint === undefined
    ? "(no endpoint)"
    : `${
      Either.getOrElse(AmsHttp.baseUrl(settings.endpoint.value), () => settings.endpoint?.value)
    } (from ${settings.endpoint.source})`,
  token: settings.token === undefined ? "the request without a token" : `the token from ${settings.token.source}`,
  project: needs === "project" ? settings.project?.value : undefined,
  resources
})

/**
 * `AmsHttp` on `fetch`, from checked settings. Routes that need no token are sent without one when none is
 * configured. Fails with `AmsArgumentError` when the endpoint or the token cannot work (checked before any request).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (settings: Settings): Layer.Layer<AmsHttp.AmsHttp, AmsArgumentError> => {
  // AmsHttp always sends a token: without one, a placeholder goes in and the header is taken out again.
  const http = settings.token === undefined
    ? Layer.effect(
      HttpClient.HttpClient,
      Effect.map(
        HttpClient.HttpClient,
        HttpClient.mapRequest((request) =>
          HttpClientRequest.modify(request, { headers: Headers.remove(request.headers, "x-api-key") })
        )
      )
    ).pipe(Layer.provide(FetchHttpClient.layer))
    : FetchHttpClient.layer
  return AmsHttp.layer({
    endpoint: settings.endpoint?.value ?? "",
    token: settings.token?.value ?? Redacted.make("none"),
    project: settings.project?.value ?? "",
    ...(settings.timeout === undefined ? {} : { timeout: `${settings.timeout} seconds` as const })
  }).pipe(Layer.provide(http))
}
