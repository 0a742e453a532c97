/**
 * The ARGO authentication service's x509 endpoint (argo-api-authn), for the certificate flow of §2.6:
 * `GET /v1/service-types/ams/hosts/{host}:authx509` over TLS, answering `{"token": ...}` for the AMS user
 * bound to the client certificate's DN.
 *
 * Certificate checks happen after the handshake (the server asks for a certificate but never rejects the
 * handshake), so every failure is a JSON answer in argo-api-authn's envelope:
 * - no certificate → 400 `No certificate provided` (BAD REQUEST);
 * - expired / not yet valid → 403 `Your certificate has expired` / `Your certificate is not active yet`
 *   (ACCESS_FORBIDDEN), the service's own texts;
 * - not signed by the configured CA → 403 `x509: certificate signed by unknown authority` (ACCESS_FORBIDDEN);
 *   the real service is configured to refuse such a certificate during the TLS handshake instead;
 * - a DN with no binding → 404 `Binding was not found` (NOT FOUND); a binding to a user AMS does not know →
 *   404 `User was not found`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Https from "node:https"
import type { TLSSocket } from "node:tls"
import * as Internal from "./internal/authn.js"
import type { Emulator } from "./internal/contract.js"
import * as Tls from "./internal/tls.js"

/**
 * Options of `serve`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The AMS emulator whose users the certificates map to. */
  readonly emulator: Emulator
  /**
   * The AMS token this service uses to read users (`GET /v1/users/{name}`): a service_admin user's token or
   * the emulator's service token (the real service holds an `argo_api_authn` token for the same purpose).
   */
  readonly token: string
  /** PEM of the CA client certificates must be signed by. */
  readonly ca: string
  /** PEM certificate and key this service presents. */
  readonly cert: string
  readonly key: string
  /** Certificate DN (as `subjectDn` prints it, e.g. `CN=alice,O=Example,C=GR`) → AMS user name. */
  readonly mappings: Readonly<Record<string, string>>
  /** Default `127.0.0.1`. */
  readonly host?: string
  /** Default 0: any free port. */
  readonly port?: number
}

/**
 * A running authn service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Served {
  /** `https://<host>:<port>`. */
  readonly endpoint: string
  readonly host: string
  readonly port: number
}

/**
 * The DN string a certificate subject binds by (Go's RDN order, `E=` first and `DC=` last), for `mappings`.
 *
 * @since 0.1.0
 * @category utils
 */
export const subjectDn: (attributes: ReadonlyArray<Tls.SubjectAttribute>) => string = Internal.subjectDn

const route = /^\/v1\/service-types\/ams\/hosts\/[^/]+:authx509$/

const answer = (options: Options, socket: TLSSocket): Effect.Effect<Internal.AuthnAnswer> =>
  Effect.gen(function*() {
    const peer = socket.getPeerCertificate()
    if (peer === null || peer.raw === undefined) {
      return Internal.error(400, "No certificate provided", "BAD REQUEST")
    }
    if (!socket.authorized) {
      const reason = String(socket.authorizationError ?? "")
      if (reason === "CERT_HAS_EXPIRED") return Internal.error(403, "Your certificate has expired", "ACCESS_FORBIDDEN")
      if (reason === "CERT_NOT_YET_VALID") {
        return Internal.error(403, "Your certificate is not active yet", "ACCESS_FORBIDDEN")
      }
      return Internal.error(403, "x509: certificate signed by unknown authority", "ACCESS_FORBIDDEN")
    }
    const dn = Internal.dnOfDer(peer.raw)
    const user = options.mappings[dn]
    if (user === undefined) return Internal.error(404, "Binding was not found", "NOT FOUND")
    const response = yield* options.emulator.handle({
      method: "GET",
      url: `/v1/users/${encodeURIComponent(user)}`,
      headers: { "x-api-key": options.token },
      body: ""
    })
    if (response.status !== 200) return Internal.error(404, "User was not found", "NOT FOUND")
    const parsed = JSON.parse(response.body) as { readonly token?: unknown }
    return typeof parsed.token === "string"
      ? Internal.token(parsed.token)
      : Internal.error(500, "Internal Error: no token in the AMS user", "INTERNAL SERVER ERROR")
  })

/**
 * Serves the x509 endpoint over TLS until the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve = (options: Options): Effect.Effect<Served, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<never>()
    const run = Runtime.runPromise(runtime)
    const host = options.host ?? "127.0.0.1"
    const server = Https.createServer({
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      requestCert: true,
      rejectUnauthorized: false
    }, (req, res) => {
      const path = new URL(req.url ?? "/", "https://authn.invalid").pathname
      const reply = (result: Internal.AuthnAnswer) => {
        res.writeHead(result.status, { "content-type": "application/json; charset=utf-8" })
        res.end(result.body)
      }
      if (req.method !== "GET" || !route.test(path)) {
        reply(Internal.error(404, "Not Found", "NOT FOUND"))
        return
      }
      run(answer(options, req.socket as TLSSocket)).then(reply, (cause: unknown) =>
        reply(Internal.error(500, `Internal Error: ${String(cause)}`, "INTERNAL SERVER ERROR")))
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number, Error>((resume) => {
        server.once("error", (error) =>
          resume(Effect.fail(error)))
        server.listen(options.port ?? 0, host, () => {
          const address = server.address()
          resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
        })
      }),
      () =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    return { endpoint: `https://${host}:${port}`, host, port }
  })

/**
 * A throwaway PKI for tests, made with node-forge (no openssl, no network): a CA, a server certificate for
 * `localhost`/`127.0.0.1`, and `issue` for client certificates with any subject and validity window.
 *
 * @since 0.1.0
 * @category models
 */
export interface TestPki {
  readonly ca: string
  readonly server: Tls.Issued
  readonly issue: (options: {
    readonly subject: ReadonlyArray<Tls.SubjectAttribute>
    /** Default: an hour ago. */
    readonly notBefore?: Date
    /** Default: in a day. */
    readonly notAfter?: Date
  }) => Effect.Effect<Tls.Issued, Error>
}

/**
 * Makes a `TestPki`. Validity windows use the wall clock, not Effect's `Clock`: TLS peers check real time.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeTestPki = (): Effect.Effect<TestPki, Error> =>
  Effect.gen(function*() {
    const authority = yield* Tls.makeAuthority([{ name: "commonName", value: "AMS authn test CA" }])
    const now = Date.now()
    const server = yield* authority.sign([{ name: "commonName", value: "localhost" }], {
      notBefore: new Date(now - 3600 * 1000),
      notAfter: new Date(now + 365 * 24 * 3600 * 1000),
      server: true
    })
    return {
      ca: authority.ca,
      server,
      issue: (options) =>
        authority.sign(options.subject, {
          notBefore: options.notBefore ?? new Date(Date.now() - 3600 * 1000),
          notAfter: options.notAfter ?? new Date(Date.now() + 24 * 3600 * 1000)
        })
    }
  })
