import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import type { AmsError as AmsErrorType } from "../src/AmsError.js"
import type * as AmsHttp from "../src/AmsHttp.js"
import * as Registration from "../src/Registration.js"
import * as Recorder from "./utils/recorder.js"
import * as Spans from "./utils/spans.js"

// The shapes of the server's registration handler tests.
const pending = {
  uuid: "ur-uuid1",
  name: "urname",
  first_name: "urfname",
  last_name: "urlname",
  organization: "urorg",
  description: "urdesc",
  email: "uremail",
  status: "pending",
  activation_token: "uratkn-1",
  registered_at: "2019-05-12T22:26:58Z",
  modified_by: "UserA",
  modified_at: "2020-05-15T22:26:58Z"
}

const acceptedUser = {
  uuid: "1f5e2c8a-0d3b-4e6f-a7b9-c1d2e3f40516",
  name: "urname",
  first_name: "urfname",
  last_name: "urlname",
  organization: "urorg",
  description: "urdesc",
  token: "e".repeat(64),
  email: "uremail",
  service_roles: [],
  created_on: "2024-03-01T10:00:00Z",
  modified_on: "2024-03-01T10:00:00Z",
  created_by: "UserA"
}

const amsError = (code: number, message: string, status: string) => ({
  status: code,
  json: { error: { code, message, status } }
})

