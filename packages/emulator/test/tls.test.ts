// HTTPS: the generated loopback certificate, trusted through its CA, and refused without it.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { X509Certificate } from "node:crypto"
import * as AmsEmulator from "../src/AmsEmulator.js"
import * as Faults from "../src/Faults.js"
import * as Tls from "../src/internal/tls.js"
import { request } from "./client.js"
import * as Fake from "./fake.js"

const serveTls = (tls: AmsEmulator.ServerOptions["tls"], faults?: Faults.Plan) =>
  Effect.flatMap(
    Fake.make,
    ({ emulator }) =>
      AmsEmulator.serveEmulator(emulator, { tls: tls ?? true, ...(faults === undefined ? {} : { faults }) })
  )

describe("TLS", () => {
  it.effect("generates a CA and a loopback leaf signed by it", () =>
    Effect.gen(function*() {
      const pem = yield* Tls.generate()
      const ca = new X509Certificate(pem.ca)
      const leaf = new X509Certificate(pem.cert)
      assert.isTrue(ca.ca)
      assert.isFalse(leaf.ca)
      assert.match(leaf.subject, /CN=localhost/)
      assert.strictEqual(leaf.subjectAltName, "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1")
      assert.isTrue(leaf.verify(ca.publicKey))
      assert.isTrue(leaf.checkHost("localhost") === "localhost")
      assert.strictEqual(leaf.checkIP("127.0.0.1"), "127.0.0.1")
      assert.isTrue(
        leaf.checkPrivateKey((yield* Effect.promise(() => import("node:crypto"))).createPrivateKey(pem.key))
      )
      assert.isBelow(new Date(leaf.validFrom).getTime(), Date.now())
      assert.isAbove(new Date(leaf.validTo).getTime(), Date.now() + 300 * 24 * 3600 * 1000)
      const other = yield* Tls.generate()
      assert.notStrictEqual(other.ca, pem.ca)
    }))

  it.scopedLive("serves HTTPS that a client trusting the generated CA accepts", () =>
    Effect.gen(function*() {
      const server = yield* serveTls(true)
      assert.match(server.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/)
      assert(server.certificate !== undefined)
      const response = yield* request(`${server.endpoint}/braces`, { ca: server.certificate.ca })
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.body.toString(), "{}")
      const byName = yield* request(`https://localhost:${server.port}/empty`, { ca: server.certificate.ca })
      assert.strictEqual(byName.body.byteLength, 0)
    }))

  it.scopedLive("a client that does not trust the CA is refused", () =>
    Effect.gen(function*() {
      const server = yield* serveTls(true)
      const untrusted = yield* Effect.either(request(`${server.endpoint}/braces`))
      assert(Either.isLeft(untrusted))
      assert.match(
        String((untrusted.left as NodeJS.ErrnoException).code),
        /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED/
      )
      const fetched = yield* Effect.either(Effect.tryPromise(() => fetch(`${server.endpoint}/braces`)))
      assert(Either.isLeft(fetched))
    }))

  it.scopedLive("uses a certificate and key you give it", () =>
    Effect.gen(function*() {
      const pem = yield* Tls.generate()
      const server = yield* serveTls({ cert: pem.cert, key: pem.key, ca: pem.ca })
      assert.strictEqual(server.certificate?.cert, pem.cert)
      const response = yield* request(`${server.endpoint}/braces`, { ca: pem.ca })
      assert.strictEqual(response.status, 200)
    }))

  it.scopedLive("faults apply over TLS too: a dropped connection and a balancer 503", () =>
    Effect.gen(function*() {
      const server = yield* serveTls(true, [
        { match: { times: 1 }, fault: Faults.drop() },
        { match: { times: 1 }, fault: Faults.balancer(503) }
      ])
      const ca = server.certificate?.ca ?? ""
      const dropped = yield* Effect.either(request(`${server.endpoint}/braces`, { ca }))
      assert(Either.isLeft(dropped))
      const balancer = yield* request(`${server.endpoint}/braces`, { ca })
      assert.strictEqual(balancer.status, 503)
      assert.strictEqual(balancer.body.toString(), Faults.balancerBodies[503])
    }))
})
