/**
 * The emulator's adapters: an in-process `HttpClient` layer and a real HTTP(S) server on loopback.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Emulator from "./Emulator.js"
import * as Faults from "./Faults.js"
import { cors } from "./internal/cors.js"
import * as Server from "./internal/server.js"
import * as Tls from "./internal/tls.js"
import { makeClient } from "./internal/transport.js"
import type { Seed, SeedError } from "./Seed.js"

/**
 * A running emulator as its adapters expose it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Running {
  /** The base URL to give a client: `https://ams.test` in-process, `http(s)://127.0.0.1:PORT` on a socket. */
  readonly endpoint: string
  /** The emulator itself, behind no fault plan: for test setup and direct inspection. */
  readonly emulator: Emulator.Emulator
  /** Answers one request straight from the emulator (no faults, no CORS). */
  readonly handle: (request: Emulator.EmulatorRequest) => Effect.Effect<Emulator.EmulatorResponse>
  /** The running fault plan, with its counts. */
  readonly faults: Faults.Injector
}

/**
 * The running emulator behind `layer`, `layerWith` and `layerServer`.
 *
 * @since 0.1.0
 * @category tags
 */
export class AmsEmulator extends Context.Tag("@argo-ams/emulator/AmsEmulator")<AmsEmulator, Running>() {}

/**
 * A listening server.
 *
 * @since 0.1.0
 * @category models
 */
export interface Listening extends Running {
  readonly host: string
  readonly port: number
  /** With `tls`: the PEM texts; a client trusts `certificate.ca`. */
  readonly certificate?: Tls.Certificate
}

/**
 * The server started by `layerServer`.
 *
 * @since 0.1.0
 * @category tags
 */
export class AmsEmulatorServer extends Context.Tag("@argo-ams/emulator/AmsEmulator/Server")<
  AmsEmulatorServer,
  Listening
>() {}

/**
 * Options shared by every adapter, given an emulator already made.
 *
 * @since 0.1.0
 * @category models
 */
export interface AdapterOptions {
  /** The fault plan (default: none); an invalid plan fails the layer with `Faults.FaultPlanError`. */
  readonly faults?: Faults.Plan
}

/**
 * Options of the in-process client.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions extends AdapterOptions {
  /** The endpoint reported by the service (default `https://ams.test`); the client answers any host anyway. */
  readonly endpoint?: string
}

/**
 * Options of the socket server.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerOptions extends AdapterOptions {
  /** Default `127.0.0.1`. */
  readonly host?: string
  /** Default 0: any free port. */
  readonly port?: number
  /** `true`: a certificate for loopback generated at startup; or your own PEM texts. Default: plain HTTP. */
  readonly tls?: boolean | { readonly cert: string; readonly key: string; readonly ca?: string }
  /**
   * The largest request body the server reads, in bytes (default 64 MiB). A longer one (declared by
   * `content-length` or streamed) is answered `413 "Message size is too large"` at once, the rest discarded
   * unread, and the connection closes. At most node's longest string (about 512 MiB).
   */
  readonly maxBodyBytes?: number
}

const running = (emulator: Emulator.Emulator, endpoint: string, faults: Faults.Plan | undefined) =>
  Effect.map(Faults.make(faults ?? []), (injector): Running => ({
    endpoint,
    emulator,
    handle: emulator.handle,
    faults: injector
  }))

/** The whole request path of every adapter: fault plan, then CORS, then the router. */
const pipeline = (service: Running) => service.faults.apply(cors(service.emulator.handle))

/**
 * The in-process `HttpClient` for a given emulator: every request (any host) goes to `emulator.handle`,
 * every answer comes back through `HttpClientResponse.fromWeb`.
 *
 * @since 0.1.0
 * @category layers
 */
export function layerEmulator(
  emulator: Emulator.Emulator,
  options?: ClientOptions & { readonly faults?: undefined }
): Layer.Layer<HttpClient.HttpClient | AmsEmulator>
export function layerEmulator(
  emulator: Emulator.Emulator,
  options?: ClientOptions
): Layer.Layer<HttpClient.HttpClient | AmsEmulator, Faults.FaultPlanError>
// Without a plan nothing can be refused, so the first signature cannot fail.
export function layerEmulator(
  emulator: Emulator.Emulator,
  options?: ClientOptions
): Layer.Layer<HttpClient.HttpClient | AmsEmulator, Faults.FaultPlanError> {
  return Layer.effectContext(
    Effect.map(
      running(emulator, options?.endpoint ?? "https://ams.test", options?.faults),
      (service) =>
        Context.make(AmsEmulator, service).pipe(
          Context.add(HttpClient.HttpClient, makeClient(pipeline(service)))
        )
    )
  )
}

