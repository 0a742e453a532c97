// The x509 authn endpoint end to end over real TLS on loopback, with certificates made in the test.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Https from "node:https"
import * as Authn from "../src/Authn.js"
import * as Ams from "../src/Emulator.js"
import * as Seeds from "../src/Seed.js"

interface Answer {
  readonly status: number
  readonly body: string
}

const get = (url: string, options: { readonly ca: string; readonly cert?: string; readonly key?: string }) =>
  Effect.async<Answer, Error>((resume) => {
    const req = Https.request(url, {
      method: "GET",
      agent: false,
      ca: options.ca,
      ...(options.cert === undefined ? {} : { cert: options.cert }),
      ...(options.key === undefined ? {} : { key: options.key })
    }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on(
        "end",
        () => resume(Effect.succeed({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }))
      )
    })
    req.on("error", (error) => resume(Effect.fail(error)))
    req.end()
  })

const alice = [{ name: "commonName", value: "alice" }, { name: "organizationName", value: "Example" }, {
  name: "countryName",
  value: "GR"
}]

const setup = Effect.gen(function*() {
  const pki = yield* Authn.makeTestPki()
  const emulator = yield* Ams.make(Seeds.defaultSeed)
  const dn = Authn.subjectDn(alice)
  const served = yield* Authn.serve({
    emulator,
    token: Seeds.adminToken,
    ca: pki.ca,
    cert: pki.server.cert,
    key: pki.server.key,
    mappings: { [dn]: Seeds.publisherUser, "CN=ghost": "nobody" }
  })
  const url = `${served.endpoint}/v1/service-types/ams/hosts/127.0.0.1:authx509`
  return { pki, url, dn }
})

describe("Authn x509 endpoint", () => {
  it.scoped("maps a valid certificate's DN to the user's token", () =>
    Effect.gen(function*() {
      const { dn, pki, url } = yield* setup
      assert.strictEqual(dn, "CN=alice,O=Example,C=GR")
      const issued = yield* pki.issue({ subject: alice })
      const answer = yield* get(url, { ca: pki.ca, ...issued })
      assert.strictEqual(answer.status, 200)
      assert.deepStrictEqual(JSON.parse(answer.body), { token: Seeds.publisherToken })
    }), 30_000)

  it.scoped("no certificate → 400 No certificate provided", () =>
    Effect.gen(function*() {
      const { pki, url } = yield* setup
      const answer = yield* get(url, { ca: pki.ca })
      assert.strictEqual(answer.status, 400)
      assert.deepStrictEqual(JSON.parse(answer.body), {
        error: { message: "No certificate provided", code: 400, status: "BAD REQUEST" }
      })
      assert.deepStrictEqual(Object.keys(JSON.parse(answer.body).error), ["message", "code", "status"])
    }), 30_000)

  it.scoped("unknown DN → 404 Binding was not found; mapped to a missing user → 404", () =>
    Effect.gen(function*() {
      const { pki, url } = yield* setup
      const stranger = yield* pki.issue({ subject: [{ name: "commonName", value: "mallory" }] })
      const answer = yield* get(url, { ca: pki.ca, ...stranger })
      assert.strictEqual(answer.status, 404)
      assert.strictEqual(JSON.parse(answer.body).error.message, "Binding was not found")
      const ghost = yield* pki.issue({ subject: [{ name: "commonName", value: "ghost" }] })
      const missing = yield* get(url, { ca: pki.ca, ...ghost })
      assert.strictEqual(missing.status, 404)
      assert.strictEqual(JSON.parse(missing.body).error.message, "User was not found")
    }), 30_000)

  it.scoped("untrusted and expired certificates → 403", () =>
    Effect.gen(function*() {
      const { pki, url } = yield* setup
      const other = yield* Authn.makeTestPki()
      const untrusted = yield* other.issue({ subject: alice })
      const a = yield* get(url, { ca: pki.ca, ...untrusted })
      assert.strictEqual(a.status, 403)
      assert.deepStrictEqual(JSON.parse(a.body).error, {
        message: "x509: certificate signed by unknown authority",
        code: 403,
        status: "ACCESS_FORBIDDEN"
      })
      const expired = yield* pki.issue({
        subject: alice,
        notBefore: new Date(Date.now() - 10 * 86400_000),
        notAfter: new Date(Date.now() - 86400_000)
      })
      const b = yield* get(url, { ca: pki.ca, ...expired })
      assert.strictEqual(b.status, 403)
      assert.strictEqual(JSON.parse(b.body).error.message, "Your certificate has expired")
      const early = yield* pki.issue({
        subject: alice,
        notBefore: new Date(Date.now() + 86400_000),
        notAfter: new Date(Date.now() + 2 * 86400_000)
      })
      const e = yield* get(url, { ca: pki.ca, ...early })
      assert.strictEqual(JSON.parse(e.body).error.message, "Your certificate is not active yet")
    }), 30_000)
})
