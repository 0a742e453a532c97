/**
 * Secrets never leave through errors, excerpts or spans; options that cannot work are refused when the
 * layer is built, typed, over every HTTP client (fetch, node:http, undici) on a real loopback socket.
 */
import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Seed from "@argo-ams/emulator/Seed"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type { AmsError } from "../../src/AmsError.js"
import * as AmsHttp from "../../src/AmsHttp.js"
import * as Retry from "../../src/Retry.js"
import * as Subscription from "../../src/Subscription.js"
import * as Topic from "../../src/Topic.js"
import * as User from "../../src/User.js"
import { shown, typedFailure } from "../utils/exits.js"
import * as Recorder from "../utils/recorder.js"
import * as Spans from "../utils/spans.js"

const seed: Seed.Seed = {
  ...Seed.defaultSeed,
  topics: [{ project: Seed.demoProject, name: "t", acl: [Seed.publisherUser] }],
  subscriptions: [{ project: Seed.demoProject, name: "s", topic: "t", acl: [Seed.consumerUser] }]
}

const clients = {
  FetchHttpClient: FetchHttpClient.layer,
  "NodeHttpClient.layer": NodeHttpClient.layer,
  "NodeHttpClient.layerUndici": NodeHttpClient.layerUndici
} as const

const noClient = Layer.succeed(HttpClient.HttpClient, HttpClient.make(() => Effect.die("no request expected")))

const operations: ReadonlyArray<Effect.Effect<unknown, AmsError, AmsHttp.AmsHttp>> = [
  Topic.list(),
  User.profile(),
  Subscription.pull("s"),
  Topic.publish("t", [{ data: "x" }])
]

