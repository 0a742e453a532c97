/**
 * X509 end to end over real TLS on 127.0.0.1, with certificates made here (node-forge, through the
 * emulator package that depends on it): a CA, a server certificate, client certificates (known, unknown
 * CA, expired, bound to no user, bound to an answer without token). The authentication service is a
 * minimal `https.createServer({ requestCert: true, ca })` in this file that maps a certificate's CN to an
 * AMS token; AMS itself is the in-process emulator.
 */
import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Seed from "@argo-ams/emulator/Seed"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { generateKeyPairSync, randomBytes } from "node:crypto"
import * as Fs from "node:fs/promises"
import type * as Http from "node:http"
import * as Https from "node:https"
import { createRequire } from "node:module"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import type * as Tls from "node:tls"
import * as User from "../../src/User.js"
import * as X509 from "../../src/X509.js"

// ---------------------------------------------------------------------------------------------------
// Certificates (node-forge: the few members used here, typed structurally)
// ---------------------------------------------------------------------------------------------------

type Attributes = Array<{ readonly name: string; readonly value: string }>
interface ForgeCertificate {
  publicKey: unknown
  serialNumber: string
  validity: { notBefore: Date; notAfter: Date }
  setSubject(attributes: Attributes): void
  setIssuer(attributes: Attributes): void
  setExtensions(extensions: Array<Record<string, unknown>>): void
  sign(key: unknown, digest: unknown): void
}
interface Forge {
  readonly pki: {
    createCertificate(): ForgeCertificate
    certificateToPem(certificate: ForgeCertificate): string
    privateKeyFromPem(pem: string): unknown
    publicKeyFromPem(pem: string): unknown
  }
  readonly md: { readonly sha256: { create(): unknown } }
}

const requireHere = createRequire(import.meta.url)
const forge = createRequire(requireHere.resolve("@argo-ams/emulator/package.json"))("node-forge") as Forge

interface Issued {
  readonly cert: string
  readonly key: string
  readonly subject: Attributes
  readonly privateKey: unknown
}

const day = 24 * 60 * 60 * 1000

const issue = (options: {
  readonly commonName: string
  readonly issuer?: Issued
  readonly ca?: boolean
  readonly usage?: "serverAuth" | "clientAuth"
  readonly expired?: boolean
}): Issued => {
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 })
  const key = pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString()
  const certificate = forge.pki.createCertificate()
  certificate.publicKey = forge.pki.publicKeyFromPem(pair.publicKey.export({ format: "pem", type: "spki" }).toString())
  certificate.serialNumber = "0" + randomBytes(15).toString("hex")
  const now = Date.now()
  certificate.validity.notBefore = new Date(now - (options.expired === true ? 30 * day : day))
  certificate.validity.notAfter = new Date(now + (options.expired === true ? -day : 30 * day))
  const subject: Attributes = [{ name: "commonName", value: options.commonName }, {
    name: "organizationName",
    value: "argo-ams tests"
  }]
  certificate.setSubject(subject)
  certificate.setIssuer(options.issuer?.subject ?? subject)
  certificate.setExtensions(
    options.ca === true
      ? [
        { name: "basicConstraints", cA: true, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true }
      ]
      : [
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        { name: "extKeyUsage", [options.usage ?? "clientAuth"]: true },
        ...(options.usage === "serverAuth"
          ? [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }, { type: 2, value: "localhost" }] }]
          : [])
      ]
  )
  const privateKey = forge.pki.privateKeyFromPem(key)
  certificate.sign(options.issuer?.privateKey ?? privateKey, forge.md.sha256.create())
  return { cert: forge.pki.certificateToPem(certificate), key, subject, privateKey }
}

// Made once: key generation is the slow part, and certificates are immutable.
const ca = issue({ commonName: "argo-ams test CA", ca: true })
const otherCa = issue({ commonName: "someone else's CA", ca: true })
const serverCert = issue({ commonName: "127.0.0.1", issuer: ca, usage: "serverAuth" })
const consumer = issue({ commonName: Seed.consumerUser, issuer: ca })
const stranger = issue({ commonName: "stranger", issuer: ca })
const tokenless = issue({ commonName: "tokenless", issuer: ca })
const unknown = issue({ commonName: Seed.consumerUser, issuer: otherCa })
const expired = issue({ commonName: Seed.consumerUser, issuer: ca, expired: true })

