/**
 * Node only: log in with an X.509 client certificate. The ARGO authentication service trades the
 * certificate for the AMS token of the user bound to its DN (ams-api.md §2.6); `layer` then builds
 * `AmsHttp` on that token. Import it as `@argo-ams/client/X509` (it is not in the index, which stays
 * portable). The exchange runs on `@effect/platform-node`'s undici `HttpClient` (an optional peer
 * dependency, needed for this module), with an agent that presents the certificate: it gets the
 * client's `http.client` span under `ams.x509.token`.
 *
 * @since 0.1.0
 */
/// <reference types="node" />
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Undici from "@effect/platform-node/Undici"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Fs from "node:fs/promises"
import * as Tls from "node:tls"
import type { AmsArgumentError } from "./AmsError.js"
import * as AmsHttp from "./AmsHttp.js"

/**
 * Why the certificate login failed:
 *
 * - `NoCertificate`: no certificate, or no key, was given.
 * - `CertificateUnreadable`: a file could not be read, or the PEM texts are not a usable certificate/key pair.
 * - `CertificateRejected`: the authentication service refused the certificate: the TLS handshake failed
 *   on its side (unknown CA, expired, no certificate), or it answered 400/401/403/404.
 * - `NoToken`: it answered 200 without a `token`.
 * - `ConnectionFailed`: it could not be reached, its own certificate is not trusted, or it did not answer
 *   in time.
 * - `UnexpectedAnswer`: any other answer (a 5xx, a body that is not JSON).
 *
 * @since 0.1.0
 * @category models
 */
export type X509ErrorReason = typeof Reason.Type

const Reason = Schema.Literal(
  "NoCertificate",
  "CertificateUnreadable",
  "CertificateRejected",
  "NoToken",
  "ConnectionFailed",
  "UnexpectedAnswer"
)

/**
 * The certificate login failed. Messages never carry the token or key material. A `Schema.TaggedError`:
 * it is its own schema, for a worker or RPC boundary.
 *
 * @since 0.1.0
 * @category errors
 */
