/**
 * X509 end to end over real TLS on 127.0.0.1, against the emulator's own authentication service
 * (`Authn.serve`, argo-api-authn's x509 endpoint) bound to an in-process emulator, with certificates from
 * `Authn.makeTestPki` (no openssl, no network).
 */
import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Authn from "@argo-ams/emulator/Authn"
import * as Emulator from "@argo-ams/emulator/Emulator"
import * as Faults from "@argo-ams/emulator/Faults"
import * as Seed from "@argo-ams/emulator/Seed"
import { assert, expect, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs/promises"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Tls from "node:tls"
import * as User from "../../src/User.js"
import * as X509 from "../../src/X509.js"
import * as Spans from "../utils/spans.js"

const consumerSubject = [
  { name: "commonName", value: Seed.consumerUser },
  { name: "organizationName", value: "argo-ams tests" },
  { name: "countryName", value: "GR" }
]
const day = 24 * 60 * 60 * 1000

interface Issued {
  readonly cert: string
  readonly key: string
}

/** Certificates, made once for the file: key generation is the slow part, and certificates are immutable. */
class Pki extends Context.Tag("x509.test/Pki")<Pki, {
  readonly ca: string
  readonly server: Issued
  /** Signed by the CA, its DN bound to the seed's consumer. */
  readonly consumer: Issued
  /** Signed by the CA, its DN bound to nobody. */
  readonly stranger: Issued
  /** The consumer's subject, signed by another CA. */
  readonly foreign: Issued
  /** The consumer's subject, expired yesterday. */
  readonly expired: Issued
}>() {}

const PkiLive = Layer.effect(
  Pki,
  Effect.gen(function*() {
    const pki = yield* Authn.makeTestPki()
    const other = yield* Authn.makeTestPki()
    const now = Date.now()
    return {
      ca: pki.ca,
      server: pki.server,
      consumer: yield* pki.issue({ subject: consumerSubject }),
      stranger: yield* pki.issue({ subject: [{ name: "commonName", value: "stranger" }] }),
      foreign: yield* other.issue({ subject: consumerSubject }),
      expired: yield* pki.issue({
        subject: consumerSubject,
        notBefore: new Date(now - 10 * day),
        notAfter: new Date(now - day)
      })
    }
  })
)

/** A fresh emulator, and its authentication service on 127.0.0.1 mapping the consumer's DN to its user. */
const authn = Effect.gen(function*() {
  const pki = yield* Pki
  const emulator = yield* Emulator.make(Seed.defaultSeed)
  const served = yield* Authn.serve({
    emulator,
    token: Seed.adminToken,
    ca: pki.ca,
    cert: pki.server.cert,
    key: pki.server.key,
    mappings: { [Authn.subjectDn(consumerSubject)]: Seed.consumerUser }
  })
  return { emulator, port: served.port }
})

const closedPort = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as Net.AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** A TLS server (the test CA's server certificate, asking for a client one) that hangs up once the handshake is done. */
const hangUpAfterHandshake = Effect.gen(function*() {
  const pki = yield* Pki
  const server = yield* Effect.acquireRelease(
    Effect.async<Tls.Server>((resume) => {
      const server = Tls.createServer(
        { cert: pki.server.cert, key: pki.server.key, ca: pki.ca, requestCert: true, rejectUnauthorized: false },
        (socket) => {
          socket.destroy()
        }
      )
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
      })
  )
  return (server.address() as Net.AddressInfo).port
})

/** A TCP server that hangs up before any TLS is spoken. */
const hangUpAtOnce = Effect.acquireRelease(
  Effect.async<Net.Server>((resume) => {
    const server = Net.createServer((socket) => {
      socket.destroy()
    })
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) =>
    Effect.async<void>((resume) => {
      server.close(() => resume(Effect.void))
    })
).pipe(Effect.map((server) => (server.address() as Net.AddressInfo).port))

layer(PkiLive, { timeout: "60 seconds", excludeTestServices: true })(
  "X509 against the emulator's authn service (TLS on 127.0.0.1)",
  (it) => {
    it.scoped("a certificate bound to a seed user gives that user's token, which works against the emulator", () =>
      Effect.gen(function*() {
        const pki = yield* Pki
        const service = yield* authn
        const token = yield* X509.token({
          endpoint: "127.0.0.1",
          cert: pki.consumer.cert,
          key: pki.consumer.key,
          ca: pki.ca,
          authnPort: service.port
        })
        expect(Redacted.value(token)).toBe(Seed.consumerToken)

        // The layer, with an AMS endpoint that has its own port and an authn host of its own.
        const Ams = X509.layer({
          endpoint: "ams.test:443",
          project: Seed.demoProject,
          cert: pki.consumer.cert,
          key: Redacted.make(pki.consumer.key),
          ca: pki.ca,
          authnHost: "127.0.0.1",
          authnPort: service.port
        }).pipe(Layer.provide(AmsEmulator.layerEmulator(service.emulator)))
        const me = yield* User.profile().pipe(Effect.provide(Ams))
        expect(me.name).toBe(Seed.consumerUser)
        expect(Redacted.value(me.token!)).toBe(Seed.consumerToken)
      }))

    it.scoped("cert, key and CA given as file paths", () =>
      Effect.gen(function*() {
        const pki = yield* Pki
        const service = yield* authn
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
          cert: yield* file("cert.pem", pki.consumer.cert),
          key: yield* file("key.pem", pki.consumer.key),
          ca: yield* file("ca.pem", pki.ca),
          authnPort: service.port
        })
        expect(Redacted.value(token)).toBe(Seed.consumerToken)
      }))

    it.scoped("no certificate or no key: NoCertificate, before any request", () =>
      Effect.gen(function*() {
        const pki = yield* Pki
        // Nothing listens there: reaching out would be a ConnectionFailed, not a NoCertificate.
        const port = yield* closedPort
        for (const [cert, key] of [["", pki.consumer.key], [pki.consumer.cert, Redacted.make("")]] as const) {
          const error = yield* Effect.flip(
            X509.token({ endpoint: "127.0.0.1", cert, key, ca: pki.ca, authnPort: port })
          )
          assert.strictEqual(error._tag, "X509Error")
          expect(error.reason).toBe("NoCertificate")
          expect(error.status).toBeUndefined()
        }
      }))

    it.scoped("the service's refusals are CertificateRejected with its status and text", () =>
      Effect.gen(function*() {
        const pki = yield* Pki
        const service = yield* authn
        const attempt = (client: Issued) =>
          Effect.flip(
            X509.token({
              endpoint: "127.0.0.1",
              cert: client.cert,
              key: client.key,
              ca: pki.ca,
              authnPort: service.port
            })
          )
        const cases = [
          [pki.stranger, 404, "Binding was not found"],
          [pki.foreign, 403, "certificate signed by unknown authority"],
          [pki.expired, 403, "Your certificate has expired"]
        ] as const
        for (const [client, status, text] of cases) {
          const error = yield* attempt(client)
          assert.strictEqual(error._tag, "X509Error")
          expect([error.reason, error.status]).toEqual(["CertificateRejected", status])
          expect(error.message).toContain(text)
          expect(error.message).not.toContain("PRIVATE KEY")
        }
      }))

    it.scoped("an answer without a token is NoToken; a balancer page is UnexpectedAnswer", () =>
      Effect.gen(function*() {
        const pki = yield* Pki
        // The emulator's own TLS server stands in for a misbehaving authn service, through its fault plan.
        const sick = yield* AmsEmulator.serve({
          tls: true,
          faults: [
            ...Faults.on({ path: "*:authx509", times: 1 }, Faults.status(200, { body: "{\"name\":\"consumer\"}" })),
            ...Faults.on({ path: "*:authx509" }, Faults.balancer(502))
          ]
        })
        const attempt = Effect.flip(
          X509.token({
            endpoint: "127.0.0.1",
            cert: pki.consumer.cert,
            key: pki.consumer.key,
            ca: sick.certificate!.ca,
            authnPort: sick.port
          })
        )
        const noToken = yield* attempt
        expect([noToken.reason, noToken.status]).toEqual(["NoToken", 200])
        const balancer = yield* attempt
        expect([balancer.reason, balancer.status]).toEqual(["UnexpectedAnswer", 502])
      }))

    it.scoped("the service's own certificate is not trusted without its CA: ConnectionFailed", () =>
      Effect.gen(function*() {
        const pki = yield* Pki
        const service = yield* authn
        const error = yield* Effect.flip(
          X509.token({ endpoint: "127.0.0.1", cert: pki.consumer.cert, key: pki.consumer.key, authnPort: service.port })
        )
        expect(error.reason).toBe("ConnectionFailed")
        expect(error.message).toContain("not trusted")
      }))

    it.scoped("nothing listening: ConnectionFailed, and a layer on it fails to build with the X509Error", () =>
      Effect.gen(function*() {
        const pki = yield* Pki
        const port = yield* closedPort
        const options = { endpoint: "127.0.0.1", cert: pki.consumer.cert, key: pki.consumer.key, ca: pki.ca }
        const error = yield* Effect.flip(X509.token({ ...options, authnPort: port }))
        expect(error.reason).toBe("ConnectionFailed")
        expect(error.message).toContain("ECONNREFUSED")
        const emulator = yield* Emulator.make(Seed.defaultSeed)
        const built = yield* User.profile().pipe(
          Effect.provide(
            X509.layer({ ...options, project: Seed.demoProject, authnPort: port }).pipe(
              Layer.provide(AmsEmulator.layerEmulator(emulator))
            )
          ),
          Effect.flip
        )
        assert.strictEqual(built._tag, "X509Error")
      }))

    it.scoped("the exchange goes through the platform's HTTP client: its span sits under ams.x509.token", () =>
      Effect.gen(function*() {
        const pki = yield* Pki
        const service = yield* authn
        const { spans } = yield* Spans.recording(
          X509.token({
            endpoint: "127.0.0.1",
            cert: pki.consumer.cert,
            key: pki.consumer.key,
            ca: pki.ca,
            authnPort: service.port
          })
        )
        const token = spans.find((span) => span.name === "ams.x509.token")
        const http = spans.find((span) => span.name === "http.client GET")
        assert.isDefined(token)
        assert.isDefined(http)
        expect(http.parent._tag === "Some" && http.parent.value.spanId).toBe(token.spanId)
        expect(http.attributes.get("http.response.status_code")).toBe(200)
        const recorded = Spans.attributeValues(spans).join("\n")
        expect(recorded).not.toContain(Seed.consumerToken)
        expect(recorded).not.toContain("PRIVATE KEY")
      }))

    it.scoped("a service that hangs up after the handshake refused the certificate; one that hangs up before is unreachable", () =>
      Effect.gen(function*() {
        const pki = yield* Pki
        const options = { endpoint: "127.0.0.1", cert: pki.consumer.cert, key: pki.consumer.key, ca: pki.ca }
        const afterHandshake = yield* Effect.flip(X509.token({ ...options, authnPort: yield* hangUpAfterHandshake }))
        expect(afterHandshake.reason).toBe("CertificateRejected")
        expect(afterHandshake.status).toBeUndefined()
        const atOnce = yield* Effect.flip(X509.token({ ...options, authnPort: yield* hangUpAtOnce }))
        expect(atOnce.reason).toBe("ConnectionFailed")
      }))
  }
)
