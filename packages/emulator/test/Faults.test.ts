// Fault plans: matching, sequencing, seeded randomness, counts, and what each fault does to a request.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as AmsEmulator from "../src/AmsEmulator.js"
import * as Faults from "../src/Faults.js"
import type { EmulatorRequest, EmulatorResponse } from "../src/internal/contract.js"

const request = (method: string, url: string): EmulatorRequest => ({ method, url, headers: {}, body: "" })

const ok: EmulatorResponse = {
  status: 200,
  headers: { "content-type": "application/json; charset=utf-8" },
  body: "{\n   \"messageIds\": [\n      \"0\"\n   ]\n}"
}

/** A handler that counts how often the emulator itself was reached. */
const counting = Effect.map(Ref.make(0), (calls) => ({
  calls,
  handle: (_: EmulatorRequest) => Effect.as(Ref.update(calls, (n) => n + 1), ok)
}))

const publish = request("POST", "/v1/projects/demo/topics/t1:publish")
const pull = request("POST", "/v1/projects/demo/subscriptions/s1:pull")
const list = request("GET", "/v1/projects/demo/topics?pageSize=2")

const tags = (outcomes: ReadonlyArray<Faults.Outcome>) =>
  outcomes.map((o) => o._tag === "Respond" ? o.response.status : o._tag)