describe("issue 7.2 secrets never appear in errors, excerpts or spans; options are checked when built", () => {
  describe("the endpoint", () => {
    const refused: ReadonlyArray<readonly [endpoint: unknown, secret: string]> = [
      ["http://user:hunter2@ams.example.org", "hunter2"],
      ["https://:hunter2@ams.example.org/", "hunter2"],
      ["https://ams.example.org/?key=hunter2", "hunter2"],
      ["https://ams.example.org#hunter2", "hunter2"],
      ["https://ams.example.org/hunter2", "hunter2"],
      ["https://ams.example.org/v1/hunter2", "hunter2"],
      ["ftp://ams.example.org", "ftp"],
      ["javascript:alert(1)", "alert"],
      ["", "§"],
      ["   ", "§"],
      ["http://", "§"],
      ["https://:8443", "8443"],
      ["https://ams.example.org:0", "§"],
      ["https://ams.example.org:65536", "65536"],
      ["https://ams.example.org:80a", "80a"],
      ["ams.example.org:", "§"],
      ["https://ams example.org", "§"],
      ["https://ams.exa\nmple.org", "§"],
      ["https://ams.example.org\\evil", "evil"],
      ["https://[::1", "§"],
      [null, "§"],
      [42, "§"]
    ]
    it.effect("one that cannot work is refused when the layer is built, without being quoted", () =>
      Effect.gen(function*() {
        for (const [endpoint, secret] of refused) {
          const exit = yield* AmsHttp.AmsHttp.pipe(
            Effect.provide(AmsHttp.layer({
              endpoint: endpoint as string,
              token: Redacted.make("tok"),
              project: "demo"
            })),
            Effect.provide(noClient),
            Effect.exit
          )
          const error = typedFailure(exit)
          expect(error).toMatchObject({ _tag: "AmsArgumentError", operation: "AmsHttp.layer", argument: "endpoint" })
          expect(shown(exit)).not.toContain(secret)
        }
      }))

    it.effect("a host, host:port or http(s) URL with no path but / or /v1 gives one /v1 base", () =>
      Effect.gen(function*() {
        const accepted: ReadonlyArray<readonly [string, string]> = [
          ["msg.argo.grnet.gr", "https://msg.argo.grnet.gr/v1"],
          ["  msg.argo.grnet.gr:8443 \n", "https://msg.argo.grnet.gr:8443/v1"],
          ["http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1"],
          ["https://ams.example.org/v1", "https://ams.example.org/v1"],
          ["https://ams.example.org/v1/", "https://ams.example.org/v1"],
          ["https://ams.example.org:443", "https://ams.example.org/v1"],
          ["[::1]:8080", "https://[::1]:8080/v1"]
        ]
        for (const [endpoint, base] of accepted) {
          const http = yield* AmsHttp.AmsHttp.pipe(
            Effect.provide(AmsHttp.layer({ endpoint, token: Redacted.make("tok"), project: "demo" })),
            Effect.provide(noClient)
          )
          expect(http.baseUrl).toBe(base)
        }
        const recorder = yield* Recorder.make([{ json: { topics: [], nextPageToken: "", totalSize: 0 } }], {
          endpoint: "https://ams.test/v1/"
        })
        yield* Topic.list().pipe(Effect.provide(recorder.layer))
        expect((yield* recorder.single).path).toBe("/v1/projects/demo/topics")
      }))
  })

  describe("the token", () => {
    const hostile = ["", "  \n", "tok en", "tok\r\nx-evil: 1", "tok\u0000en", "tok€n", "tök", "tok\u007f"]
    it.effect("one that is not visible ASCII is refused when the layer is built, without being quoted", () =>
      Effect.gen(function*() {
        for (const token of hostile) {
          const exit = yield* AmsHttp.AmsHttp.pipe(
            Effect.provide(AmsHttp.layer({ endpoint: "ams.test", token: Redacted.make(token), project: "demo" })),
            Effect.provide(noClient),
            Effect.exit
          )
          const error = typedFailure(exit)
          expect(error).toMatchObject({ _tag: "AmsArgumentError", operation: "AmsHttp.layer", argument: "token" })
          if (token.trim() !== "") expect(shown(exit)).not.toContain(token.trim())
        }
        const plain = yield* AmsHttp.AmsHttp.pipe(
          Effect.provide(AmsHttp.layer({ endpoint: "ams.test", token: "tok" as never, project: "demo" })),
          Effect.provide(noClient),
          Effect.flip
        )
        expect(plain).toMatchObject({ _tag: "AmsArgumentError", argument: "token" })
      }))

    it.effect("surrounding whitespace is dropped, as a token read from a file ends in a newline", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { topics: [], nextPageToken: "", totalSize: 0 } }], {
          token: Redacted.make("  tok-1\r\n")
        })
        yield* Topic.list().pipe(Effect.provide(recorder.layer))
        expect((yield* recorder.single).headers["x-api-key"]).toBe("tok-1")
      }))

    it.effect("the other options are checked too, typed, whatever a JavaScript caller passes", () =>
      Effect.gen(function*() {
        const bad: ReadonlyArray<readonly [unknown, string]> = [
          [null, "options"],
          [{ endpoint: "ams.test", token: Redacted.make("t"), project: 7 }, "project"],
          [{ endpoint: "ams.test", token: Redacted.make("t"), project: "p", authMode: "cookie" }, "authMode"],
          [{ endpoint: "ams.test", token: Redacted.make("t"), project: "p", timeout: "soon" }, "timeout"],
          [{ endpoint: "ams.test", token: Redacted.make("t"), project: "p", timeout: -1 }, "timeout"],
          [
            { endpoint: "ams.test", token: Redacted.make("t"), project: "p", tracerPropagation: "yes" },
            "tracerPropagation"
          ]
        ]
        for (const [options, argument] of bad) {
          const exit = yield* AmsHttp.AmsHttp.pipe(
            Effect.provide(AmsHttp.layer(options as AmsHttp.Options)),
            Effect.provide(noClient),
            Effect.exit
          )
          expect(typedFailure(exit)).toMatchObject({ _tag: "AmsArgumentError", argument })
        }
      }))
  })

  for (const [clientName, client] of Object.entries(clients)) {
    describe(`over ${clientName} on a real socket`, () => {
      it.scopedLive("hostile tokens and endpoints: typed errors, never a defect, never the secret", () =>
        Effect.gen(function*() {
          const server = yield* AmsEmulator.serve({ seed })
          const port = new URL(server.endpoint).port
          const cases: ReadonlyArray<readonly [endpoint: string, token: string, secret: string]> = [
            [`http://user:hunter2@127.0.0.1:${port}`, "tok", "hunter2"],
            [`http://127.0.0.1:${port}/?key=hunter2`, "tok", "hunter2"],
            [server.endpoint, "tok\r\nx-evil: hunter2", "hunter2"],
            [server.endpoint, "hunter2\u0000", "hunter2"],
            [server.endpoint, "hunter2\n€", "hunter2"],
            [server.endpoint, "hunter2\u00a0x", "hunter2"]
          ]
          for (const [endpoint, token, secret] of cases) {
            for (const authMode of ["header", "query"] as const) {
              const layer = AmsHttp.layer({
                endpoint,
                token: Redacted.make(token),
                project: Seed.demoProject,
                authMode
              })
                .pipe(Layer.provide(client))
              for (const operation of operations) {
                const exit = yield* operation.pipe(Effect.provide(layer), Effect.exit)
                expect(typedFailure(exit)._tag).toBe("AmsArgumentError")
                expect(shown(exit)).not.toContain(secret)
              }
            }
          }
        }))

      it.scopedLive("a token read from a file (a trailing newline) works, in both auth modes", () =>
        Effect.gen(function*() {
          const server = yield* AmsEmulator.serve({ seed })
          for (const authMode of ["header", "query"] as const) {
            const layer = AmsHttp.layer({
              endpoint: `${server.endpoint}/v1`,
              token: Redacted.make(`${Seed.projectAdminToken}\n`),
              project: Seed.demoProject,
              authMode
            }).pipe(Layer.provide(client))
            const topics = yield* Topic.list().pipe(Effect.provide(layer))
            expect(topics.map((topic) => topic.name)).toEqual(["t"])
          }
        }))

      it.scopedLive("a refused token and a closed port: typed errors that never show the token, nor do spans", () =>
        Effect.gen(function*() {
          const server = yield* AmsEmulator.serve({ seed })
          const token = "wrong-token-with-a-secret-ring"
          for (const authMode of ["header", "query"] as const) {
            const layer = AmsHttp.layer({
              endpoint: server.endpoint,
              token: Redacted.make(token),
              project: "demo",
              authMode
            })
              .pipe(Layer.provide(client))
            for (const operation of operations) {
              const { result: exit, spans } = yield* Spans.recording(
                operation.pipe(Effect.provide(layer), Effect.exit)
              )
              expect(typedFailure(exit)).toMatchObject({ _tag: "AmsServiceError", status: 401 })
              expect(shown(exit)).not.toContain(token)
              expect(Spans.attributeValues(spans).filter((value) => value.includes(token))).toEqual([])
            }
          }
          const closed = AmsHttp.layer({
            endpoint: "http://127.0.0.1:1",
            token: Redacted.make(token),
            project: "demo",
            authMode: "query"
          })
            .pipe(Layer.provide(client))
          const exit = yield* Topic.list().pipe(Effect.provide(closed), Effect.exit)
          expect(typedFailure(exit)._tag).toBe("AmsConnectionError")
          expect(shown(exit)).not.toContain(token)
        }))
    })
  }

  it.effect("defence in depth: a transport error quoting the token is scrubbed, in the message and the cause", () =>
    Effect.gen(function*() {
      const token = "tok+en/with=url&chars"
      const quoting = HttpClient.make((request) =>
        Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: new TypeError(`invalid header value "${token}" in ${encodeURIComponent(token)}`, {
              cause: new Error(`inner ${token}`)
            })
          })
        )
      )
      const layer = AmsHttp.layer({ endpoint: "ams.test", token: Redacted.make(token), project: "demo" }).pipe(
        Layer.provide(Layer.succeed(HttpClient.HttpClient, quoting))
      )
      const exit = yield* Topic.list().pipe(Effect.provide(layer), Effect.exit)
      const error = typedFailure(exit)
      assert(error._tag === "AmsConnectionError")
      expect(shown(exit)).not.toContain(token)
      expect(shown(exit)).not.toContain(encodeURIComponent(token))
      expect(error.message).toContain("<redacted>")
      expect(String((error.cause as Error).cause)).toBe("Error: inner <redacted>")
    }))

  it.effect("an AmsDecodeError for a user answer redacts the tokens in its excerpt and its parse issue", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{
        json: { name: "u", token: "others-secret-token", uuid: "x", created_on: "not a date", token_2: 1 }
      }])
      const error = yield* User.profile().pipe(Effect.provide(recorder.layer), Effect.flip)
      assert(error._tag === "AmsDecodeError")
      const text = [error.message, error.excerpt, error.expected, String(error), JSON.stringify(error)].join("\n")
      expect(text).not.toContain("others-secret-token")
      expect(error.excerpt).toContain("\"token\":\"<redacted>\"")
      const listed = yield* Recorder.make([{
        json: { users: [{ name: "a", token: "first-secret" }, { name: "b", token: "second-secret", created_on: 3 }] }
      }])
      const listError = yield* User.list().pipe(Effect.provide(listed.layer), Effect.flip)
      const listText = JSON.stringify(listError) + String(listError)
      expect(listText).not.toContain("first-secret")
      expect(listText).not.toContain("second-secret")
    }))

  it.effect("a body cut inside a token field still hides the part that arrived", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ text: "{\"name\": \"u\", \"token\": \"half-of-a-sec" }])
      const error = yield* User.profile().pipe(Effect.provide(recorder.layer), Effect.flip)
      expect(JSON.stringify(error)).not.toContain("half-of-a-sec")
    }))
})

