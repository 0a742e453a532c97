/**
 * The in-memory AMS: `make(seed, config)` builds an `Emulator` whose `handle` answers raw requests exactly
 * like the real server (routing, pipeline, engine).
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as TRef from "effect/TRef"
import type { PushVerifier, ResolvedConfig } from "./internal/config.js"
import type { Emulator } from "./internal/contract.js"
import * as Pipeline from "./internal/pipeline.js"
import { defaultRoleTable, type RoleTable } from "./internal/roles.js"
import * as Router from "./internal/router.js"
import { routes } from "./internal/routes/table.js"
import type { Seed, SeedError } from "./Seed.js"
import { defaultSeed, load } from "./Seed.js"

export type {
  /**
   * The push-endpoint verifier of `Config.verifyPushEndpoint`.
   *
   * @since 0.1.0
   * @category models
   */
  PushVerifier,
  /**
   * The answer a `PushVerifier` returns.
   *
   * @since 0.1.0
   * @category models
   */
  VerificationAnswer
} from "./internal/config.js"

export type {
  /**
   * The emulator: `handle` answers raw requests.
   *
   * @since 0.1.0
   * @category models
   */
  Emulator,
  /**
   * A raw request, as `handle` receives it.
   *
   * @since 0.1.0
   * @category models
   */
  EmulatorRequest,
  /**
   * A raw response, as `handle` answers it.
   *
   * @since 0.1.0
   * @category models
   */
  EmulatorResponse
} from "./internal/contract.js"

export type {
  /**
   * Route name → roles allowed to call it (§2.3).
   *
   * @since 0.1.0
   * @category models
   */
  RoleTable
} from "./internal/roles.js"

/**
 * Server options (§8.1). Every field is optional; defaults in brackets.
 * @since 0.1.0
 * @category models
 */
export interface Config {
  /** Where the token is read: `header` (`x-api-key`), `key` (`?key=`), or `both` (header first) [both]. */
  readonly authOption?: "both" | "header" | "key"
  /** A token that acts as service_admin on every route, bypassing authorization [unset]. */
  readonly serviceToken?: string
  /** Per-topic/subscription ACL checks of §2.4 [true]. */
  readonly perResourceAuth?: boolean
  /** Push subscriptions allowed [false]. */
  readonly pushEnabled?: boolean
  /** Token of the push-worker user [unset]. */
  readonly pushWorkerToken?: string
  /** Reported as `hostname` by /v1/version [""]. */
  readonly proxyHostname?: string
  /** Route name → allowed roles [the deployment table of §2.3]. */
  readonly roleTable?: RoleTable
  /** Longest wait of a pull with `returnImmediately: "false"` [300 seconds]. */
  readonly pullWaitLimit?: Duration.DurationInput
  /**
   * The GET that `:verifyPushEndpoint` makes to `<scheme>://<host>/ams_verification_hash`. The default
   * uses `fetch` for loopback hosts only (`localhost`, `127.0.0.1`, `[::1]`) and fails for any other host
   * with a Go-like transport error, so the emulator never reaches the internet.
   */
  readonly verifyPushEndpoint?: PushVerifier
}

const loopback: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"])

/**
 * The default push-endpoint verifier: loopback-only `fetch`.
 * @since 0.1.0
 * @category constructors
 */
export const loopbackVerifier: PushVerifier = (url) => {
  const host = new URL(url).hostname
  if (!loopback.has(host)) {
    return Effect.fail(`Get "${url}": dial tcp: lookup ${host}: the emulator only reaches loopback hosts`)
  }
  return Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(url, { signal })
      return { status: response.status, body: await response.text() }
    },
    catch: (error) => `Get "${url}": ${error instanceof Error ? error.message : String(error)}`
  })
}

/**
 * Fills in the defaults of `config`.
 * @since 0.1.0
 * @category constructors
 */
export const resolveConfig = (config: Config = {}): ResolvedConfig => ({
  authOption: config.authOption ?? "both",
  serviceToken: config.serviceToken ?? "",
  perResourceAuth: config.perResourceAuth ?? true,
  pushEnabled: config.pushEnabled ?? false,
  pushWorkerToken: config.pushWorkerToken ?? "",
  proxyHostname: config.proxyHostname ?? "",
  roleTable: config.roleTable ?? defaultRoleTable,
  pullWaitLimit: Duration.decode(config.pullWaitLimit ?? Duration.seconds(300)),
  verifyPushEndpoint: config.verifyPushEndpoint ?? loopbackVerifier
})

/**
 * Builds an emulator holding `seed` [the default seed], configured by `config`. Fails with `SeedError`
 * when the seed is inconsistent.
 * @since 0.1.0
 * @category constructors
 * @example
 * import * as Effect from "effect/Effect"
 * import * as Emulator from "@argo-ams/emulator/Emulator"
 *
 * const program = Effect.gen(function*() {
 *   const ams = yield* Emulator.make()
 *   return yield* ams.handle({
 *     method: "PUT",
 *     url: "/v1/projects/demo/topics/t1",
 *     headers: { "x-api-key": "demo-admin-token" },
 *     body: ""
 *   })
 * })
 */
export const make = (seed: Seed = defaultSeed, config: Config = {}): Effect.Effect<Emulator, SeedError> =>
  Effect.gen(function*() {
    const resolved = resolveConfig(config)
    // Seeded users may hold any role the default or the configured table knows (and `_admin_`): a typo fails.
    const roles = new Set([
      ...Object.values(defaultRoleTable).flat(),
      ...Object.values(resolved.roleTable).flat(),
      "_admin_"
    ])
    const db = yield* load(seed, { roles })
    const store = yield* TRef.make(db)
    const env = { store, config: resolved }
    return { handle: Pipeline.handle(env, Router.make(routes)) }
  })