describe("Faults", () => {
  it("reproduces HAProxy's bodies byte for byte", () => {
    assert.strictEqual(
      Faults.balancer(503).body,
      "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"
    )
    assert.strictEqual(
      Faults.balancer(502).body,
      "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n"
    )
    assert.strictEqual(
      Faults.balancer(504).body,
      "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n"
    )
    assert.strictEqual(
      Faults.balancer(408).body,
      "<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n"
    )
    assert.strictEqual(Faults.balancer(503).status, 503)
    assert.strictEqual(Faults.balancer(500).status, 500)
  })

  it.effect("the first 2 publishes get 503, then normal; other routes untouched", () =>
    Effect.gen(function*() {
      const { calls, handle } = yield* counting
      const injector = yield* Faults.make([{ match: { path: "*:publish", times: 2 }, fault: Faults.balancer(503) }])
      const run = injector.apply(handle)
      const outcomes = yield* Effect.forEach([publish, list, publish, publish, pull], run)
      assert.deepStrictEqual(tags(outcomes), [503, 200, 503, 200, 200])
      const first = outcomes[0]
      assert(first._tag === "Respond")
      assert.strictEqual(first.response.body, Faults.balancerBodies[503])
      assert.strictEqual(first.response.headers["content-type"], "text/html")
      // A balancer answer never reached AMS: only the 3 normal requests did.
      assert.strictEqual(yield* Ref.get(calls), 3)
      const stats = yield* injector.stats
      assert.strictEqual(stats.requests, 5)
      assert.strictEqual(stats.injected, 2)
      assert.strictEqual(stats.byKind.Status, 2)
      assert.strictEqual(stats.byKind.Drop, 0)
      assert.deepStrictEqual(stats.byRule, [2])
      const injections = yield* injector.injections
      assert.deepStrictEqual(injections.map((i) => [i.request, i.method, i.path]), [
        [0, "POST", "/v1/projects/demo/topics/t1:publish"],
        [2, "POST", "/v1/projects/demo/topics/t1:publish"]
      ])
    }))

  it.effect("after skips the first matches; rules are tried in order", () =>
    Effect.gen(function*() {
      const { handle } = yield* counting
      const injector = yield* Faults.make([
        {
          match: { method: "post", path: "/v1/projects/{P}/topics/{T}:publish", after: 1, times: 1 },
          fault: Faults.drop()
        },
        { match: { path: /subscriptions\/[^/]+:pull$/ }, fault: Faults.balancer(504) },
        { match: { method: "GET", path: "/v1/projects/demo/topics" }, fault: Faults.balancer(502) }
      ])
      const run = injector.apply(handle)
      const outcomes = yield* Effect.forEach([publish, publish, publish, pull, list, request("PUT", "/v1/x")], run)
      assert.deepStrictEqual(tags(outcomes), [200, "Drop", 200, 504, 502, 200])
      assert.deepStrictEqual((yield* injector.stats).byRule, [1, 1, 1])
    }))

  it.effect("a pattern with {name} matches exactly one segment and ignores the query", () =>
    Effect.gen(function*() {
      const { handle } = yield* counting
      const injector = yield* Faults.make(
        Faults.on({ path: "/v1/projects/{P}/topics" }, Faults.balancer(503))
      )
      const run = injector.apply(handle)
      const outcomes = yield* Effect.forEach([list, publish, request("GET", "/v1/projects/a/b/topics")], run)
      assert.deepStrictEqual(tags(outcomes), [503, 200, 200])
    }))

  it.effect("processed: the emulator handles the request, then its answer is lost", () =>
    Effect.gen(function*() {
      const { calls, handle } = yield* counting
      const injector = yield* Faults.make([
        { match: { times: 1 }, fault: Faults.balancer(504, { processed: true }) },
        { match: { times: 1 }, fault: Faults.drop({ processed: true }) },
        { match: { times: 1 }, fault: Faults.malformedJson({ processed: true }) },
        { match: { times: 1 }, fault: Faults.malformedJson() }
      ])
      const outcomes = yield* Effect.forEach([publish, publish, publish, publish], injector.apply(handle))
      assert.deepStrictEqual(tags(outcomes), [504, "Drop", 200, 200])
      assert.strictEqual(yield* Ref.get(calls), 3)
      const malformed = outcomes[3]
      assert(malformed._tag === "Respond")
      assert.throws(() => JSON.parse(malformed.response.body))
    }))

  it.effect("truncate keeps the emulator's status and cuts the body", () =>
    Effect.gen(function*() {
      const { calls, handle } = yield* counting
      const injector = yield* Faults.make([
        { match: { times: 1 }, fault: Faults.truncate() },
        { match: { times: 1 }, fault: Faults.truncate({ bytes: 5 }) },
        { match: { times: 1 }, fault: Faults.truncate({ bytes: 10_000 }) }
      ])
      const outcomes = yield* Effect.forEach([publish, publish, publish], injector.apply(handle))
      assert.deepStrictEqual(
        outcomes.map((o) => o._tag === "Truncate" ? [o.response.status, o.bytes] : o._tag),
        [[200, Math.floor(ok.body.length / 2)], [200, 5], [200, ok.body.length]]
      )
      assert.strictEqual(yield* Ref.get(calls), 3)
      assert.strictEqual((yield* injector.stats).byKind.Truncate, 3)
    }))

  it.effect("a delay waits on the Clock, then answers (or applies its next fault)", () =>
    Effect.gen(function*() {
      const { handle } = yield* counting
      const injector = yield* Faults.make([
        { match: { path: "*:publish" }, fault: Faults.delay("10 seconds") },
        { match: { path: "*:pull" }, fault: Faults.delay("30 seconds", Faults.balancer(504)) }
      ])
      const run = injector.apply(handle)
      const slow = yield* Effect.fork(run(publish))
      const slower = yield* Effect.fork(run(pull))
      yield* TestClock.adjust("9 seconds")
      assert.isTrue((yield* Fiber.poll(slow))._tag === "None")
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(tags([yield* Fiber.join(slow)]), [200])
      assert.isTrue((yield* Fiber.poll(slower))._tag === "None")
      yield* TestClock.adjust("20 seconds")
      assert.deepStrictEqual(tags([yield* Fiber.join(slower)]), [504])
      assert.strictEqual((yield* injector.stats).byKind.Delay, 2)
    }))

  it.effect("a sequence scripts the matching requests one by one; null passes", () =>
    Effect.gen(function*() {
      const { calls, handle } = yield* counting
      const injector = yield* Faults.make(
        Faults.sequence([Faults.balancer(502), null, Faults.balancer(504), Faults.drop()], {
          match: { path: "*:publish" }
        })
      )
      const run = injector.apply(handle)
      const outcomes = yield* Effect.forEach([publish, list, publish, publish, publish, publish, publish], run)
      // The list is not matched; the publishes get 502, pass, 504, drop, then pass for good.
      assert.deepStrictEqual(tags(outcomes), [502, 200, 200, 504, "Drop", 200, 200])
      assert.strictEqual(yield* Ref.get(calls), 4)
      const stats = yield* injector.stats
      assert.deepStrictEqual(stats.byKind, { Status: 2, Delay: 0, Drop: 1, Truncate: 0, MalformedJson: 0 })
      assert.deepStrictEqual((yield* injector.injections).map((i) => i.request), [0, 3, 4])
    }))

  it.effect("a repeating sequence starts over; after and times still apply", () =>
    Effect.gen(function*() {
      const { handle } = yield* counting
      const injector = yield* Faults.make(
        Faults.sequence([Faults.balancer(503), null], { repeat: true, match: { after: 1, times: 2 } })
      )
      const outcomes = yield* Effect.forEach(Array.from({ length: 7 }, () => pull), injector.apply(handle))
      assert.deepStrictEqual(tags(outcomes), [200, 503, 200, 503, 200, 200, 200])
    }))

  it.effect("a request answered by an earlier rule does not reach a later one", () =>
    Effect.gen(function*() {
      const { handle } = yield* counting
      const injector = yield* Faults.make([
        { match: { times: 1 }, fault: Faults.balancer(502) },
        ...Faults.sequence([null, Faults.balancer(503)])
      ])
      const outcomes = yield* Effect.forEach([pull, pull, pull, pull], injector.apply(handle))
      // Request 0 is the first rule's; the sequence sees requests 1 (pass) and 2 (503).
      assert.deepStrictEqual(tags(outcomes), [502, 200, 503, 200])
    }))

  it.effect("a seeded random plan gives the same faults for the same seed", () =>
    Effect.gen(function*() {
      const { handle } = yield* counting
      const sequence = (seed: string) =>
        Effect.gen(function*() {
          const injector = yield* Faults.make(
            Faults.random({
              seed,
              rate: 0.3,
              faults: [Faults.balancer(502), Faults.balancer(503), Faults.drop()],
              match: { method: "POST" }
            })
          )
          const outcomes = yield* Effect.forEach(Array.from({ length: 60 }, () => publish), injector.apply(handle))
          const stats = yield* injector.stats
          return { outcomes: tags(outcomes), stats }
        })
      const a = yield* sequence("chaos-1")
      const b = yield* sequence("chaos-1")
      const c = yield* sequence("chaos-2")
      assert.deepStrictEqual(a.outcomes, b.outcomes)
      assert.notDeepEqual(a.outcomes, c.outcomes)
      // About 30% of 60 requests, and more than one kind of fault.
      assert.isAbove(a.stats.injected, 5)
      assert.isBelow(a.stats.injected, 35)
      assert.strictEqual(a.outcomes.filter((o) => o !== 200).length, a.stats.injected)
      assert.isAbove(new Set(a.outcomes.filter((o) => o !== 200)).size, 1)
    }))

  it.effect("rate 0 never fires, rate 1 always fires (bounded by times)", () =>
    Effect.gen(function*() {
      const { handle } = yield* counting
      const never = yield* Faults.make(Faults.random({ seed: 1, rate: 0, faults: [Faults.drop()] }))
      yield* Effect.forEach([publish, pull, list], never.apply(handle))
      assert.strictEqual((yield* never.stats).injected, 0)
      const always = yield* Faults.make(
        Faults.random({ seed: 1, rate: 1, faults: [Faults.drop()], match: { times: 2 } })
      )
      const outcomes = yield* Effect.forEach([publish, pull, list], always.apply(handle))
      assert.deepStrictEqual(tags(outcomes), ["Drop", "Drop", 200])
    }))

  it.effect("an empty plan passes everything through", () =>
    Effect.gen(function*() {
      const { calls, handle } = yield* counting
      const injector = yield* Faults.none
      const outcome = yield* injector.apply(handle)(publish)
      assert.deepStrictEqual(outcome, { _tag: "Respond", response: ok })
      assert.strictEqual(yield* Ref.get(calls), 1)
      assert.deepStrictEqual(yield* injector.stats, {
        requests: 1,
        injected: 0,
        byKind: { Status: 0, Delay: 0, Drop: 0, Truncate: 0, MalformedJson: 0 },
        byRule: []
      })
    }))

  it("backendError is AMS's JSON 500", () => {
    const fault = Faults.backendError()
    assert.strictEqual(fault.status, 500)
    assert.deepStrictEqual(JSON.parse(fault.body), {
      error: { code: 500, message: "Backend Error", status: "INTERNAL_SERVER_ERROR" }
    })
  })
})

