/**
 * The errors as `Schema.TaggedError`s: each goes through JSON (a worker's or an RPC's wire) and comes
 * back as an instance of its class, with the same tag, fields and refinements. Also real failures,
 * taken from the emulator, inside an `Exit` as an RPC would carry them.
 */
import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Seed from "@argo-ams/emulator/Seed"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AmsError from "../src/AmsError.js"
import * as AmsHttp from "../src/AmsHttp.js"
import * as Topic from "../src/Topic.js"
import * as X509 from "../src/X509.js"

const overJson = <A, I>(schema: Schema.Schema<A, I>, value: A): A =>
  Schema.decodeUnknownSync(schema)(JSON.parse(JSON.stringify(Schema.encodeSync(schema)(value))))

const samples: ReadonlyArray<AmsError.AmsError> = [
  new AmsError.AmsServiceError({
    operation: "topic.get",
    status: 404,
    code: 404,
    statusText: "NOT_FOUND",
    message: "Topic doesn't exist"
  }),
  new AmsError.AmsBalancerError({
    operation: "topic.publish",
    status: 502,
    body: "<html><body><h1>502 Bad Gateway</h1>",
    message: "The load balancer answered 502"
  }),
  new AmsError.AmsTimeoutError({
    operation: "subscription.acknowledge",
    status: 408,
    source: "service",
    message: "ack timeout"
  }),
  new AmsError.AmsTimeoutError({
    operation: "subscription.pull",
    status: 504,
    source: "balancer",
    message: "Gateway timed out (504)"
  }),
  new AmsError.AmsConnectionError({
    operation: "topic.list",
    reason: "Timeout",
    message: "topic.list: no answer within 5s"
  }),
  new AmsError.AmsMessageError({ operation: "topic.publish", index: 3, message: "a message needs data or attributes" }),
  new AmsError.AmsArgumentError({ operation: "topic.get", argument: "topic", message: "Invalid topic name" }),
  new AmsError.AmsDecodeError({
    operation: "topic.get",
    expected: "a JSON document",
    excerpt: "<html>",
    message: "topic.get: the answer is not JSON"
  })
]

describe("AmsError as Schema.TaggedError", () => {
  it("every error comes back from JSON as itself: class, tag, fields, message, retryability, equality", () => {
    for (const error of samples) {
      const back = overJson(AmsError.AmsError, error)
      expect(back).toBeInstanceOf(error.constructor)
      expect(back).toBeInstanceOf(Error)
      expect(back._tag).toBe(error._tag)
      expect(back.message).toBe(error.message)
      expect({ ...back }).toEqual({ ...error })
      expect(AmsError.isAmsError(back)).toBe(true)
      expect(AmsError.isRetryable(back)).toBe(AmsError.isRetryable(error))
      assert(Equal.equals(back, error), error._tag)
    }
  })

  it("the encoded form is plain JSON with the tag and the fields, nothing else", () => {
    expect(Schema.encodeSync(AmsError.AmsError)(samples[0]!)).toEqual({
      _tag: "AmsServiceError",
      operation: "topic.get",
      status: 404,
      code: 404,
      statusText: "NOT_FOUND",
      message: "Topic doesn't exist"
    })
  })

  it("a connection error's cause crosses as its name and message", () => {
    const cause = new TypeError("fetch failed")
    const error = new AmsError.AmsConnectionError({
      operation: "topic.list",
      reason: "Transport",
      message: "topic.list: the request failed: fetch failed",
      cause
    })
    const back = overJson(AmsError.AmsError, error)
    assert(back._tag === "AmsConnectionError")
    expect(back.reason).toBe("Transport")
    assert.instanceOf(back.cause, Error)
    expect([back.cause.name, back.cause.message]).toEqual(["TypeError", "fetch failed"])
  })

  it("what is not one of them does not decode as one", () => {
    const decode = Schema.decodeUnknownEither(AmsError.AmsError)
    expect(Either.isLeft(decode({ _tag: "AmsServiceError", operation: "topic.get", status: "404" }))).toBe(true)
    expect(
      Either.isLeft(decode({ _tag: "AmsTimeoutError", operation: "x", status: 408, source: "proxy", message: "" }))
    )
      .toBe(true)
    expect(Either.isLeft(decode({ _tag: "SomethingElse", message: "hi" }))).toBe(true)
  })

  it("X509Error too, with its reason and status", () => {
    const error = new X509.X509Error({
      reason: "CertificateRejected",
      message: "x509: the authentication service refused the certificate: 403 Your certificate has expired",
      status: 403
    })
    const back = overJson(X509.X509Error, error)
    expect(back).toBeInstanceOf(X509.X509Error)
    expect([back.reason, back.status, back.message]).toEqual([error.reason, 403, error.message])
  })

  it.effect("real failures from the emulator cross inside an Exit, as an RPC carries them", () =>
    Effect.gen(function*() {
      const Ams = AmsHttp.layer({
        endpoint: "https://ams.test",
        token: Redacted.make(Seed.consumerToken),
        project: Seed.demoProject
      }).pipe(Layer.provide(Layer.orDie(AmsEmulator.layer())))
      const Result = Schema.Exit({
        success: Schema.Array(Schema.String),
        failure: AmsError.AmsError,
        defect: Schema.Defect
      })
      const attempts = [
        Topic.publish("nope", { data: "x" }), // 403 or 404 from the service
        Topic.publish("bad name", { data: "x" }), // AmsArgumentError, before any request
        Topic.publish("t", {}) // AmsMessageError, before any request
      ]
      const tags: Array<string> = []
      for (const attempt of attempts) {
        const exit = yield* Effect.exit(Effect.provide(attempt, Ams))
        assert(Exit.isFailure(exit))
        const back = overJson(Result, exit)
        assert(Exit.isFailure(back))
        const [original, crossed] = [exit, back].map((e) =>
          Exit.isFailure(e) && e.cause._tag === "Fail" ? e.cause.error : undefined
        )
        assert.isDefined(crossed)
        expect(crossed).toBeInstanceOf(original!.constructor)
        expect({ ...crossed }).toEqual({ ...original })
        tags.push(crossed._tag)
      }
      expect(tags).toEqual(["AmsServiceError", "AmsArgumentError", "AmsMessageError"])
    }))
})
