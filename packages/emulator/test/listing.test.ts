// Listings (§8.3): newest first, pageSize 0 = all, base64 page tokens, totalSize, paging errors.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { client, errorBody, projectAdmin, sub, topic } from "./helpers.js"

interface TopicPage {
  readonly topics: ReadonlyArray<{ readonly name: string }>
  readonly nextPageToken: string
  readonly totalSize: number
}

const names = (page: TopicPage) => page.topics.map((t) => t.name.split("/").pop())

const withTopics = (count: number) =>
  Effect.gen(function*() {
    const c = yield* client()
    for (let i = 1; i <= count; i++) yield* c.ok("PUT", topic(`t${i}`), projectAdmin)
    return c
  })

describe("topics:list", () => {
  it.effect("lists everything newest first without paging parameters", () =>
    Effect.gen(function*() {
      const c = yield* withTopics(3)
      const page = (yield* c.ok("GET", "/v1/projects/demo/topics", projectAdmin)) as TopicPage
      assert.deepStrictEqual(names(page), ["t3", "t2", "t1"])
      assert.strictEqual(page.nextPageToken, "")
      assert.strictEqual(page.totalSize, 3)
      const zero = (yield* c.ok("GET", "/v1/projects/demo/topics?pageSize=0", projectAdmin)) as TopicPage
      assert.deepStrictEqual(names(zero), ["t3", "t2", "t1"])
    }))

  it.effect("pages with opaque base64 tokens and totalSize ignoring paging", () =>
    Effect.gen(function*() {
      const c = yield* withTopics(5)
      const first = (yield* c.ok("GET", "/v1/projects/demo/topics?pageSize=2", projectAdmin)) as TopicPage
      assert.deepStrictEqual(names(first), ["t5", "t4"])
      assert.strictEqual(first.totalSize, 5)
      assert.match(first.nextPageToken, /^[A-Za-z0-9+/]+=*$/)
      const second = (yield* c.ok(
        "GET",
        `/v1/projects/demo/topics?pageSize=2&pageToken=${encodeURIComponent(first.nextPageToken)}`,
        projectAdmin
      )) as TopicPage
      assert.deepStrictEqual(names(second), ["t3", "t2"])
      const third = (yield* c.ok(
        "GET",
        `/v1/projects/demo/topics?pageSize=2&pageToken=${encodeURIComponent(second.nextPageToken)}`,
        projectAdmin
      )) as TopicPage
      assert.deepStrictEqual(names(third), ["t1"])
      assert.strictEqual(third.nextPageToken, "")
      assert.strictEqual(third.totalSize, 5)
    }))

  it.effect("an empty project lists [] (never null)", () =>
    Effect.gen(function*() {
      const c = yield* client()
      const r = yield* c.call("GET", "/v1/projects/demo/topics", projectAdmin)
      assert.strictEqual(r.body, JSON.stringify({ topics: [], nextPageToken: "", totalSize: 0 }, null, 3))
    }))

  it.effect("rejects a bad page size and a bad or unknown page token", () =>
    Effect.gen(function*() {
      const c = yield* withTopics(2)
      const size = yield* c.call("GET", "/v1/projects/demo/topics?pageSize=abc", projectAdmin)
      assert.strictEqual(size.body, errorBody(400, "Invalid page size", "INVALID_ARGUMENT"))
      assert.strictEqual(size.headers["content-type"], "application/json; charset=utf-8")
      for (const token of ["%25%25%25", "bm90LWEtbnVtYmVy", "OTk5"]) {
        const r = yield* c.call("GET", `/v1/projects/demo/topics?pageToken=${token}`, projectAdmin)
        assert.strictEqual(r.body, errorBody(400, "Invalid page token", "INVALID_ARGUMENT"))
      }
      // Go's ParseQuery drops a pair whose escapes are bad, so `pageToken=%%%` is no token at all: page one.
      const dropped = yield* c.call("GET", "/v1/projects/demo/topics?pageToken=%%%", projectAdmin)
      assert.strictEqual(dropped.status, 200)
    }))
})

describe("subscriptions:list", () => {
  it.effect("pages the same way", () =>
    Effect.gen(function*() {
      const c = yield* withTopics(1)
      for (const s of ["s1", "s2", "s3"]) {
        yield* c.ok("PUT", sub(s), projectAdmin, { topic: "projects/demo/topics/t1" })
      }
      const first = (yield* c.ok("GET", "/v1/projects/demo/subscriptions?pageSize=2", projectAdmin)) as {
        subscriptions: Array<{ name: string }>
        nextPageToken: string
        totalSize: number
      }
      assert.deepStrictEqual(first.subscriptions.map((s) => s.name), [
        "/projects/demo/subscriptions/s3",
        "/projects/demo/subscriptions/s2"
      ])
      assert.strictEqual(first.totalSize, 3)
      assert.notStrictEqual(first.nextPageToken, "")
      const r = yield* c.call("GET", "/v1/projects/demo/subscriptions?pageSize=1.5", projectAdmin)
      assert.strictEqual(r.body, errorBody(400, "Invalid page size", "INVALID_ARGUMENT"))
    }))
})

describe("subscriptions:listByTopic", () => {
  it.effect("lists names only, compact, and 404s for a missing topic", () =>
    Effect.gen(function*() {
      const c = yield* withTopics(2)
      yield* c.ok("PUT", sub("a"), projectAdmin, { topic: "projects/demo/topics/t1" })
      yield* c.ok("PUT", sub("b"), projectAdmin, { topic: "projects/demo/topics/t2" })
      yield* c.ok("PUT", sub("c"), projectAdmin, { topic: "projects/demo/topics/t1" })
      const r = yield* c.call("GET", topic("t1", "/subscriptions"), projectAdmin)
      assert.strictEqual(
        r.body,
        "{\"subscriptions\":[\"/projects/demo/subscriptions/a\",\"/projects/demo/subscriptions/c\"]}"
      )
      const missing = yield* c.call("GET", topic("nope", "/subscriptions"), projectAdmin)
      assert.strictEqual(missing.body, errorBody(404, "Topic doesn't exist", "NOT_FOUND"))
    }))
})
