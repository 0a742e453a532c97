// Subscription routes (§5.3, §6.6, §6.8): creation rules, push config, offsets, time-to-offset, deadlines.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import type { PushVerifier } from "../src/Emulator.js"
import { defaultSeed, type Seed } from "../src/Seed.js"
import { admin, b64, client, consumer, errorBody, projectAdmin, publisher, sub, topic } from "./helpers.js"

const seed: Seed = {
  ...defaultSeed,
  users: [...defaultSeed.users!, { name: "pusher", token: "push-token", service_roles: ["push_worker"] }],
  topics: [{ project: "demo", name: "t1", acl: ["publisher"] }]
}

const zeroPush = {
  type: "",
  pushEndpoint: "",
  maxMessages: 0,
  authorizationHeader: {},
  retryPolicy: {},
  verificationHash: "",
  verified: false,
  mattermostUrl: "",
  mattermostUsername: "",
  mattermostChannel: "",
  base64Decode: false
}

const create = { topic: "projects/demo/topics/t1" }

describe("subscriptions:create", () => {
  it.effect("answers the full subscription with the 11-key pushConfig and default deadline", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      yield* TestClock.setTime(Date.UTC(2020, 10, 19, 12, 30, 15, 999))
      const r = yield* c.call("PUT", sub("s1"), projectAdmin, create)
      assert.strictEqual(r.status, 200)
      assert.strictEqual(
        r.body,
        JSON.stringify(
          {
            name: "/projects/demo/subscriptions/s1",
            topic: "/projects/demo/topics/t1",
            pushConfig: zeroPush,
            ackDeadlineSeconds: 10,
            createdOn: "2020-11-19T12:30:15Z"
          },
          null,
          3
        )
      )
      assert.deepStrictEqual(yield* c.ok("GET", sub("s1"), consumer), JSON.parse(r.body))
      const custom = yield* c.ok("PUT", sub("s2"), projectAdmin, { ...create, ackDeadlineSeconds: 700 })
      assert.strictEqual((custom as { ackDeadlineSeconds: number }).ackDeadlineSeconds, 700)
    }))

  it.effect("checks the body, the topic reference, the topic, then duplicates", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      const put = (body: unknown, name = "s1") => c.call("PUT", sub(name), projectAdmin, body)
      const badArgs = errorBody(400, "Invalid Subscription Arguments", "INVALID_ARGUMENT")
      assert.strictEqual((yield* put({ ...create, ackDeadlineSeconds: "10" })).body, badArgs)
      assert.strictEqual((yield* put("")).body, badArgs)
      const badTopic = errorBody(400, "Invalid Topic name", "INVALID_ARGUMENT")
      assert.strictEqual((yield* put({ topic: "/projects/demo/topics/t1" })).body, badTopic)
      assert.strictEqual((yield* put({ topic: "t1" })).body, badTopic)
      assert.strictEqual((yield* put({})).body, badTopic)
      assert.strictEqual((yield* put({ topic: "foo/demo/bar/t1" })).body, badTopic)
      // only both segments wrong is rejected
      assert.strictEqual((yield* put({ topic: "foo/demo/topics/t1" }, "lenient")).status, 200)
      assert.strictEqual(
        (yield* put({ topic: "projects/demo/topics/nope" })).body,
        errorBody(404, "Topic doesn't exist", "NOT_FOUND")
      )
      yield* c.ok("PUT", sub("s1"), projectAdmin, create)
      assert.strictEqual((yield* put(create)).body, errorBody(409, "Subscription already exists", "ALREADY_EXISTS"))
      // an existing subscription whose body names a missing topic yields 404, not 409
      assert.strictEqual((yield* put({ topic: "projects/demo/topics/nope" })).status, 404)
    }))

  it.effect("a push config is 409 while push is disabled, and the subscription is not created", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      const r = yield* c.call("PUT", sub("s1"), projectAdmin, {
        ...create,
        pushConfig: { pushEndpoint: "https://example.com", retryPolicy: { type: "linear", period: 300 } }
      })
      assert.strictEqual(r.body, errorBody(409, "Push functionality is currently disabled", "CONFLICT"))
      assert.strictEqual((yield* c.call("GET", sub("s1"), projectAdmin)).status, 404)
      // an all-zero config is pull mode
      assert.strictEqual((yield* c.call("PUT", sub("s1"), projectAdmin, { ...create, pushConfig: {} })).status, 200)
    }))

  it.effect("push rules with push enabled", () =>
    Effect.gen(function*() {
      const c = yield* client(seed, { pushEnabled: true, pushWorkerToken: "push-token" })
      const put = (name: string, pushConfig: unknown) =>
        c.call("PUT", sub(name), projectAdmin, { ...create, pushConfig })
      const noType = yield* put("a", { pushEndpoint: "https://example.com" })
      assert.strictEqual(
        noType.body,
        errorBody(400, "Push configuration type can only be of 'http_endpoint' or 'mattermost'", "INVALID_ARGUMENT")
      )
      const http = yield* put("b", { type: "http_endpoint", pushEndpoint: "http://example.com" })
      assert.strictEqual(
        http.body,
        errorBody(400, "Push endpoint should be addressed by a valid https url", "INVALID_ARGUMENT")
      )
      const auth = yield* put("c", {
        type: "http_endpoint",
        pushEndpoint: "https://example.com",
        authorizationHeader: { type: "basic" }
      })
      assert.strictEqual(
        auth.body,
        errorBody(400, "Authorization header type can only be of 'autogen' or 'disabled' type", "INVALID_ARGUMENT")
      )
      const retry = yield* put("d", {
        type: "http_endpoint",
        pushEndpoint: "https://example.com",
        retryPolicy: { type: "exp" }
      })
      assert.strictEqual(
        retry.body,
        errorBody(400, "Retry policy can only be of 'linear' or 'slowstart' type", "INVALID_ARGUMENT")
      )
      const mm = yield* put("e", { type: "mattermost" })
      assert.strictEqual(mm.body, errorBody(400, "Field mattermostUrl cannot be empty", "INVALID_ARGUMENT"))
      const ok = (yield* c.ok("PUT", sub("f"), projectAdmin, {
        ...create,
        pushConfig: { type: "http_endpoint", pushEndpoint: "https://example.com/x" }
      })) as { pushConfig: typeof zeroPush & { authorizationHeader: { type: string; value: string } } }
      assert.strictEqual(ok.pushConfig.maxMessages, 1)
      assert.strictEqual(ok.pushConfig.authorizationHeader.type, "autogen")
      assert.match(ok.pushConfig.authorizationHeader.value, /^[0-9a-f]{64}$/)
      assert.match(ok.pushConfig.verificationHash, /^[0-9a-f]{64}$/)
      assert.deepStrictEqual(ok.pushConfig.retryPolicy, { type: "linear", period: 3000 })
      assert.strictEqual(ok.pushConfig.verified, false)
      const slow = (yield* c.ok("PUT", sub("g"), projectAdmin, {
        ...create,
        pushConfig: { type: "mattermost", mattermostUrl: "https://mm", retryPolicy: { type: "slowstart", period: 5 } }
      })) as { pushConfig: typeof zeroPush }
      assert.deepStrictEqual(slow.pushConfig.retryPolicy, { type: "slowstart" })
      assert.strictEqual(slow.pushConfig.verified, true)
      assert.deepStrictEqual(yield* c.ok("GET", sub("g", ":acl"), projectAdmin), { authorized_users: ["pusher"] })
    }))

  it.effect("push enabled without a push-worker user is 500 unavailable", () =>
    Effect.gen(function*() {
      const c = yield* client(seed, { pushEnabled: true })
      const r = yield* c.call("PUT", sub("s"), projectAdmin, {
        ...create,
        pushConfig: { type: "http_endpoint", pushEndpoint: "https://example.com" }
      })
      assert.strictEqual(r.body, errorBody(500, "Push functionality is currently unavailable", "INTERNAL_SERVER_ERROR"))
    }))
})