describe("issue 7.11 invalid fault plans are refused when built", () => {
  const refused: ReadonlyArray<readonly [string, Faults.Plan, string]> = [
    ["status 99", Faults.on({}, Faults.status(99)), "[0].fault.status"],
    ["status 1000", Faults.on({}, Faults.status(1000)), "[0].fault.status"],
    ["status 100 (fetch has no such final answer)", Faults.on({}, Faults.status(100)), "[0].fault.status"],
    ["a fractional status", Faults.on({}, Faults.status(200.5)), "[0].fault.status"],
    [
      "a header value with a newline",
      Faults.on({}, Faults.status(503, { headers: { "x-a": "b\r\nset-cookie: x" } })),
      "[0].fault.headers[\"x-a\"]"
    ],
    [
      "a header value with NUL",
      Faults.on({}, Faults.status(503, { headers: { "x-a": "\u0000" } })),
      "[0].fault.headers[\"x-a\"]"
    ],
    [
      "a header value beyond Latin-1",
      Faults.on({}, Faults.status(503, { headers: { "x-a": "€" } })),
      "[0].fault.headers[\"x-a\"]"
    ],
    [
      "a header name with a space",
      Faults.on({}, Faults.status(503, { headers: { "x a": "b" } })),
      "[0].fault.headers[\"x a\"]"
    ],
    [
      "a content-length the adapter would contradict",
      Faults.on({}, Faults.status(503, { headers: { "Content-Length": "9" } })),
      "[0].fault.headers[\"Content-Length\"]"
    ],
    ["a delay that is no duration", Faults.on({}, Faults.delay("soon" as never)), "[0].fault.duration"],
    ["a bad status after a delay", Faults.on({}, Faults.delay("1 second", Faults.status(42))), "[0].fault.then.status"],
    ["negative truncation", Faults.on({}, Faults.truncate({ bytes: -1 })), "[0].fault.bytes"],
    ["negative times", Faults.on({ times: -1 }, Faults.drop()), "[0].match.times"],
    ["fractional after", Faults.on({ after: 0.5 }, Faults.drop()), "[0].match.after"],
    ["a bad step", Faults.sequence([null, Faults.status(99)]), "[0].sequence.steps[1].status"],
    ["a rate above 1", Faults.random({ seed: 1, rate: 2, faults: [Faults.drop()] }), "[0].random.rate"],
    ["no faults to draw", Faults.random({ seed: 1, rate: 1, faults: [] }), "[0].random.faults"],
    ["an unknown fault", [{ fault: { _tag: "Explode" } as never }], "[0].fault._tag"],
    ["a rule with two kinds", [{ fault: Faults.drop(), sequence: { steps: [] } } as never], "[0]"]
  ]

  for (const [name, plan, path] of refused) {
    it.effect(`refuses ${name} with a FaultPlanError at ${path}`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Faults.make(plan))
        assert.instanceOf(error, Faults.FaultPlanError)
        assert.strictEqual(error._tag, "FaultPlanError")
        assert.strictEqual(error.path, path)
      }))
  }

  it.effect("valid plans still start: statuses 200 and 599, tabs and Latin-1 in values, Infinity times", () =>
    Effect.gen(function*() {
      const { handle } = yield* counting
      const injector = yield* Faults.make([
        { match: { times: Number.POSITIVE_INFINITY }, fault: Faults.status(599, { headers: { "x-a": "\ttab é" } }) }
      ])
      assert.deepStrictEqual(tags([yield* injector.apply(handle)(publish)]), [599])
      yield* Faults.make(Faults.on({}, Faults.status(200)))
    }))

  it.effect("an adapter given an invalid plan fails to start instead of hanging requests", () =>
    Effect.gen(function*() {
      const inProcess = yield* Effect.flip(
        Layer.build(AmsEmulator.layerWith({ faults: Faults.on({}, Faults.status(1000)) }))
      )
      assert.strictEqual(inProcess._tag, "FaultPlanError")
      const socket = yield* Effect.flip(AmsEmulator.serve({ faults: Faults.on({}, Faults.status(99)) }))
      assert.instanceOf(socket, Faults.FaultPlanError)
    }).pipe(Effect.scoped))
})