/**
 * Serves a given emulator on a real socket until the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serveEmulator = (
  emulator: Emulator.Emulator,
  options?: ServerOptions
): Effect.Effect<Listening, Faults.FaultPlanError | Error, Scope.Scope> =>
  Effect.gen(function*() {
    const tls = options?.tls
    const certificate: Tls.Certificate | undefined = tls === true
      ? yield* Tls.generate()
      : tls === undefined || tls === false
      ? undefined
      : { ca: tls.ca ?? tls.cert, cert: tls.cert, key: tls.key }
    const service = yield* running(emulator, "", options?.faults)
    const listening = yield* Server.listen(
      {
        host: options?.host ?? "127.0.0.1",
        port: options?.port ?? 0,
        maxBodyBytes: options?.maxBodyBytes ?? Server.defaultMaxBodyBytes,
        ...(certificate === undefined ? {} : { tls: certificate })
      },
      pipeline(service)
    )
    return {
      ...service,
      endpoint: listening.endpoint,
      host: listening.host,
      port: listening.port,
      ...(certificate === undefined ? {} : { certificate })
    }
  })

/**
 * `serveEmulator` as a layer: provides the server and the running emulator.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServerEmulator = (
  emulator: Emulator.Emulator,
  options?: ServerOptions
): Layer.Layer<AmsEmulatorServer | AmsEmulator, Faults.FaultPlanError | Error> =>
  Layer.scopedContext(
    Effect.map(serveEmulator(emulator, options), (server) =>
      Context.make(AmsEmulatorServer, server).pipe(Context.add(AmsEmulator, server)))
  )

/**
 * What to build the emulator from.
 *
 * @since 0.1.0
 * @category models
 */
export interface EmulatorOptions {
  /** Default: `Seed.defaultSeed` (project `demo`, users `admin`, `demo-admin`, `publisher`, `consumer`). */
  readonly seed?: Seed
  readonly config?: Emulator.Config
}

/**
 * The in-process `HttpClient` on a fresh emulator built from `options`, plus the `AmsEmulator` service.
 *
 * @since 0.1.0
 * @category layers
 * @example
 * import * as HttpClient from "@effect/platform/HttpClient"
 * import * as Effect from "effect/Effect"
 * import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
 * import * as Faults from "@argo-ams/emulator/Faults"
 *
 * const program = HttpClient.get("https://ams.test/v1/status").pipe(
 *   Effect.provide(AmsEmulator.layerWith({ faults: Faults.on({ times: 1 }, Faults.balancer(503)) }))
 * )
 */
export const layerWith = (
  options?: EmulatorOptions & ClientOptions
): Layer.Layer<HttpClient.HttpClient | AmsEmulator, SeedError | Faults.FaultPlanError> =>
  Layer.unwrapEffect(
    Effect.map(Emulator.make(options?.seed, options?.config), (emulator) => layerEmulator(emulator, options))
  )

/**
 * The in-process `HttpClient` on a fresh emulator holding `seed` (default: `Seed.defaultSeed`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  seed?: Seed,
  options?: Omit<EmulatorOptions, "seed"> & ClientOptions
): Layer.Layer<HttpClient.HttpClient | AmsEmulator, SeedError | Faults.FaultPlanError> =>
  layerWith({ ...options, ...(seed === undefined ? {} : { seed }) })

/**
 * Starts a fresh emulator on a real socket (`http://127.0.0.1:PORT`, or `https://` with `tls`) until the
 * scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve = (
  options?: EmulatorOptions & ServerOptions
): Effect.Effect<Listening, SeedError | Faults.FaultPlanError | Error, Scope.Scope> =>
  Effect.flatMap(Emulator.make(options?.seed, options?.config), (emulator) => serveEmulator(emulator, options))

/**
 * `serve` as a layer: provides the server and the running emulator.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServer = (
  options?: EmulatorOptions & ServerOptions
): Layer.Layer<AmsEmulatorServer | AmsEmulator, SeedError | Faults.FaultPlanError | Error> =>
  Layer.scopedContext(
    Effect.map(
      serve(options),
      (server) => Context.make(AmsEmulatorServer, server).pipe(Context.add(AmsEmulator, server))
    )
  )