describe("push subscriptions", () => {
  const pushed = (verifier: PushVerifier) =>
    Effect.gen(function*() {
      const c = yield* client(seed, { pushEnabled: true, pushWorkerToken: "push-token", verifyPushEndpoint: verifier })
      const created = (yield* c.ok("PUT", sub("p"), projectAdmin, {
        ...create,
        pushConfig: { type: "http_endpoint", pushEndpoint: "https://endpoint.test:8443/push" }
      })) as { pushConfig: { verificationHash: string } }
      return { c, hash: created.pushConfig.verificationHash }
    })

  it.effect("pull is only for push workers and service admins", () =>
    Effect.gen(function*() {
      const { c } = yield* pushed(() => Effect.fail("unreachable"))
      const body = { maxMessages: "1" }
      assert.strictEqual((yield* c.call("POST", sub("p", ":pull"), projectAdmin, body)).status, 403)
      assert.strictEqual((yield* c.call("POST", sub("p", ":pull"), "push-token", body)).status, 200)
      assert.strictEqual((yield* c.call("POST", sub("p", ":pull"), admin, body)).status, 200)
    }))

  it.effect("verifyPushEndpoint fetches the hash through the injected verifier", () =>
    Effect.gen(function*() {
      const urls: Array<string> = []
      let answer = { status: 404, body: "" }
      const { c, hash } = yield* pushed((url) => Effect.sync(() => (urls.push(url), answer)))
      const verify = () => c.call("POST", sub("p", ":verifyPushEndpoint"), projectAdmin)
      assert.strictEqual(
        (yield* verify()).body,
        errorBody(401, "Endpoint verification failed.Wrong response status code", "UNAUTHORIZED")
      )
      assert.deepStrictEqual(urls, ["https://endpoint.test:8443/ams_verification_hash"])
      answer = { status: 200, body: "nope" }
      assert.strictEqual(
        (yield* verify()).body,
        errorBody(401, "Endpoint verification failed.Wrong verification hash", "UNAUTHORIZED")
      )
      answer = { status: 200, body: hash }
      const ok = yield* verify()
      assert.strictEqual(ok.status, 200)
      assert.strictEqual(ok.body, "")
      const shown = (yield* c.ok("GET", sub("p"), projectAdmin)) as {
        pushConfig: { verified: boolean }
        pushStatus: string
      }
      assert.strictEqual(shown.pushConfig.verified, true)
      assert.strictEqual(shown.pushStatus, "Subscription /projects/demo/subscriptions/p is currently active")
      assert.deepStrictEqual(yield* c.ok("GET", sub("p", ":acl"), projectAdmin), { authorized_users: ["pusher"] })
      assert.strictEqual(
        (yield* verify()).body,
        errorBody(409, "Push endpoint is already verified", "CONFLICT")
      )
      const deleted = yield* c.call("DELETE", sub("p"), projectAdmin)
      assert.strictEqual(deleted.body, "{\"message\":\"Subscription /projects/demo/subscriptions/p deactivated\"}")
    }))

  it.effect("a transport failure is reported after the fixed prefix", () =>
    Effect.gen(function*() {
      const { c } = yield* pushed(() => Effect.fail("connection refused"))
      const r = yield* c.call("POST", sub("p", ":verifyPushEndpoint"), projectAdmin)
      assert.strictEqual(r.body, errorBody(401, "Endpoint verification failed.connection refused", "UNAUTHORIZED"))
    }))

  it.effect("modifyPushConfig keeps the hash for the same endpoint and {} turns push off", () =>
    Effect.gen(function*() {
      const { c, hash } = yield* pushed(() => Effect.fail("x"))
      const modify = (pushConfig: unknown) =>
        c.call("POST", sub("p", ":modifyPushConfig"), projectAdmin, { pushConfig })
      const same = yield* modify({
        type: "http_endpoint",
        pushEndpoint: "https://endpoint.test:8443/push",
        maxMessages: 5
      })
      assert.strictEqual(same.status, 200)
      assert.strictEqual(same.body, "")
      const kept = (yield* c.ok("GET", sub("p"), projectAdmin)) as {
        pushConfig: { verificationHash: string; maxMessages: number }
      }
      assert.strictEqual(kept.pushConfig.verificationHash, hash)
      assert.strictEqual(kept.pushConfig.maxMessages, 5)
      yield* modify({ type: "http_endpoint", pushEndpoint: "https://elsewhere.test" })
      const changed = (yield* c.ok("GET", sub("p"), projectAdmin)) as { pushConfig: { verificationHash: string } }
      assert.notStrictEqual(changed.pushConfig.verificationHash, hash)
      const retry = yield* modify({ type: "nope", retryPolicy: { type: "bad" } })
      assert.strictEqual(
        retry.body,
        errorBody(400, "Retry policy can only be of 'linear' or 'slowstart' type", "INVALID_ARGUMENT")
      )
      assert.strictEqual((yield* modify({})).status, 200)
      const off = (yield* c.ok("GET", sub("p"), projectAdmin)) as { pushConfig: unknown }
      assert.deepStrictEqual(off.pushConfig, zeroPush)
      assert.strictEqual((yield* c.call("POST", sub("p", ":pull"), consumer, { maxMessages: "1" })).status, 403)
    }))

  it.effect("with push disabled a push_worker pulling a push subscription gets 409", () =>
    Effect.gen(function*() {
      const { c } = yield* pushed(() => Effect.fail("x"))
      const disabled = yield* client(
        { ...seed, subscriptions: [{ project: "demo", name: "q", topic: "t1" }] },
        { pushEnabled: false }
      )
      const r = yield* disabled.call("POST", sub("q", ":modifyPushConfig"), projectAdmin, {
        pushConfig: { type: "http_endpoint", pushEndpoint: "https://x.test" }
      })
      assert.strictEqual(r.body, errorBody(409, "Push functionality is currently disabled", "CONFLICT"))
      const notPush = yield* c.call("POST", sub("nope", ":verifyPushEndpoint"), projectAdmin)
      assert.strictEqual(notPush.status, 404)
    }))
})

