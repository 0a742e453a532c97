import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Os from "node:os"
import * as Path from "node:path"
import * as AmsHttp from "../src/AmsHttp.js"
import * as X509 from "../src/X509.js"

const pemCert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
const pemKey = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n"

describe("X509", () => {
  describe("authnUrl", () => {
    it("uses the host for both the authentication service and the path, on port 8443", () => {
      expect(X509.authnUrl("msg.argo.grnet.gr")).toBe(
        "https://msg.argo.grnet.gr:8443/v1/service-types/ams/hosts/msg.argo.grnet.gr:authx509"
      )
    })
    it("drops the AMS port of host:port instead of building a broken URL", () => {
      expect(X509.authnUrl("msg.argo.grnet.gr:443")).toBe(
        "https://msg.argo.grnet.gr:8443/v1/service-types/ams/hosts/msg.argo.grnet.gr:authx509"
      )
      expect(X509.authnUrl("https://ams.example.org:8080/")).toBe(
        "https://ams.example.org:8443/v1/service-types/ams/hosts/ams.example.org:authx509"
      )
    })
    it("honours authnHost and authnPort, and keeps IPv6 brackets", () => {
      expect(X509.authnUrl("ams.example.org", { authnHost: "authn.example.org", authnPort: 9443 })).toBe(
        "https://authn.example.org:9443/v1/service-types/ams/hosts/ams.example.org:authx509"
      )
      expect(X509.authnUrl("[::1]:8080")).toBe("https://[::1]:8443/v1/service-types/ams/hosts/[::1]:authx509")
    })
  })

  it.effect("no certificate or no key: NoCertificate, before any connection", () =>
    Effect.gen(function*() {
      for (const [cert, key] of [["", pemKey], [pemCert, ""], ["", ""]] as const) {
        const error = yield* Effect.flip(X509.token({ endpoint: "127.0.0.1", cert, key, authnPort: 1 }))
        assert.strictEqual(error._tag, "X509Error")
        expect(error.reason).toBe("NoCertificate")
      }
      const redactedEmpty = yield* Effect.flip(
        X509.token({ endpoint: "127.0.0.1", cert: pemCert, key: Redacted.make(""), authnPort: 1 })
      )
      expect(redactedEmpty.reason).toBe("NoCertificate")
    }))

  it.effect("a certificate path that cannot be read: CertificateUnreadable, naming the file", () =>
    Effect.gen(function*() {
      const missing = Path.join(Os.tmpdir(), `argo-ams-no-such-${process.pid}-${Date.now()}.pem`)
      const error = yield* Effect.flip(X509.token({ endpoint: "127.0.0.1", cert: missing, key: pemKey, authnPort: 1 }))
      expect(error.reason).toBe("CertificateUnreadable")
      expect(error.message).toContain(missing)
      expect(error.message).toContain("ENOENT")
    }))

  it.effect("PEM texts that are not a certificate/key pair: CertificateUnreadable, without key material", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        X509.token({ endpoint: "127.0.0.1", cert: pemCert, key: Redacted.make(pemKey), authnPort: 1 })
      )
      expect(error.reason).toBe("CertificateUnreadable")
      expect(error.message).not.toContain("c2VjcmV0")
    }))

  it.effect("layer fails with the X509Error and builds no AmsHttp", () =>
    Effect.gen(function*() {
      const unused = Layer.succeed(HttpClient.HttpClient, HttpClient.make(() => Effect.die("no AMS call expected")))
      const error = yield* AmsHttp.AmsHttp.pipe(
        Effect.provide(X509.layer({ endpoint: "127.0.0.1", project: "demo", cert: "", key: "" })),
        Effect.provide(unused),
        Effect.flip
      )
      assert(error._tag === "X509Error")
      expect(error.reason).toBe("NoCertificate")
    }))
})
