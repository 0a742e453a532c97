import { assert, describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Message from "../src/Message.js"
import * as Retry from "../src/Retry.js"
import * as Topic from "../src/Topic.js"
import * as Recorder from "./utils/recorder.js"

const amsError = (code: number, message: string, status: string) => ({ error: { code, message, status } })
const html502 =
  "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n"
const html503 =
  "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"
const html504 = "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n"
const html408 =
  "<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n"

const topic1 = { name: "/projects/demo/topics/topic1", created_on: "2020-11-21T00:00:00Z" }
const topic2 = {
  name: "/projects/demo/topics/topic2",
  schema: "projects/demo/schemas/schema-1",
  created_on: "2020-11-22T10:11:12Z"
}

describe("Topic", () => {
  describe("get", () => {
    it.effect("GETs the topic with the token header and decodes it", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: topic2 }])
        const topic = yield* Topic.get("topic2").pipe(Effect.provide(recorder.layer))
        const request = yield* recorder.single
        expect(request.method).toBe("GET")
        expect(request.path).toBe("/v1/projects/demo/topics/topic2")
        expect(request.query).toEqual({})
        expect(request.headers["x-api-key"]).toBe(Recorder.defaults.token)
        expect(request.body).toBe("")
        expect(topic).toEqual({
          name: "topic2",
          fullName: "/projects/demo/topics/topic2",
          project: "demo",
          schema: "projects/demo/schemas/schema-1",
          createdOn: new Date("2020-11-22T10:11:12Z")
        })
      }))

    it.effect("uses the per-call project", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { name: "/projects/other/topics/t" } }])
        const topic = yield* Topic.get("t", { project: "other" }).pipe(Effect.provide(recorder.layer))
        expect((yield* recorder.single).path).toBe("/v1/projects/other/topics/t")
        expect(topic.project).toBe("other")
        expect(topic.schema).toBeUndefined()
        expect(topic.createdOn).toBeUndefined()
      }))

    it.effect("maps JSON AMS errors to AmsServiceError: 400, 401, 403, 404", () =>
      Effect.gen(function*() {
        const cases = [
          [400, "Invalid topic name", "INVALID_ARGUMENT"],
          [401, "Unauthorized", "UNAUTHORIZED"],
          [403, "Access to this resource is forbidden", "FORBIDDEN"],
          [404, "Topic doesn't exist", "NOT_FOUND"]
        ] as const
        for (const [code, message, status] of cases) {
          const recorder = yield* Recorder.make([{ status: code, json: amsError(code, message, status) }])
          const error = yield* Topic.get("t1").pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsServiceError")
          if (error._tag !== "AmsServiceError") return
          expect([error.status, error.code, error.statusText, error.message]).toEqual([code, code, status, message])
          expect(error.operation).toBe("topic.get")
        }
      }))

    it.effect("HTML 502/503/504 are balancer errors, 408 a timeout, on a non-publish route", () =>
      Effect.gen(function*() {
        for (const [status, text] of [[502, html502], [503, html503], [504, html504]] as const) {
          const recorder = yield* Recorder.make([{ status, text }])
          const error = yield* Topic.get("t1").pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsBalancerError")
        }
        const recorder = yield* Recorder.make([{ status: 408, text: html408 }])
        const error = yield* Topic.get("t1").pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsTimeoutError")
      }))

    it.effect("a refused connection is an AmsConnectionError", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ fail: "refused" }])
        const error = yield* Topic.get("t1").pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsConnectionError")
      }))

    it.effect("malformed JSON, wrong types and a bad name are decode errors", () =>
      Effect.gen(function*() {
        for (
          const reply of [
            { text: "<html>oops" },
            { json: { name: 42 } },
            { json: { created_on: "2020-11-21T00:00:00Z" } },
            { json: { name: "topic1" } },
            { json: { name: "/projects/demo/topics/t1", created_on: "yesterday" } }
          ]
        ) {
          const recorder = yield* Recorder.make([reply])
          const error = yield* Topic.get("t1").pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsDecodeError")
        }
      }))

    it.effect("an invalid name fails before any request", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: topic1 }])
        for (const name of ["a.b", "a/b", "", "t:publish", "a b"]) {
          const error = yield* Topic.get(name).pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsArgumentError")
        }
        const bad = yield* Topic.get("t1", { project: "bad project" }).pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(bad._tag, "AmsArgumentError")
        expect(yield* recorder.requests).toHaveLength(0)
      }))

    it.effect("retries balancer errors with the given schedule and counts the attempts", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ status: 502, text: html502 }, { fail: "reset" }, { json: topic1 }])
        const fiber = yield* Topic.get("topic1", { retry: Retry.linear({ retries: 3, sleep: "1 second" }) }).pipe(
          Effect.provide(recorder.layer),
          Effect.fork
        )
        yield* TestClock.adjust("5 seconds")
        const topic = yield* Fiber.join(fiber)
        expect(topic.name).toBe("topic1")
        expect(yield* recorder.requests).toHaveLength(3)
      }))

    it.effect("does not retry AMS answers, even a 500 JSON error", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { status: 500, json: amsError(500, "Internal error while querying datastore", "INTERNAL_SERVER_ERROR") }
        ])
        const fiber = yield* Topic.get("t1", { retry: Retry.linear({ retries: 3, sleep: "1 second" }) }).pipe(
          Effect.provide(recorder.layer),
          Effect.flip,
          Effect.fork
        )
        yield* TestClock.adjust("10 seconds")
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error._tag, "AmsServiceError")
        expect(yield* recorder.requests).toHaveLength(1)
      }))
  })

  describe("list, listPage, stream", () => {
    it.effect("list makes one request without paging parameters", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { topics: [topic2, topic1], nextPageToken: "", totalSize: 2 } }])
        const topics = yield* Topic.list().pipe(Effect.provide(recorder.layer))
        const request = yield* recorder.single
        expect([request.method, request.path, request.query]).toEqual(["GET", "/v1/projects/demo/topics", {}])
        expect(topics.map((t) => t.name)).toEqual(["topic2", "topic1"])
      }))

    it.effect("list reads an empty listing", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { topics: [], nextPageToken: "", totalSize: 0 } }])
        expect(yield* Topic.list().pipe(Effect.provide(recorder.layer))).toEqual([])
      }))

    it.effect("listPage sends pageSize and pageToken and maps \"\" to undefined", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { json: { topics: [topic2], nextPageToken: "MQ==", totalSize: 2 } },
          { json: { topics: [topic1], nextPageToken: "", totalSize: 2 } }
        ])
        const first = yield* Topic.listPage({ pageSize: 1 }).pipe(Effect.provide(recorder.layer))
        expect(first.nextPageToken).toBe("MQ==")
        expect(first.totalSize).toBe(2)
        expect(first.topics.map((t) => t.name)).toEqual(["topic2"])
        const second = yield* Topic.listPage({ pageSize: 1, pageToken: "MQ==" }).pipe(Effect.provide(recorder.layer))
        expect(second.nextPageToken).toBeUndefined()
        const requests = yield* recorder.requests
        expect(requests.map((r) => r.query)).toEqual([{ pageSize: "1" }, { pageSize: "1", pageToken: "MQ==" }])
      }))

    it.effect("listPage rejects a bad page size before any request; the server's 400 is a service error", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{
          status: 400,
          json: amsError(400, "Invalid page token", "INVALID_ARGUMENT")
        }])
        for (const pageSize of [-1, 1.5, Number.NaN]) {
          const error = yield* Topic.listPage({ pageSize }).pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsArgumentError")
        }
        expect(yield* recorder.requests).toHaveLength(0)
        const error = yield* Topic.listPage({ pageToken: "zzz" }).pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsServiceError")
        expect(error.message).toBe("Invalid page token")
      }))

    it.effect("stream walks every page lazily", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make((request) =>
          request.query.pageToken === undefined
            ? { json: { topics: [topic2], nextPageToken: "MQ==", totalSize: 2 } }
            : { json: { topics: [topic1], nextPageToken: "", totalSize: 2 } }
        )
        const names = yield* Topic.stream({ pageSize: 1 }).pipe(
          Stream.map((t) => t.name),
          Stream.runCollect,
          Effect.provide(recorder.layer)
        )
        expect(Chunk.toReadonlyArray(names)).toEqual(["topic2", "topic1"])
        const requests = yield* recorder.requests
        expect(requests.map((r) => r.query)).toEqual([{ pageSize: "1" }, { pageSize: "1", pageToken: "MQ==" }])
        const one = yield* Topic.stream().pipe(Stream.take(1), Stream.runCollect, Effect.provide(recorder.layer))
        expect(Chunk.size(one)).toBe(1)
        const after = yield* recorder.requests
        expect(after).toHaveLength(3)
        expect(after[2]!.query).toEqual({ pageSize: "100" })
      }))

    it.effect("stream stops if the server repeats the token it was given", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { json: { topics: [topic1], nextPageToken: "MQ==", totalSize: 9 } },
          { json: { topics: [topic1], nextPageToken: "MQ==", totalSize: 9 } }
        ])
        const all = yield* Topic.stream({ pageSize: 1 }).pipe(Stream.runCollect, Effect.provide(recorder.layer))
        expect(Chunk.size(all)).toBe(2)
        expect(yield* recorder.requests).toHaveLength(2)
      }))

    it.effect("stream fails with the page's error", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { json: { topics: [topic1], nextPageToken: "MQ==", totalSize: 2 } },
          { status: 401, json: amsError(401, "Unauthorized", "UNAUTHORIZED") }
        ])
        const error = yield* Topic.stream().pipe(Stream.runCollect, Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsServiceError")
      }))
  })

  describe("create, remove, exists, getOrCreate", () => {
    it.effect("create PUTs with no body", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: topic1 }])
        const topic = yield* Topic.create("topic1").pipe(Effect.provide(recorder.layer))
        const request = yield* recorder.single
        expect([request.method, request.path, request.body]).toEqual(["PUT", "/v1/projects/demo/topics/topic1", ""])
        expect(topic.fullName).toBe("/projects/demo/topics/topic1")
      }))

    it.effect("create with a schema sends the full reference, without a leading slash", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: topic2 }])
        yield* Topic.create("topic2", { schema: "schema-1" }).pipe(Effect.provide(recorder.layer))
        yield* Topic.create("topic2", { schema: "projects/other/schemas/s2" }).pipe(Effect.provide(recorder.layer))
        yield* Topic.create("topic2", { schema: "/projects/demo/schemas/s3" }).pipe(Effect.provide(recorder.layer))
        yield* Topic.create("topic2", { schema: "s4", project: "p2" }).pipe(Effect.provide(recorder.layer))
        const requests = yield* recorder.requests
        expect(requests.map((r) => r.json)).toEqual([
          { schema: "projects/demo/schemas/schema-1" },
          { schema: "projects/other/schemas/s2" },
          { schema: "projects/demo/schemas/s3" },
          { schema: "projects/p2/schemas/s4" }
        ])
        expect(requests[3]!.path).toBe("/v1/projects/p2/topics/topic2")
      }))

    it.effect("create rejects a bad schema reference before any request", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: topic1 }])
        for (const schema of ["a.b", "projects/demo/topics/t", "projects//schemas/s", ""]) {
          const error = yield* Topic.create("t", { schema }).pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsArgumentError")
        }
        expect(yield* recorder.requests).toHaveLength(0)
      }))

    it.effect("create on an existing topic fails with 409", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{
          status: 409,
          json: amsError(409, "Topic already exists", "ALREADY_EXISTS")
        }])
        const error = yield* Topic.create("topic1").pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsServiceError")
        if (error._tag === "AmsServiceError") expect(error.status).toBe(409)
      }))

    it.effect("remove DELETEs and accepts the empty body", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ text: "" }])
        const result = yield* Topic.remove("topic1").pipe(Effect.provide(recorder.layer))
        expect(result).toBeUndefined()
        const request = yield* recorder.single
        expect([request.method, request.path]).toEqual(["DELETE", "/v1/projects/demo/topics/topic1"])
      }))

    it.effect("remove of a missing topic fails with 404", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{
          status: 404,
          json: amsError(404, "Topic doesn't exist", "NOT_FOUND")
        }])
        const error = yield* Topic.remove("nope").pipe(Effect.provide(recorder.layer), Effect.flip)
        expect(error.message).toBe("Topic doesn't exist")
      }))

    it.effect("exists: true on 200, false on 404 Topic doesn't exist, fails otherwise", () =>
      Effect.gen(function*() {
        const yes = yield* Recorder.make([{ json: topic1 }])
        expect(yield* Topic.exists("topic1").pipe(Effect.provide(yes.layer))).toBe(true)
        const no = yield* Recorder.make([{ status: 404, json: amsError(404, "Topic doesn't exist", "NOT_FOUND") }])
        expect(yield* Topic.exists("topic1").pipe(Effect.provide(no.layer))).toBe(false)
        const noProject = yield* Recorder.make([
          { status: 404, json: amsError(404, "project doesn't exist", "NOT_FOUND") }
        ])
        const e1 = yield* Topic.exists("topic1").pipe(Effect.provide(noProject.layer), Effect.flip)
        expect(e1.message).toBe("project doesn't exist")
        const forbidden = yield* Recorder.make([{
          status: 403,
          json: amsError(403, "Access to this resource is forbidden", "FORBIDDEN")
        }])
        const e2 = yield* Topic.exists("topic1").pipe(Effect.provide(forbidden.layer), Effect.flip)
        assert.strictEqual(e2._tag, "AmsServiceError")
        const balancer = yield* Recorder.make([{ status: 503, text: html503 }])
        const e3 = yield* Topic.exists("topic1").pipe(Effect.provide(balancer.layer), Effect.flip)
        assert.strictEqual(e3._tag, "AmsBalancerError")
      }))

    it.effect("getOrCreate creates, or on 409 gets", () =>
      Effect.gen(function*() {
        const fresh = yield* Recorder.make([{ json: topic1 }])
        const created = yield* Topic.getOrCreate("topic1").pipe(Effect.provide(fresh.layer))
        expect(created.name).toBe("topic1")
        expect((yield* fresh.single).method).toBe("PUT")

        const existing = yield* Recorder.make([
          { status: 409, json: amsError(409, "Topic already exists", "ALREADY_EXISTS") },
          { json: topic2 }
        ])
        const got = yield* Topic.getOrCreate("topic2", { schema: "schema-1" }).pipe(Effect.provide(existing.layer))
        expect(got.schema).toBe("projects/demo/schemas/schema-1")
        const requests = yield* existing.requests
        expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
          "PUT /v1/projects/demo/topics/topic2",
          "GET /v1/projects/demo/topics/topic2"
        ])
      }))

    it.effect("getOrCreate passes other errors through", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{
          status: 403,
          json: amsError(403, "Access to this resource is forbidden", "FORBIDDEN")
        }])
        const error = yield* Topic.getOrCreate("topic1").pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsServiceError")
        expect(yield* recorder.requests).toHaveLength(1)
      }))
  })

  describe("publish", () => {
    it.effect("POSTs base64 data and attributes and returns the ids", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { messageIds: ["0", "1", "2"] } }])
        const ids = yield* Topic.publish("topic1", [
          Message.make({ data: "hello", attributes: { host: "a" } }),
          { data: new Uint8Array([0, 255]) },
          { attributes: { only: "attrs" } }
        ]).pipe(Effect.provide(recorder.layer))
        expect(ids).toEqual(["0", "1", "2"])
        const request = yield* recorder.single
        expect([request.method, request.path]).toEqual(["POST", "/v1/projects/demo/topics/topic1:publish"])
        expect(request.headers["x-api-key"]).toBe(Recorder.defaults.token)
        expect(request.json).toEqual({
          messages: [
            { attributes: { host: "a" }, data: "aGVsbG8=" },
            { data: "AP8=" },
            { attributes: { only: "attrs" }, data: "" }
          ]
        })
      }))

    it.effect("accepts a single message", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { messageIds: ["7"] } }])
        const ids = yield* Topic.publish("topic1", { data: "x" }).pipe(Effect.provide(recorder.layer))
        expect(ids).toEqual(["7"])
        expect((yield* recorder.single).json).toEqual({ messages: [{ data: "eA==" }] })
      }))

    it.effect("a bad message fails with AmsMessageError and nothing is sent", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { messageIds: ["0"] } }])
        const error = yield* Topic.publish("topic1", [{ data: "ok" }, {}]).pipe(
          Effect.provide(recorder.layer),
          Effect.flip
        )
        assert.strictEqual(error._tag, "AmsMessageError")
        if (error._tag === "AmsMessageError") {
          expect(error.index).toBe(1)
          expect(error.operation).toBe("topic.publish")
        }
        const quoted = yield* Topic.publish("topic1", [{ attributes: { k: "a\"b" } }]).pipe(
          Effect.provide(recorder.layer),
          Effect.flip
        )
        assert.strictEqual(quoted._tag, "AmsMessageError")
        expect(yield* recorder.requests).toHaveLength(0)
      }))

    it.effect("HTML 504 is a balancer timeout, 502 a balancer error, 413 a service error", () =>
      Effect.gen(function*() {
        const timeout = yield* Recorder.make([{ status: 504, text: html504 }])
        const e1 = yield* Topic.publish("t", [{ data: "x" }]).pipe(Effect.provide(timeout.layer), Effect.flip)
        assert.strictEqual(e1._tag, "AmsTimeoutError")
        if (e1._tag === "AmsTimeoutError") expect(e1.source).toBe("balancer")
        const bad = yield* Recorder.make([{ status: 502, text: html502 }])
        const e2 = yield* Topic.publish("t", [{ data: "x" }]).pipe(Effect.provide(bad.layer), Effect.flip)
        assert.strictEqual(e2._tag, "AmsBalancerError")
        const big = yield* Recorder.make([{
          status: 413,
          json: amsError(413, "Message size is too large", "INVALID_ARGUMENT")
        }])
        const e3 = yield* Topic.publish("t", [{ data: "x" }]).pipe(Effect.provide(big.layer), Effect.flip)
        assert.strictEqual(e3._tag, "AmsServiceError")
      }))

    it.effect("a wrong answer shape is a decode error", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { msgIds: ["0"] } }])
        const error = yield* Topic.publish("t", [{ data: "x" }]).pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsDecodeError")
      }))

    it.effect("retries balancer timeouts with the schedule; a 500 JSON error is not retried", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { status: 504, text: html504 },
          { status: 503, text: html503 },
          { json: { messageIds: ["3"] } }
        ])
        const fiber = yield* Topic.publish("t", [{ data: "x" }], {
          retry: Retry.backoff({ retries: 3, factor: "2 seconds" })
        }).pipe(Effect.provide(recorder.layer), Effect.fork)
        yield* TestClock.adjust("10 seconds")
        expect(yield* Fiber.join(fiber)).toEqual(["3"])
        expect(yield* recorder.requests).toHaveLength(3)

        const backend = yield* Recorder.make([{
          status: 500,
          json: amsError(500, "Backend Error", "INTERNAL_SERVER_ERROR")
        }])
        const failed = yield* Topic.publish("t", [{ data: "x" }], {
          retry: Retry.linear({ retries: 3, sleep: "1 second" })
        })
          .pipe(Effect.provide(backend.layer), Effect.flip, Effect.fork)
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual((yield* Fiber.join(failed))._tag, "AmsServiceError")
        expect(yield* backend.requests).toHaveLength(1)
      }))

    it.effect("gives up after the retries, with the last error", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ fail: "refused" }])
        const fiber = yield* Topic.publish("t", [{ data: "x" }], {
          retry: Retry.linear({ retries: 2, sleep: "1 second" })
        })
          .pipe(Effect.provide(recorder.layer), Effect.flip, Effect.fork)
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual((yield* Fiber.join(fiber))._tag, "AmsConnectionError")
        expect(yield* recorder.requests).toHaveLength(3)
      }))
  })

  describe("acl, modifyAcl, subscriptions, metrics, schemas", () => {
    it.effect("acl returns the user names", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { authorized_users: ["UserA", "UserB"] } }])
        expect(yield* Topic.acl("topic1").pipe(Effect.provide(recorder.layer))).toEqual(["UserA", "UserB"])
        const request = yield* recorder.single
        expect([request.method, request.path]).toEqual(["GET", "/v1/projects/demo/topics/topic1:acl"])
      }))

    it.effect("acl reads an empty list and an empty body as no users", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { authorized_users: [] } }, { text: "" }])
        expect(yield* Topic.acl("topic1").pipe(Effect.provide(recorder.layer))).toEqual([])
        expect(yield* Topic.acl("topic1").pipe(Effect.provide(recorder.layer))).toEqual([])
      }))

    it.effect("modifyAcl POSTs authorized_users; 404 for unknown users", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { text: "" },
          { status: 404, json: amsError(404, "User(s): x, y do not exist", "NOT_FOUND") }
        ])
        yield* Topic.modifyAcl("topic1", ["UserA"]).pipe(Effect.provide(recorder.layer))
        const error = yield* Topic.modifyAcl("topic1", ["x", "y"]).pipe(Effect.provide(recorder.layer), Effect.flip)
        expect(error.message).toBe("User(s): x, y do not exist")
        const requests = yield* recorder.requests
        expect(requests[0]!.method).toBe("POST")
        expect(requests[0]!.path).toBe("/v1/projects/demo/topics/topic1:modifyAcl")
        expect(requests[0]!.json).toEqual({ authorized_users: ["UserA"] })
      }))

    it.effect("modifyAcl with no users clears the ACL with []", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ text: "" }])
        yield* Topic.modifyAcl("topic1", []).pipe(Effect.provide(recorder.layer))
        expect((yield* recorder.single).json).toEqual({ authorized_users: [] })
      }))

    it.effect("subscriptions lists the topic's subscriptions by name", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{
          json: { subscriptions: ["/projects/demo/subscriptions/s1", "/projects/demo/subscriptions/s2"] }
        }])
        const subs = yield* Topic.subscriptions("topic1").pipe(Effect.provide(recorder.layer))
        expect(subs).toEqual([
          { name: "s1", fullName: "/projects/demo/subscriptions/s1", project: "demo" },
          { name: "s2", fullName: "/projects/demo/subscriptions/s2", project: "demo" }
        ])
        const request = yield* recorder.single
        expect([request.method, request.path]).toEqual(["GET", "/v1/projects/demo/topics/topic1/subscriptions"])
      }))

    it.effect("subscriptions: [] when none, decode error on a bad name", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { subscriptions: [] } }, { json: { subscriptions: ["s1"] } }])
        expect(yield* Topic.subscriptions("topic1").pipe(Effect.provide(recorder.layer))).toEqual([])
        const error = yield* Topic.subscriptions("topic1").pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsDecodeError")
      }))

    it.effect("metrics decodes the topic metrics", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{
          json: {
            metrics: [{
              metric: "topic.number_of_messages",
              metric_type: "counter",
              value_type: "int64",
              resource_type: "topic",
              resource_name: "topic1",
              timeseries: [{ timestamp: "2017-06-27T10:20:18Z", value: 12 }],
              description: "Counter that displays the number of messages published to the specific topic"
            }]
          }
        }])
        const metrics = yield* Topic.metrics("topic1").pipe(Effect.provide(recorder.layer))
        expect(metrics[0]!.metric).toBe("topic.number_of_messages")
        expect(metrics[0]!.timeseries[0]!.value).toBe(12)
        expect((yield* recorder.single).path).toBe("/v1/projects/demo/topics/topic1:metrics")
      }))

    it.effect("attachSchema sends the reference; detachSchema sends no body", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ text: "" }])
        yield* Topic.attachSchema("topic1", "schema-1").pipe(Effect.provide(recorder.layer))
        yield* Topic.detachSchema("topic1").pipe(Effect.provide(recorder.layer))
        const [attach, detach] = yield* recorder.requests
        expect([attach!.method, attach!.path, attach!.json]).toEqual([
          "POST",
          "/v1/projects/demo/topics/topic1:attachSchema",
          { schema: "projects/demo/schemas/schema-1" }
        ])
        expect([detach!.method, detach!.path, detach!.body]).toEqual([
          "POST",
          "/v1/projects/demo/topics/topic1:detachSchema",
          ""
        ])
      }))

    it.effect("attachSchema: 404 Schema doesn't exist is a service error", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{
          status: 404,
          json: amsError(404, "Schema doesn't exist", "NOT_FOUND")
        }])
        const error = yield* Topic.attachSchema("topic1", "nope").pipe(Effect.provide(recorder.layer), Effect.flip)
        expect(error.message).toBe("Schema doesn't exist")
      }))
  })
})