describe("offsets", () => {
  const withMessages = Effect.gen(function*() {
    const c = yield* client(seed)
    yield* c.ok("PUT", sub("s1"), projectAdmin, create)
    yield* c.ok("POST", topic("t1", ":publish"), publisher, {
      messages: [0, 1, 2].map((i) => ({ data: b64(`m${i}`) }))
    })
    return c
  })

  it.effect("reports max, min and current; a new subscription starts at max", () =>
    Effect.gen(function*() {
      const c = yield* withMessages
      const r = yield* c.call("GET", sub("s1", ":offsets"), consumer)
      assert.strictEqual(r.body, JSON.stringify({ max: 3, min: 0, current: 0 }, null, 3))
      yield* c.ok("PUT", sub("s2"), projectAdmin, create)
      assert.deepStrictEqual(yield* c.ok("GET", sub("s2", ":offsets"), consumer), { max: 3, min: 0, current: 3 })
    }))

  it.effect("modifyOffset moves the cursor (empty body) and replays from there", () =>
    Effect.gen(function*() {
      const c = yield* withMessages
      yield* c.ok("POST", sub("s1", ":pull"), projectAdmin, { maxMessages: "3" })
      yield* c.ok("POST", sub("s1", ":acknowledge"), consumer, { ackIds: ["projects/demo/subscriptions/s1:2"] })
      const r = yield* c.call("POST", sub("s1", ":modifyOffset"), consumer, { offset: 1 })
      assert.strictEqual(r.status, 200)
      assert.strictEqual(r.body, "")
      const pulled = (yield* c.ok("POST", sub("s1", ":pull"), projectAdmin, { maxMessages: "5" })) as {
        receivedMessages: Array<{ message: { messageId: string } }>
      }
      assert.deepStrictEqual(pulled.receivedMessages.map((m) => m.message.messageId), ["1", "2"])
    }))

  it.effect("modifyOffset clears a pending pull", () =>
    Effect.gen(function*() {
      const c = yield* withMessages
      yield* c.ok("POST", sub("s1", ":pull"), projectAdmin, { maxMessages: "3" })
      yield* c.ok("POST", sub("s1", ":modifyOffset"), consumer, { offset: 0 })
      const ack = yield* c.call("POST", sub("s1", ":acknowledge"), consumer, {
        ackIds: ["projects/demo/subscriptions/s1:0"]
      })
      assert.strictEqual(ack.body, errorBody(500, "no ack pending", "INTERNAL_SERVER_ERROR"))
    }))

  it.effect("out of bounds is 400 and still stored (the server's bug)", () =>
    Effect.gen(function*() {
      const c = yield* withMessages
      const r = yield* c.call("POST", sub("s1", ":modifyOffset"), consumer, { offset: 7 })
      assert.strictEqual(r.body, errorBody(400, "Offset out of bounds", "INVALID_ARGUMENT"))
      assert.deepStrictEqual(yield* c.ok("GET", sub("s1", ":offsets"), consumer), { max: 3, min: 0, current: 7 })
      // max itself is in bounds
      assert.strictEqual((yield* c.call("POST", sub("s1", ":modifyOffset"), consumer, { offset: 3 })).status, 200)
      const negative = yield* c.call("POST", sub("s1", ":modifyOffset"), consumer, { offset: -1 })
      assert.strictEqual(negative.status, 400)
    }))

  it.effect("modifyOffset body errors and missing subscription", () =>
    Effect.gen(function*() {
      const c = yield* withMessages
      const bad = yield* c.call("POST", sub("s1", ":modifyOffset"), consumer, { offset: "1" })
      assert.strictEqual(bad.body, errorBody(400, "Invalid Offset Arguments", "INVALID_ARGUMENT"))
      const missing = yield* c.call("POST", sub("nope", ":modifyOffset"), consumer, { offset: 1 })
      assert.strictEqual(missing.body, errorBody(404, "Subscription doesn't exist", "NOT_FOUND"))
    }))
})