export class X509Error extends Schema.TaggedError<X509Error>()("X509Error", {
  reason: Reason,
  message: Schema.String,
  /** The authentication service's HTTP status, when it answered. */
  status: Schema.optional(Schema.Number),
  /** The underlying failure, encoded as a `Schema.Defect` (an `Error` crosses as its name and message). */
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * A PEM text, the path of a PEM file, or the file's bytes. A string containing `-----BEGIN` is read as
 * the PEM text itself, any other string as a path.
 *
 * @since 0.1.0
 * @category models
 */
export type Pem = string | Uint8Array

/**
 * Options of `token`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenOptions {
  /**
   * The AMS endpoint, as given to `AmsHttp.layer`: `host`, `host:port` or an `https://` URL. Its host name
   * (without the port) names the service in the authentication request.
   */
  readonly endpoint: string
  /** The client certificate (PEM text, path, or bytes). */
  readonly cert: Pem
  /** The certificate's private key (PEM text, path, or bytes). */
  readonly key: Pem | Redacted.Redacted<string>
  /** The key's passphrase, if it is encrypted. */
  readonly passphrase?: Redacted.Redacted<string> | undefined
  /**
   * The CA(s) to trust for the authentication service's own certificate. When given, they replace the
   * system's trusted CAs for this request.
   */
  readonly ca?: Pem | undefined
  /** The authentication service's host. Default: the endpoint's host name. */
  readonly authnHost?: string | undefined
  /** The authentication service's port. Default `8443`. */
  readonly authnPort?: number | undefined
  /** How long to wait for the authentication service. Default 30 seconds. */
  readonly authnTimeout?: Duration.DurationInput | undefined
}

/**
 * Options of `layer`: those of `AmsHttp.layer` except the token, plus those of `token`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends TokenOptions, Omit<AmsHttp.Options, "token" | "endpoint"> {}

/**
 * The authentication service's default port.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultAuthnPort = 8443

const fail = (reason: X509ErrorReason, message: string, extra: { status?: number; cause?: unknown } = {}) =>
  new X509Error({ reason, message: `x509: ${message}`, ...extra })

const isEmpty = (pem: Pem | Redacted.Redacted<string> | undefined): boolean =>
  pem === undefined || (Redacted.isRedacted(pem) ? Redacted.value(pem) : pem).length === 0

const read = (what: string, pem: Pem | Redacted.Redacted<string>): Effect.Effect<string | Uint8Array, X509Error> => {
  if (pem instanceof Uint8Array) return Effect.succeed(pem)
  if (Redacted.isRedacted(pem)) return Effect.succeed(Redacted.value(pem))
  if (pem.includes("-----BEGIN")) return Effect.succeed(pem)
  return Effect.tryPromise({
    try: () => Fs.readFile(pem),
    catch: (cause) =>
      fail("CertificateUnreadable", `cannot read the ${what} file ${pem}: ${errorCode(cause) ?? "unreadable"}`, {
        cause
      })
  })
}

const errorCode = (error: unknown): string | undefined =>
  Predicate.hasProperty(error, "code") && Predicate.isString(error.code) ? error.code : undefined

const errorText = (error: unknown): string => {
  const code = errorCode(error)
  const message = error instanceof Error ? error.message : String(error)
  return code === undefined || message.includes(code) ? message : `${code}: ${message}`
}

// Errors about the service's own certificate, found by this side of the handshake.
const untrustedServer = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "ERR_TLS_CERT_ALTNAME_INVALID"
])

/**
 * Sorts a failure of the HTTPS exchange into a reason. `afterHandshake`: our side of the TLS handshake had
 * completed, with our certificate sent, and no answer had started. A service that verifies client
 * certificates after the handshake (TLS 1.3, or a Node server) then just closes the connection instead of
 * sending an alert, so a reset at that point is read as a refused certificate.
 */
const transportFailure = (error: unknown, afterHandshake = false): X509Error => {
  const code = errorCode(error) ?? ""
  // undici reports a peer that closed without an error as `UND_ERR_SOCKET` ("other side closed").
  if (afterHandshake && (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET")) {
    return fail(
      "CertificateRejected",
      `the authentication service closed the connection after receiving the certificate (${errorText(error)})`,
      { cause: error }
    )
  }
  // The service answered our certificate with a TLS alert (bad/unknown/expired/required certificate).
  if (/^ERR_SSL_.*ALERT/.test(code)) {
    return fail("CertificateRejected", `the authentication service refused the certificate (${errorText(error)})`, {
      cause: error
    })
  }
  if (untrustedServer.has(code)) {
    return fail("ConnectionFailed", `the authentication service's certificate is not trusted (${errorText(error)})`, {
      cause: error
    })
  }
  return fail("ConnectionFailed", `cannot reach the authentication service (${errorText(error)})`, { cause: error })
}

/**
 * The authentication service's URL for an AMS endpoint (`host`, `host:port` or a URL): the endpoint's host
 * name (without its port) both locates the service (unless `authnHost` is given) and names it in the path.
 *
 * @since 0.1.0
 * @category utils
 */
export const authnUrl = (
  endpoint: string,
  options?: { readonly authnHost?: string | undefined; readonly authnPort?: number | undefined }
): string => {
  const trimmed = endpoint.trim().replace(/\/+$/, "")
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`)
  // `hostname` drops the AMS port (keeping IPv6 brackets): the port of the authentication service is its own.
  const serviceHost = url.hostname
  const authnHost = options?.authnHost ?? serviceHost
  const port = options?.authnPort ?? defaultAuthnPort
  return `https://${authnHost}:${port}/v1/service-types/ams/hosts/${serviceHost}:authx509`
}

/** What the TLS connection presents and trusts. */
type Credentials = Pick<Tls.SecureContextOptions, "cert" | "key" | "ca" | "passphrase">

interface Answer {
  readonly status: number
  readonly text: string
}

/**
 * An undici agent that presents the certificate. Its connector is undici's own; it only notes when our
 * side of the TLS handshake completed, so a reset after that can be told from one before.
 */
const agent = (
  tls: Credentials,
  connectTimeout: Duration.Duration,
  onHandshake: () => void
): Effect.Effect<Undici.Agent, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const connector = Undici.buildConnector({ ...tls, timeout: Duration.toMillis(connectTimeout) })
      return new Undici.Agent({
        connect: (options, callback) =>
          connector(options, (...args) => {
            if (args[0] === null) onHandshake()
            callback(...args)
          })
      })
    }),
    (agent) => Effect.promise(() => agent.destroy().catch(() => undefined))
  )

/** The HTTP client's failure as an `X509Error`: the cause is undici's (or TLS's) own error. */
const httpFailure = (error: HttpClientError.HttpClientError, handshaken: boolean): X509Error =>
  // A `RequestError` means no answer had started; a `ResponseError` is a body cut short.
  transportFailure(error.cause ?? error, error._tag === "RequestError" && handshaken)

const get = (
  url: string,
  tls: Credentials,
  timeout: Duration.Duration
): Effect.Effect<Answer, X509Error> =>
  Effect.gen(function*() {
    let handshaken = false
    const client = NodeHttpClient.makeUndici(yield* agent(tls, timeout, () => (handshaken = true)))
    return yield* client.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.acceptJson)).pipe(
      Effect.flatMap((response) => Effect.map(response.text, (text) => ({ status: response.status, text }))),
      Effect.mapError((error) => httpFailure(error, handshaken))
    )
  }).pipe(Effect.scoped)

