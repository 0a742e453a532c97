import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as AmsError from "../src/AmsError.js"
import * as AmsHttp from "../src/AmsHttp.js"
import * as Recorder from "./utils/recorder.js"

const Anything = Schema.Unknown
const Named = Schema.Struct({ name: Schema.String })

const call = <A, I>(request: Partial<AmsHttp.AmsRequest<A, I>> & Pick<AmsHttp.AmsRequest<A, I>, "response">) =>
  Effect.flatMap(
    AmsHttp.AmsHttp,
    (http) => http.execute({ operation: "test.call", method: "GET", path: "/projects/demo/topics/t1", ...request })
  )

const html502 =
  "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n"
const html504 = "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n"
const html408 =
  "<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n"

describe("AmsHttp", () => {
  it.effect("a body that cannot be JSON fails as AmsArgumentError before any request, never as a defect", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: {} }])
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      for (const body of [cyclic, { n: 1n }]) {
        const error = yield* call({ method: "POST", body, response: Anything }).pipe(
          Effect.provide(recorder.layer),
          Effect.flip
        )
        assert.strictEqual(error._tag, "AmsArgumentError")
        if (error._tag === "AmsArgumentError") expect([error.operation, error.argument]).toEqual(["test.call", "body"])
      }
      expect(yield* recorder.requests).toHaveLength(0)
    }))

  describe("baseUrl", () => {
    it("implies https for a bare host, as the service and the Python client do", () => {
      expect(AmsHttp.baseUrl("msg.argo.grnet.gr")).toEqual(Either.right("https://msg.argo.grnet.gr/v1"))
      expect(AmsHttp.baseUrl("msg.argo.grnet.gr:8443")).toEqual(Either.right("https://msg.argo.grnet.gr:8443/v1"))
    })
    it("keeps a full URL, without a trailing slash, scheme and host lower-cased", () => {
      expect(AmsHttp.baseUrl("http://127.0.0.1:8080/")).toEqual(Either.right("http://127.0.0.1:8080/v1"))
      expect(AmsHttp.baseUrl("HTTPS://Ams.Example.org")).toEqual(Either.right("https://ams.example.org/v1"))
    })
  })

  it.effect("sends the token in x-api-key, never in the URL, by default", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { name: "x" } }])
      yield* call({ response: Named, query: { pageSize: "2" } }).pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.url).toBe("https://ams.test/v1/projects/demo/topics/t1?pageSize=2")
      expect(request.headers["x-api-key"]).toBe(Recorder.defaults.token)
      expect(request.url).not.toContain(Recorder.defaults.token)
    }))

  it.effect("query mode sends ?key= and no header", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: {} }], { authMode: "query" })
      yield* call({ response: Anything }).pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.query).toEqual({ key: Recorder.defaults.token })
      expect(request.headers["x-api-key"]).toBeUndefined()
    }))

  it.effect("sends a JSON body and decodes the answer", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { name: "/projects/demo/topics/t1" } }])
      const result = yield* call({ method: "PUT", body: { a: "1" }, response: Named }).pipe(
        Effect.provide(recorder.layer)
      )
      const request = yield* recorder.single
      expect(result).toEqual({ name: "/projects/demo/topics/t1" })
      expect(request.method).toBe("PUT")
      expect(request.json).toEqual({ a: "1" })
      expect(request.headers["content-type"]).toBe("application/json")
    }))

  it.effect("reads an empty 200 body as {}", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ text: "" }])
      const result = yield* call({ response: Schema.Struct({}) }).pipe(Effect.provide(recorder.layer))
      expect(result).toEqual({})
    }))

  it.effect("a 200 that is not JSON is an AmsDecodeError with an excerpt", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ text: "<html>maintenance</html>" }])
      const error = yield* call({ response: Anything }).pipe(Effect.provide(recorder.layer), Effect.flip)
      assert(error._tag === "AmsDecodeError")
      expect(error.operation).toBe("test.call")
      expect(error.excerpt).toBe("<html>maintenance</html>")
    }))

  it.effect("JSON of the wrong shape is an AmsDecodeError saying what was expected", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { name: 42 } }])
      const error = yield* call({ response: Named }).pipe(Effect.provide(recorder.layer), Effect.flip)
      assert(error._tag === "AmsDecodeError")
      expect(error.expected).toContain("Expected string, actual 42")
    }))

  describe("classification", () => {
    const classify = (reply: Recorder.Reply, balancerTimeouts = false) =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([reply])
        return yield* call({ response: Anything, balancerTimeouts }).pipe(Effect.provide(recorder.layer), Effect.flip)
      })
    const amsError = (code: number, message: string, status: string) => ({ error: { code, message, status } })

    it.effect("AMS JSON errors are AmsServiceError with status, code, statusText and message", () =>
      Effect.gen(function*() {
        for (
          const [code, message, status] of [
            [400, "Invalid topic name", "INVALID_ARGUMENT"],
            [401, "Unauthorized", "UNAUTHORIZED"],
            [403, "Access to this resource is forbidden", "FORBIDDEN"],
            [404, "Topic doesn't exist", "NOT_FOUND"],
            [409, "Topic already exists", "ALREADY_EXISTS"],
            [413, "Message size is too large", "INVALID_ARGUMENT"]
          ] as const
        ) {
          const error = yield* classify({ status: code, json: amsError(code, message, status) })
          assert(error._tag === "AmsServiceError")
          expect(error).toMatchObject({ operation: "test.call", status: code, code, statusText: status, message })
          expect(AmsError.isRetryable(error)).toBe(false)
        }
      }))

    it.effect("a 500 with an AMS JSON body is the service speaking, not retryable, even on ack", () =>
      Effect.gen(function*() {
        for (const message of ["no ack pending", "wrong ack", "Backend Error"]) {
          const error = yield* classify({ status: 500, json: amsError(500, message, "INTERNAL_SERVER_ERROR") }, true)
          assert(error._tag === "AmsServiceError")
          expect(error.message).toBe(message)
          expect(AmsError.isRetryable(error)).toBe(false)
        }
      }))

    it.effect("HTML 500/502/503/504 pages are the balancer's, retryable", () =>
      Effect.gen(function*() {
        for (const status of [500, 502, 503, 504]) {
          const error = yield* classify({ status, text: html502, headers: { "content-type": "text/html" } })
          assert(error._tag === "AmsBalancerError")
          expect(error.status).toBe(status)
          expect(error.body).toContain("Bad Gateway")
          expect(AmsError.isRetryable(error)).toBe(true)
        }
      }))

    it.effect("an HTML 504 on publish/pull/ack is a balancer timeout", () =>
      Effect.gen(function*() {
        const error = yield* classify({ status: 504, text: html504 }, true)
        assert(error._tag === "AmsTimeoutError")
        expect(error).toMatchObject({ status: 504, source: "balancer" })
        expect(AmsError.isRetryable(error)).toBe(true)
      }))

    it.effect("408 from the balancer is a retryable timeout; AMS's own 408 ack timeout is not", () =>
      Effect.gen(function*() {
        const balancer = yield* classify({ status: 408, text: html408 })
        assert(balancer._tag === "AmsTimeoutError")
        expect(balancer.source).toBe("balancer")
        expect(AmsError.isRetryable(balancer)).toBe(true)
        const service = yield* classify({ status: 408, json: amsError(408, "ack timeout", "TIMEOUT") }, true)
        assert(service._tag === "AmsTimeoutError")
        expect(service).toMatchObject({ source: "service", message: "ack timeout" })
        expect(AmsError.isRetryable(service)).toBe(false)
      }))

    it.effect("a plain-text 404 (unknown route) and an empty 405 are service errors", () =>
      Effect.gen(function*() {
        const notFound = yield* classify({ status: 404, text: "404 page not found\n" })
        assert(notFound._tag === "AmsServiceError")
        expect(notFound).toMatchObject({ status: 404, statusText: "", message: "404 page not found" })
        const notAllowed = yield* classify({ status: 405, text: "" })
        assert(notAllowed._tag === "AmsServiceError")
        expect(notAllowed.message).toBe("HTTP 405")
      }))

    it.effect("a 201 is not success: only 200 is", () =>
      Effect.gen(function*() {
        const error = yield* classify({ status: 201, json: { name: "x" } })
        expect(error._tag).toBe("AmsServiceError")
      }))

    it.effect("a refused or reset connection is a retryable AmsConnectionError without the token", () =>
      Effect.gen(function*() {
        for (const fail of ["refused", "reset"] as const) {
          const error = yield* classify({ fail })
          assert(error._tag === "AmsConnectionError")
          expect(error.reason).toBe("Transport")
          expect(error.message).toMatch(fail === "refused" ? /ECONNREFUSED/ : /ECONNRESET/)
          expect(AmsError.isRetryable(error)).toBe(true)
          expect(JSON.stringify(error)).not.toContain(Recorder.defaults.token)
          expect(String(error)).not.toContain(Recorder.defaults.token)
        }
      }))
  })

  it.effect("the client-side timeout fails with AmsConnectionError (Timeout)", () =>
    Effect.gen(function*() {
      const never = HttpClient.make(() => Effect.never)
      const layer = AmsHttp.layer({
        endpoint: "ams.test",
        token: Redacted.make("t"),
        project: "demo",
        timeout: "5 seconds"
      }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, never)))
      const fiber = yield* call({ response: Anything }).pipe(Effect.provide(layer), Effect.flip, Effect.fork)
      yield* TestClock.adjust("5 seconds")
      const error = yield* fiber.await.pipe(Effect.flatten)
      assert(error._tag === "AmsConnectionError")
      expect(error.reason).toBe("Timeout")
    }))

  it.effect("a body cut short while reading is an AmsConnectionError (Body)", () =>
    Effect.gen(function*() {
      const truncated = HttpClient.make((request) =>
        Effect.succeed(
          HttpClientResponse.fromWeb(
            request,
            new Response(
              new ReadableStream({
                start(controller) {
                  controller.enqueue(new TextEncoder().encode("{\"receivedMess"))
                  controller.error(new Error("socket hang up"))
                }
              }),
              { status: 200 }
            )
          )
        )
      )
      const layer = AmsHttp.layer({ endpoint: "ams.test", token: Redacted.make("t"), project: "demo" }).pipe(
        Layer.provide(Layer.succeed(HttpClient.HttpClient, truncated))
      )
      const error = yield* call({ response: Anything }).pipe(Effect.provide(layer), Effect.flip)
      assert(error._tag === "AmsConnectionError")
      expect(error.reason).toBe("Body")
    }))

  it.effect("layerConfig reads AMS_ENDPOINT, AMS_TOKEN and AMS_PROJECT", () =>
    Effect.gen(function*() {
      const seen: Array<HttpClientRequest.HttpClientRequest> = []
      const client = HttpClient.make((request) => {
        seen.push(request)
        return Effect.succeed(HttpClientResponse.fromWeb(request, new Response("{}")))
      })
      const layer = AmsHttp.layerConfig().pipe(
        Layer.provide(Layer.succeed(HttpClient.HttpClient, client)),
        Layer.provide(
          Layer.setConfigProvider(
            ConfigProvider.fromMap(
              new Map([["AMS_ENDPOINT", "ams.example.org"], ["AMS_TOKEN", "tok"], ["AMS_PROJECT", "ARGO"]])
            )
          )
        )
      )
      const project = yield* Effect.map(AmsHttp.AmsHttp, (http) => http.project).pipe(Effect.provide(layer))
      yield* call({ response: Anything }).pipe(Effect.provide(layer))
      expect(project).toBe("ARGO")
      expect(seen[0]?.url).toBe("https://ams.example.org/v1/projects/demo/topics/t1")
      expect(seen[0]?.headers["x-api-key"]).toBe("tok")
    }))

  it.effect("layerConfig fails with a ConfigError when AMS_TOKEN is missing", () =>
    Effect.gen(function*() {
      const layer = AmsHttp.layerConfig().pipe(
        Layer.provide(Layer.succeed(HttpClient.HttpClient, HttpClient.make(() => Effect.never))),
        Layer.provide(
          Layer.setConfigProvider(
            ConfigProvider.fromMap(new Map([["AMS_ENDPOINT", "ams.example.org"], ["AMS_PROJECT", "ARGO"]]))
          )
        )
      )
      const exit = yield* Effect.exit(Effect.provide(AmsHttp.AmsHttp, layer))
      assert(Exit.isFailure(exit))
      expect(String(exit.cause)).toContain("AMS_TOKEN")
    }))
})