describe("timeToOffset", () => {
  it.effect("finds the first message at or after the time, compact, with the strict layout", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      yield* c.ok("PUT", sub("s1"), projectAdmin, create)
      const publishAt = (millis: number, text: string) =>
        Effect.zipRight(
          TestClock.setTime(millis),
          c.ok("POST", topic("t1", ":publish"), publisher, { messages: [{ data: b64(text) }] })
        )
      yield* publishAt(Date.UTC(2019, 8, 2, 13, 39, 11, 0), "a")
      yield* publishAt(Date.UTC(2019, 8, 2, 13, 39, 12, 500), "b")
      const at = (time: string) => c.call("GET", sub("s1", `:timeToOffset?time=${time}`), consumer)
      assert.strictEqual((yield* at("2019-09-02T13:39:11.000Z")).body, "{\"offset\":0}")
      assert.strictEqual((yield* at("2019-09-02T13:39:11.001Z")).body, "{\"offset\":1}")
      assert.strictEqual((yield* at("2019-09-02T13:39:12.500Z")).body, "{\"offset\":1}")
      assert.strictEqual((yield* at("2019-09-02T1:00:00.000Z")).body, "{\"offset\":0}")
      const late = yield* at("2019-09-02T13:39:12.501Z")
      assert.strictEqual(
        late.body,
        errorBody(409, "Timestamp is out of bounds for the subscription's topic/partition", "CONFLICT")
      )
      const invalid = errorBody(400, "Time is not in valid Zulu format.", "INVALID_ARGUMENT")
      for (
        const bad of [
          "",
          "2019-09-02%2013:39:11.000Z",
          "2019-09-02T13:39:11Z",
          "2019-09-02T13:39:11.5Z",
          "2019-13-02T13:39:11.000Z"
        ]
      ) {
        assert.strictEqual((yield* at(bad)).body, invalid, bad)
      }
    }))
})