describe("issue 7.6 an endpoint that can never work is not retryable", () => {
  it.effect("a URL the HTTP client cannot parse is an AmsArgumentError, tried once under Retry", () =>
    Effect.gen(function*() {
      let attempts = 0
      const unparsable = HttpClient.make((request) => {
        attempts++
        return Effect.fail(
          new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: new TypeError("Invalid URL") })
        )
      })
      const layer = AmsHttp.layer({ endpoint: "ams.test", token: Redacted.make("tok"), project: "demo" }).pipe(
        Layer.provide(Layer.succeed(HttpClient.HttpClient, unparsable))
      )
      const error = yield* Topic.list({ retry: Retry.linear({ retries: 5, sleep: "1 millis" }) }).pipe(
        Effect.provide(layer),
        Effect.flip
      )
      expect(error).toMatchObject({ _tag: "AmsArgumentError", argument: "endpoint" })
      expect(attempts).toBe(1)
    }))

  it.effect("a malformed endpoint never reaches a request, so nothing retries it", () =>
    Effect.gen(function*() {
      for (const endpoint of ["http://[::1", "https://ams.example.org:99999", "http:// ams"]) {
        const error = yield* Topic.list({ retry: Retry.linear({ retries: 5, sleep: "1 millis" }) }).pipe(
          Effect.provide(AmsHttp.layer({ endpoint, token: Redacted.make("tok"), project: "demo" })),
          Effect.provide(noClient),
          Effect.flip
        )
        expect(error).toMatchObject({ _tag: "AmsArgumentError", argument: "endpoint" })
      }
    }))
})

describe("tracer propagation", () => {
  it.effect("is off by default: no b3 or traceparent header, which AMS ignores and CORS preflights refuse", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { topics: [], nextPageToken: "", totalSize: 0 } }])
      yield* Topic.list().pipe(Effect.provide(recorder.layer), Effect.withSpan("caller"))
      const headers = Object.keys((yield* recorder.single).headers).sort()
      expect(headers).toEqual(["accept", "x-api-key"])
    }))

  it.effect("tracerPropagation: true sends the trace headers", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { topics: [], nextPageToken: "", totalSize: 0 } }], {
        tracerPropagation: true
      })
      yield* Topic.list().pipe(Effect.provide(recorder.layer), Effect.withSpan("caller"))
      const headers = (yield* recorder.single).headers
      expect(Object.keys(headers)).toContain("traceparent")
      expect(Object.keys(headers)).toContain("b3")
    }))
})