// ---------------------------------------------------------------------------------------------------
// A minimal authentication service
// ---------------------------------------------------------------------------------------------------

const tokens: Readonly<Record<string, string>> = {
  [Seed.consumerUser]: Seed.consumerToken,
  [Seed.adminUser]: Seed.adminToken
}

const sendJson = (response: Http.ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { "content-type": "application/json" })
  response.end(JSON.stringify(body))
}

/**
 * Serves `GET /v1/service-types/ams/hosts/{host}:authx509` on 127.0.0.1 until the scope closes.
 * `strict`: the TLS layer itself refuses certificates the CA did not sign; otherwise the handler answers
 * 401 JSON to them, as the real service does for unauthorised DNs.
 */
const authn = (options: { readonly strict: boolean; readonly host?: string }) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Https.Server; readonly port: number; readonly seen: Array<string> }>((resume) => {
      const seen: Array<string> = []
      const server = Https.createServer(
        {
          cert: serverCert.cert,
          key: serverCert.key,
          ca: ca.cert,
          requestCert: true,
          rejectUnauthorized: options.strict
        },
        (request, response) => {
          seen.push(`${request.method} ${request.url} ${request.headers["x-api-key"] ?? "-"}`)
          const socket = request.socket as Tls.TLSSocket
          const expected = `/v1/service-types/ams/hosts/${options.host ?? "127.0.0.1"}:authx509`
          if (request.method !== "GET" || request.url !== expected) {
            return sendJson(response, 404, { error: { message: "Not Found", code: 404, status: "NOT FOUND" } })
          }
          const peer = socket.getPeerCertificate()
          if (peer === null || Object.keys(peer).length === 0) {
            return sendJson(response, 400, {
              error: { message: "No certificate provided", code: 400, status: "BAD REQUEST" }
            })
          }
          if (!socket.authorized) {
            return sendJson(response, 401, { error: { message: "Unauthorized", code: 401, status: "UNAUTHORIZED" } })
          }
          const cn = String(peer.subject.CN)
          if (cn === "tokenless") return sendJson(response, 200, { name: cn })
          const token = tokens[cn]
          if (token === undefined) {
            return sendJson(response, 404, {
              error: { message: "Binding was not found", code: 404, status: "NOT FOUND" }
            })
          }
          return sendJson(response, 200, { token })
        }
      )
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({ server, port: (server.address() as Net.AddressInfo).port, seen })))
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() =>
          resume(Effect.void)
        )
      })
  )

const closedPort = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as Net.AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