describe("issue 7.10 timeToOffset accepts years 0000–0099", () => {
  it.effect("every year 0000–9999 is a year, as Go's time.Parse reads it (no two-digit mapping)", () =>
    Effect.gen(function*() {
      const c = yield* client(seed)
      yield* c.ok("PUT", sub("s1"), projectAdmin, create)
      yield* TestClock.setTime(Date.UTC(2019, 8, 2, 13, 39, 11, 0))
      yield* c.ok("POST", topic("t1", ":publish"), publisher, { messages: [{ data: b64("a") }] })
      const at = (time: string) => c.call("GET", sub("s1", `:timeToOffset?time=${time}`), consumer)
      for (const time of ["0000-01-01T00:00:00.000Z", "0001-06-15T12:00:00.000Z", "0099-12-31T23:59:59.999Z"]) {
        const answer = yield* at(time)
        assert.strictEqual(answer.status, 200, `${time}: ${answer.body}`)
        assert.strictEqual(answer.body, "{\"offset\":0}")
      }
      // 0000 is a leap year in the proleptic Gregorian calendar, 0100 is not.
      assert.strictEqual((yield* at("0000-02-29T00:00:00.000Z")).status, 200)
      assert.strictEqual(
        (yield* at("0100-02-29T00:00:00.000Z")).body,
        errorBody(400, "Time is not in valid Zulu format.", "INVALID_ARGUMENT")
      )
      const late = yield* at("9999-12-31T23:59:59.999Z")
      assert.strictEqual(late.status, 409)
    }))
})

describe("modifyAckDeadline", () => {
  it.effect("accepts 0..600 with an empty body", () =>
    Effect.gen(function*() {
      const c = yield* client({ ...seed, subscriptions: [{ project: "demo", name: "s1", topic: "t1" }] })
      const set = (body: unknown) => c.call("POST", sub("s1", ":modifyAckDeadline"), consumer, body)
      const r = yield* set({ ackDeadlineSeconds: 600 })
      assert.strictEqual(r.status, 200)
      assert.strictEqual(r.body, "")
      assert.strictEqual(
        ((yield* c.ok("GET", sub("s1"), consumer)) as { ackDeadlineSeconds: number }).ackDeadlineSeconds,
        600
      )
      const invalid = errorBody(
        400,
        "Invalid ackDeadlineSeconds(needs value between 0 and 600) Arguments",
        "INVALID_ARGUMENT"
      )
      assert.strictEqual((yield* set({ ackDeadlineSeconds: 601 })).body, invalid)
      assert.strictEqual((yield* set({ ackDeadlineSeconds: -1 })).body, invalid)
      assert.strictEqual((yield* set({ ackDeadlineSeconds: "5" })).body, invalid)
    }))
})