/** Builds the TLS context once up front, so PEM texts that are not a certificate/key pair fail as such. */
const usable = (tls: Credentials): Effect.Effect<void, X509Error> =>
  Effect.try({
    try: () => {
      Tls.createSecureContext(tls)
    },
    // Only the code: the message of a key that does not parse may quote it.
    catch: (cause) =>
      fail("CertificateUnreadable", `the certificate or key cannot be used (${errorCode(cause) ?? "invalid"})`, {
        cause
      })
  })

const errorMessage = (json: unknown): string | undefined =>
  Predicate.hasProperty(json, "error") && Predicate.hasProperty(json.error, "message") &&
    Predicate.isString(json.error.message)
    ? json.error.message
    : undefined

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** Reads the token out of the service's answer. */
const tokenFrom = ({ status, text }: Answer): Effect.Effect<Redacted.Redacted<string>, X509Error> => {
  const json = parse(text)
  if (status === 200) {
    if (json === undefined) return Effect.fail(fail("UnexpectedAnswer", "the answer is not JSON", { status }))
    return Predicate.hasProperty(json, "token") && Predicate.isString(json.token) && json.token.length > 0
      ? Effect.succeed(Redacted.make(json.token))
      : Effect.fail(fail("NoToken", "the authentication service answered without a token", { status }))
  }
  const said = errorMessage(json)
  const detail = said === undefined ? `HTTP ${status}` : `${status} ${said}`
  return Effect.fail(
    status === 400 || status === 401 || status === 403 || status === 404
      ? fail("CertificateRejected", `the authentication service refused the certificate: ${detail}`, { status })
      : fail("UnexpectedAnswer", `the authentication service answered ${detail}`, { status })
  )
}

/**
 * Trades a client certificate for an AMS token at the ARGO authentication service
 * (`GET https://{authnHost}:{authnPort}/v1/service-types/ams/hosts/{host}:authx509`, port 8443 by default).
 * An endpoint with a port (`host:port`) is handled: the port is AMS's, not the authentication service's.
 *
 * @since 0.1.0
 * @category constructors
 */
export const token = (options: TokenOptions): Effect.Effect<Redacted.Redacted<string>, X509Error> =>
  Effect.gen(function*() {
    if (isEmpty(options.cert) || isEmpty(options.key)) {
      return yield* Effect.fail(
        fail("NoCertificate", "no certificate provided: both a certificate and its key are needed")
      )
    }
    const url = yield* Effect.try({
      try: () => authnUrl(options.endpoint, options),
      catch: (cause) =>
        // Not quoted: an endpoint may carry credentials.
        fail("ConnectionFailed", "the endpoint is not a host or URL", { cause })
    })
    const cert = yield* read("certificate", options.cert)
    const key = yield* read("key", options.key)
    const ca = options.ca === undefined ? undefined : yield* read("CA", options.ca)
    const tls: Credentials = {
      cert: typeof cert === "string" ? cert : Buffer.from(cert),
      key: typeof key === "string" ? key : Buffer.from(key),
      ...(ca === undefined ? {} : { ca: typeof ca === "string" ? ca : Buffer.from(ca) }),
      ...(options.passphrase === undefined ? {} : { passphrase: Redacted.value(options.passphrase) })
    }
    yield* usable(tls)
    const timeout = Duration.decode(options.authnTimeout ?? Duration.seconds(30))
    const answer = yield* get(url, tls, timeout).pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () =>
          fail("ConnectionFailed", `the authentication service did not answer within ${Duration.format(timeout)}`)
      })
    )
    return yield* tokenFrom(answer)
  }).pipe(Effect.withSpan("ams.x509.token", { kind: "client", captureStackTrace: false }))

/**
 * `AmsHttp` on the token of a client certificate: `token` once, when the layer is built, then
 * `AmsHttp.make` with the other options. The AMS calls go through the `HttpClient` you provide.
 *
 * @example
 * import { Topic } from "@argo-ams/client"
 * import * as X509 from "@argo-ams/client/X509"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * const Ams = X509.layer({
 *   endpoint: "msg.argo.grnet.gr",
 *   project: "ARGO",
 *   cert: "/etc/grid-security/hostcert.pem",
 *   key: "/etc/grid-security/hostkey.pem"
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 *
 * const program = Topic.list().pipe(Effect.provide(Ams))
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<AmsHttp.AmsHttp, X509Error | AmsArgumentError, HttpClient.HttpClient> =>
  Layer.effect(
    AmsHttp.AmsHttp,
    Effect.flatMap(token(options), (amsToken) =>
      AmsHttp.make({
        endpoint: options.endpoint,
        token: amsToken,
        project: options.project,
        ...(options.authMode === undefined ? {} : { authMode: options.authMode }),
        ...(options.timeout === undefined ? {} : { timeout: options.timeout })
      }))
  )