describe("Registration", () => {
  it.effect("create: POST /v1/registrations with the snake_case fields", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: pending }])
      const registration = yield* Registration.create({
        name: "urname",
        firstName: "urfname",
        lastName: "urlname",
        email: "uremail",
        organization: "urorg",
        description: "urdesc"
      }).pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("POST")
      expect(request.url).toBe("https://ams.test/v1/registrations")
      expect(request.headers["x-api-key"]).toBe(Recorder.defaults.token)
      expect(request.json).toEqual({
        name: "urname",
        first_name: "urfname",
        last_name: "urlname",
        email: "uremail",
        organization: "urorg",
        description: "urdesc"
      })
      assert.instanceOf(registration, Registration.Registration)
      expect(registration.uuid).toBe("ur-uuid1")
      expect(registration.status).toBe("pending")
      expect(registration.firstName).toBe("urfname")
      expect(Redacted.value(registration.activationToken!)).toBe("uratkn-1")
      expect(registration.registeredAt?.toISOString()).toBe("2019-05-12T22:26:58.000Z")
      expect(registration.modifiedAt?.toISOString()).toBe("2020-05-15T22:26:58.000Z")
      expect(registration.modifiedBy).toBe("UserA")
      expect(registration.declineComment).toBeUndefined()
    }))

  it.effect("create with only the required fields", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: pending }])
      yield* Registration.create({ name: "urname", email: "uremail" }).pipe(Effect.provide(recorder.layer))
      expect((yield* recorder.single).json).toEqual({ name: "urname", email: "uremail" })
    }))

  it.effect("accept: POST /v1/registrations/{uuid}:accept answers the new user", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: acceptedUser }])
      const user = yield* Registration.accept("ur-uuid1").pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("POST")
      expect(request.path).toBe("/v1/registrations/ur-uuid1:accept")
      expect(request.body).toBe("")
      expect(user.name).toBe("urname")
      expect(Redacted.value(user.token!)).toBe("e".repeat(64))
    }))

  it.effect("decline: POST :decline with {comment}; answer {}", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: {} }])
      const result = yield* Registration.decline("ur-uuid1", { comment: "decline comment" }).pipe(
        Effect.provide(recorder.layer)
      )
      const request = yield* recorder.single
      expect(request.method).toBe("POST")
      expect(request.path).toBe("/v1/registrations/ur-uuid1:decline")
      expect(request.json).toEqual({ comment: "decline comment" })
      expect(result).toBeUndefined()
    }))

  it.effect("decline without a comment still sends a JSON object (the server refuses an empty body)", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: {} }])
      yield* Registration.decline("ur-uuid1").pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.body).toBe("{}")
    }))

  it.effect("get: GET /v1/registrations/{uuid}", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: pending }])
      const registration = yield* Registration.get("ur-uuid1").pipe(Effect.provide(recorder.layer))
      expect((yield* recorder.single).path).toBe("/v1/registrations/ur-uuid1")
      expect(registration.name).toBe("urname")
    }))

  it.effect("a declined registration carries its comment and no activation token", () =>
    Effect.gen(function*() {
      const { activation_token: _, ...rest } = pending
      const recorder = yield* Recorder.make([{ json: { ...rest, status: "declined", decline_comment: "no" } }])
      const registration = yield* Registration.get("ur-uuid1").pipe(Effect.provide(recorder.layer))
      expect(registration.status).toBe("declined")
      expect(registration.declineComment).toBe("no")
      expect(registration.activationToken).toBeUndefined()
    }))

  it.effect("list: GET /v1/registrations with the filters given", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { user_registrations: [pending] } }])
      const registrations = yield* Registration.list({
        status: "pending",
        name: "urname",
        activationToken: Redacted.make("uratkn-1"),
        email: "uremail",
        organization: "urorg"
      }).pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("GET")
      expect(request.path).toBe("/v1/registrations")
      expect(request.query).toEqual({
        status: "pending",
        name: "urname",
        activation_token: "uratkn-1",
        email: "uremail",
        organization: "urorg"
      })
      expect(registrations.map((registration) => registration.uuid)).toEqual(["ur-uuid1"])
    }))

  it.effect("list records an activation token on no span; without one the URL is recorded", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { user_registrations: [pending] } }])
      const filtered = yield* Spans.recording(
        Registration.list({ activationToken: Redacted.make("uratkn-1") }).pipe(Effect.provide(recorder.layer))
      )
      expect(filtered.spans.map((span) => span.name)).toContain("ams.registration.list")
      expect(Spans.attributeValues(filtered.spans).filter((value) => value.includes("uratkn-1"))).toEqual([])
      const plain = yield* Spans.recording(Registration.list({ name: "urname" }).pipe(Effect.provide(recorder.layer)))
      expect(Spans.attributeValues(plain.spans).some((value) => value.includes("name=urname"))).toBe(true)
    }))

  it.effect("list without filters; an empty or null listing is []", () =>
    Effect.gen(function*() {
      for (const json of [{ user_registrations: [] }, { user_registrations: null }, {}]) {
        const recorder = yield* Recorder.make([{ json }])
        expect(yield* Registration.list().pipe(Effect.provide(recorder.layer))).toEqual([])
        expect((yield* recorder.single).query).toEqual({})
      }
    }))

  it.effect("remove: DELETE /v1/registrations/{uuid}", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ text: "" }])
      yield* Registration.remove("ur-uuid1").pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("DELETE")
      expect(request.path).toBe("/v1/registrations/ur-uuid1")
    }))

  describe("name validation", () => {
    const cases: ReadonlyArray<readonly [string, Effect.Effect<unknown, AmsErrorType, AmsHttp.AmsHttp>]> = [
      ["create (user name)", Registration.create({ name: "a.b", email: "x" })],
      ["accept", Registration.accept("a:b")],
      ["decline", Registration.decline("a b")],
      ["get", Registration.get("a/b")],
      ["remove", Registration.remove("")]
    ]
    for (const [name, operation] of cases) {
      it.effect(`${name} fails before any request`, () =>
        Effect.gen(function*() {
          const recorder = yield* Recorder.make([{ json: pending }])
          const error = yield* Effect.flip(Effect.provide(operation, recorder.layer))
          assert.strictEqual(error._tag, "AmsArgumentError")
          expect(yield* recorder.requests).toEqual([])
        }))
    }
  })

  describe("errors", () => {
    it.effect("JSON AMS errors", () =>
      Effect.gen(function*() {
        const cases = [
          amsError(400, "Invalid Request Body", "BAD_REQUEST"),
          amsError(401, "Unauthorized", "UNAUTHORIZED"),
          amsError(403, "Access to this resource is forbidden", "FORBIDDEN"),
          amsError(404, "User registration doesn't exist", "NOT_FOUND"),
          amsError(409, "User already exists", "ALREADY_EXISTS")
        ]
        for (const reply of cases) {
          const recorder = yield* Recorder.make([reply])
          const error = yield* Registration.accept("ur-uuid1").pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsServiceError")
          if (error._tag !== "AmsServiceError") continue
          expect([error.status, error.message, error.statusText]).toEqual([
            reply.status,
            reply.json.error.message,
            reply.json.error.status
          ])
        }
      }))

    it.effect("JSON 500 not retried; balancer 503 and refused connections retried on the schedule", () =>
      Effect.gen(function*() {
        const json500 = yield* Recorder.make([amsError(500, "Internal Error", "INTERNAL_SERVER_ERROR")])
        const error = yield* Registration.list({ retry: Schedule.recurs(5) }).pipe(
          Effect.provide(json500.layer),
          Effect.flip
        )
        assert.strictEqual(error._tag, "AmsServiceError")
        expect((yield* json500.requests).length).toBe(1)

        const flaky = yield* Recorder.make([
          { fail: "refused" },
          {
            status: 503,
            text:
              "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"
          },
          { json: { user_registrations: [pending] } }
        ])
        const fiber = yield* Registration.list({ retry: Schedule.spaced("1 second") }).pipe(
          Effect.provide(flaky.layer),
          Effect.fork
        )
        yield* TestClock.adjust("2 seconds")
        expect((yield* Fiber.join(fiber)).length).toBe(1)
        expect((yield* flaky.requests).length).toBe(3)
      }))

    it.effect("broken answers are AmsDecodeError", () =>
      Effect.gen(function*() {
        for (const reply of [{ text: "{" }, { json: { ...pending, status: "weird" } }, { json: { name: "no uuid" } }]) {
          const recorder = yield* Recorder.make([reply])
          const error = yield* Registration.get("ur-uuid1").pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsDecodeError")
        }
      }))

    it.effect("a balancer 504 and a 408", () =>
      Effect.gen(function*() {
        const gateway = yield* Recorder.make([{
          status: 504,
          text: "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n"
        }])
        assert.strictEqual(
          (yield* Registration.get("u1").pipe(Effect.provide(gateway.layer), Effect.flip))._tag,
          "AmsBalancerError"
        )
        const timeout = yield* Recorder.make([{ status: 408, text: "" }])
        assert.strictEqual(
          (yield* Registration.get("u1").pipe(Effect.provide(timeout.layer), Effect.flip))._tag,
          "AmsTimeoutError"
        )
      }))
  })
})