describe("X509 (real TLS on 127.0.0.1)", () => {
  it.scopedLive("token: the certificate's token, and no x-api-key sent to the authentication service", () =>
    Effect.gen(function*() {
      const service = yield* authn({ strict: true })
      const token = yield* X509.token({
        endpoint: "127.0.0.1",
        cert: consumer.cert,
        key: consumer.key,
        ca: ca.cert,
        authnPort: service.port
      })
      expect(Redacted.value(token)).toBe(Seed.consumerToken)
      expect(service.seen).toEqual(["GET /v1/service-types/ams/hosts/127.0.0.1:authx509 -"])
    }))

  it.scopedLive("layer: AmsHttp on the emulator with the certificate's token (endpoint host:port, authnHost)", () =>
    Effect.gen(function*() {
      const service = yield* authn({ strict: true, host: "ams.test" })
      const Ams = X509.layer({
        endpoint: "ams.test:443",
        project: "demo",
        cert: consumer.cert,
        key: Redacted.make(consumer.key),
        ca: ca.cert,
        authnHost: "127.0.0.1",
        authnPort: service.port
      }).pipe(Layer.provide(AmsEmulator.layer()))
      const me = yield* User.profile().pipe(Effect.provide(Ams))
      expect(me.name).toBe(Seed.consumerUser)
      expect(Redacted.value(me.token!)).toBe(Seed.consumerToken)
    }))

  it.scopedLive("cert, key and CA given as file paths", () =>
    Effect.gen(function*() {
      const service = yield* authn({ strict: true })
      const dir = yield* Effect.acquireRelease(
        Effect.promise(() => Fs.mkdtemp(Path.join(Os.tmpdir(), "argo-ams-x509-"))),
        (dir) => Effect.promise(() => Fs.rm(dir, { recursive: true, force: true }))
      )
      const file = (name: string, text: string) =>
        Effect.promise(async () => {
          const path = Path.join(dir, name)
          await Fs.writeFile(path, text, { mode: 0o600 })
          return path
        })
      const token = yield* X509.token({
        endpoint: "https://127.0.0.1:9999",
        cert: yield* file("cert.pem", consumer.cert),
        key: yield* file("key.pem", consumer.key),
        ca: yield* file("ca.pem", ca.cert),
        authnPort: service.port
      })
      expect(Redacted.value(token)).toBe(Seed.consumerToken)
    }))

  it.scopedLive("a certificate from an unknown CA, or expired, fails the handshake: CertificateRejected", () =>
    Effect.gen(function*() {
      const service = yield* authn({ strict: true })
      for (const client of [unknown, expired]) {
        const error = yield* Effect.flip(
          X509.token({
            endpoint: "127.0.0.1",
            cert: client.cert,
            key: client.key,
            ca: ca.cert,
            authnPort: service.port
          })
        )
        assert.strictEqual(error._tag, "X509Error")
        expect(error.reason).toBe("CertificateRejected")
        expect(error.message).not.toContain("PRIVATE KEY")
      }
      expect(service.seen).toEqual([])
    }))

  it.scopedLive("401/404 JSON answers of the service: CertificateRejected with status; 200 without token: NoToken", () =>
    Effect.gen(function*() {
      const service = yield* authn({ strict: false })
      const attempt = (client: Issued) =>
        Effect.flip(
          X509.token({
            endpoint: "127.0.0.1",
            cert: client.cert,
            key: client.key,
            ca: ca.cert,
            authnPort: service.port
          })
        )
      const untrusted = yield* attempt(unknown)
      expect([untrusted.reason, untrusted.status]).toEqual(["CertificateRejected", 401])
      expect(untrusted.message).toContain("Unauthorized")
      const unbound = yield* attempt(stranger)
      expect([unbound.reason, unbound.status]).toEqual(["CertificateRejected", 404])
      expect(unbound.message).toContain("Binding was not found")
      const noToken = yield* attempt(tokenless)
      expect([noToken.reason, noToken.status]).toEqual(["NoToken", 200])
    }))

  it.scopedLive("the service's own certificate is not trusted without its CA: ConnectionFailed", () =>
    Effect.gen(function*() {
      const service = yield* authn({ strict: true })
      const error = yield* Effect.flip(
        X509.token({ endpoint: "127.0.0.1", cert: consumer.cert, key: consumer.key, authnPort: service.port })
      )
      expect(error.reason).toBe("ConnectionFailed")
      expect(error.message).toContain("not trusted")
    }))

  it.live("nothing listening: ConnectionFailed", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const error = yield* Effect.flip(
        X509.token({ endpoint: "127.0.0.1", cert: consumer.cert, key: consumer.key, ca: ca.cert, authnPort: port })
      )
      expect(error.reason).toBe("ConnectionFailed")
      expect(error.message).toContain("ECONNREFUSED")
    }))

  it.live("a layer whose certificate is refused fails to build with the X509Error", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const error = yield* User.profile().pipe(
        Effect.provide(
          X509.layer({
            endpoint: "127.0.0.1",
            project: "demo",
            cert: consumer.cert,
            key: consumer.key,
            ca: ca.cert,
            authnPort: port
          }).pipe(Layer.provide(AmsEmulator.layer()))
        ),
        Effect.flip
      )
      assert.strictEqual(error._tag, "X509Error")
    }))
})
