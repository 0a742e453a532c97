import { assert, describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type { AmsError as AmsErrorType } from "../src/AmsError.js"
import * as AmsError from "../src/AmsError.js"
import type * as AmsHttp from "../src/AmsHttp.js"
import * as User from "../src/User.js"
import * as Recorder from "./utils/recorder.js"
import * as Spans from "./utils/spans.js"

// The shape of ams-api.md §4.5 (privileged view).
const userA = {
  uuid: "uuid1",
  projects: [
    {
      project: "ARGO",
      roles: ["consumer", "publisher"],
      topics: ["topic1", "topic2"],
      subscriptions: ["sub1", "sub2", "sub3"]
    }
  ],
  name: "UserA",
  first_name: "FirstA",
  last_name: "LastA",
  organization: "OrgA",
  description: "DescA",
  token: "S3CR3T1",
  email: "foo-email",
  service_roles: [],
  created_on: "2009-11-10T23:00:00Z",
  modified_on: "2009-11-10T23:00:00Z",
  created_by: "UserA"
}

// A user created without service roles: `service_roles` is null (ams-api.md §10.1), no projects.
const created = {
  uuid: "9f3a1c52-4e0b-4f6a-8c1d-2b7e5a9d0c11",
  name: "alice",
  token: "4c1f0e0f0c7d3d8a9b2e1f6a5c4b3a29180706f5e4d3c2b1a0f9e8d7c6b5a493",
  email: "alice@example.org",
  service_roles: null,
  created_on: "2024-03-01T10:00:00Z",
  modified_on: "2024-03-01T10:00:00Z",
  created_by: "UserA"
}

const amsError = (code: number, message: string, status: string) => ({
  status: code,
  json: { error: { code, message, status } }
})

const html502 =
  "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n"
const html503 =
  "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"
const html504 = "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n"
const html408 =
  "<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n"

describe("User", () => {
  it.effect("get: GET /v1/users/{U} with x-api-key, decoded with a redacted token and Dates", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: userA }])
      const user = yield* User.get("UserA").pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("GET")
      expect(request.url).toBe("https://ams.test/v1/users/UserA")
      expect(request.headers["x-api-key"]).toBe(Recorder.defaults.token)
      expect(request.body).toBe("")
      assert.instanceOf(user, User.User)
      expect(user.uuid).toBe("uuid1")
      expect(user.name).toBe("UserA")
      expect(user.firstName).toBe("FirstA")
      expect(user.lastName).toBe("LastA")
      expect(user.organization).toBe("OrgA")
      expect(user.description).toBe("DescA")
      expect(user.email).toBe("foo-email")
      assert.isTrue(user.token !== undefined && Redacted.isRedacted(user.token))
      expect(Redacted.value(user.token!)).toBe("S3CR3T1")
      expect(String(user.token)).not.toContain("S3CR3T1")
      expect(user.serviceRoles).toEqual([])
      expect(user.createdOn?.toISOString()).toBe("2009-11-10T23:00:00.000Z")
      expect(user.modifiedOn?.toISOString()).toBe("2009-11-10T23:00:00.000Z")
      expect(user.createdBy).toBe("UserA")
      expect(user.projects.length).toBe(1)
      expect(user.projects[0]).toMatchObject({
        project: "ARGO",
        roles: ["consumer", "publisher"],
        topics: ["topic1", "topic2"],
        subscriptions: ["sub1", "sub2", "sub3"]
      })
    }))

  it.effect("a user shown to a project admin has no token, no created_by, and service_roles null is []", () =>
    Effect.gen(function*() {
      const unprivileged = {
        uuid: "uuid4",
        projects: [{ project: "ARGO", roles: ["publisher"], topics: [], subscriptions: null }],
        name: "UserZ",
        email: "foo-email",
        service_roles: null,
        created_on: "2009-11-10T23:00:00Z",
        modified_on: "2009-11-10T23:00:00Z"
      }
      const recorder = yield* Recorder.make([{ json: unprivileged }])
      const user = yield* User.get("UserZ").pipe(Effect.provide(recorder.layer))
      expect(user.token).toBeUndefined()
      expect(user.createdBy).toBeUndefined()
      expect(user.serviceRoles).toEqual([])
      expect(user.projects[0]!.subscriptions).toEqual([])
      expect([user.firstName, user.lastName, user.organization, user.description]).toEqual(["", "", "", ""])
    }))

  it.effect("get refuses the names the server routes elsewhere (profile, usageReport) without a request", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: userA }])
      const error = yield* User.get("profile").pipe(Effect.provide(recorder.layer), Effect.flip)
      assert.strictEqual(error._tag, "AmsArgumentError")
      const error2 = yield* User.get("usageReport").pipe(Effect.provide(recorder.layer), Effect.flip)
      assert.strictEqual(error2._tag, "AmsArgumentError")
      expect(yield* recorder.requests).toEqual([])
    }))

  it.effect("getByToken: GET /v1/users:byToken/{token}", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: userA }])
      const user = yield* User.getByToken(Redacted.make("S3CR3T1")).pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("GET")
      expect(request.path).toBe("/v1/users:byToken/S3CR3T1")
      expect(user.name).toBe("UserA")
    }))

  it.effect("getByToken records the token on no span, while other requests record their URL", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: userA }])
      const byToken = yield* Spans.recording(
        User.getByToken(Redacted.make("S3CR3T1")).pipe(Effect.provide(recorder.layer))
      )
      expect(byToken.spans.map((span) => span.name)).toContain("ams.user.getByToken")
      expect(Spans.attributeValues(byToken.spans).filter((value) => value.includes("S3CR3T1"))).toEqual([])
      // The control: an ordinary request's span does record its URL.
      const byName = yield* Spans.recording(User.get("UserA").pipe(Effect.provide(recorder.layer)))
      expect(Spans.attributeValues(byName.spans).some((value) => value.includes("/v1/users/UserA"))).toBe(true)
    }))

  it.effect("getByToken refuses a token the server would reject, without leaking it", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: userA }])
      const error = yield* User.getByToken(Redacted.make("se/cret.value")).pipe(
        Effect.provide(recorder.layer),
        Effect.flip
      )
      assert.strictEqual(error._tag, "AmsArgumentError")
      expect(error.message).not.toContain("se/cret")
      expect(yield* recorder.requests).toEqual([])
    }))

  it.effect("getByUuid: GET /v1/users:byUUID/{uuid}", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: userA }])
      const user = yield* User.getByUuid("uuid1").pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("GET")
      expect(request.path).toBe("/v1/users:byUUID/uuid1")
      expect(user.uuid).toBe("uuid1")
    }))

  it.effect("profile: GET /v1/users/profile", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: userA }])
      const user = yield* User.profile().pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("GET")
      expect(request.path).toBe("/v1/users/profile")
      expect(user.name).toBe("UserA")
    }))

  it.effect("create: POST /v1/users/{U} with only the given fields, in snake_case", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: created }])
      const user = yield* User.create("alice", {
        email: "alice@example.org",
        firstName: "Alice",
        projects: [{ project: "ARGO", roles: ["consumer"] }],
        serviceRoles: ["metrics_viewer"]
      }).pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("POST")
      expect(request.path).toBe("/v1/users/alice")
      expect(request.json).toEqual({
        email: "alice@example.org",
        first_name: "Alice",
        projects: [{ project: "ARGO", roles: ["consumer"] }],
        service_roles: ["metrics_viewer"]
      })
      expect(user.name).toBe("alice")
      expect(user.serviceRoles).toEqual([])
      expect(user.projects).toEqual([])
      expect(Redacted.value(user.token!)).toBe(created.token)
    }))

  it.effect("create with no fields sends {}", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: created }])
      yield* User.create("alice").pipe(Effect.provide(recorder.layer))
      expect((yield* recorder.single).json).toEqual({})
    }))

  it.effect("update: PUT /v1/users/{U} with only the given fields (a rename, an emptied membership list)", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { ...created, name: "alice2" } }])
      const user = yield* User.update("alice", { name: "alice2", organization: "GRNET", projects: [] }).pipe(
        Effect.provide(recorder.layer)
      )
      const request = yield* recorder.single
      expect(request.method).toBe("PUT")
      expect(request.path).toBe("/v1/users/alice")
      expect(request.json).toEqual({ name: "alice2", organization: "GRNET", projects: [] })
      expect(user.name).toBe("alice2")
    }))

  it.effect("remove: DELETE /v1/users/{U}, empty answer", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ text: "" }])
      const result = yield* User.remove("alice").pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("DELETE")
      expect(request.path).toBe("/v1/users/alice")
      expect(result).toBeUndefined()
    }))

  it.effect("refreshToken: POST /v1/users/{U}:refreshToken with no body", () =>
    Effect.gen(function*() {
      const fresh = "a".repeat(64)
      const recorder = yield* Recorder.make([{ json: { ...created, token: fresh } }])
      const user = yield* User.refreshToken("alice").pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("POST")
      expect(request.path).toBe("/v1/users/alice:refreshToken")
      expect(request.body).toBe("")
      expect(Redacted.value(user.token!)).toBe(fresh)
    }))

  describe("listing", () => {
    it.effect("listPage sends pageSize, pageToken, details=true and project (not the Python names)", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { users: [userA], nextPageToken: "MQ==", totalSize: 3 } }])
        const page = yield* User.listPage({ pageSize: 1, pageToken: "MA==", details: true, project: "ARGO" }).pipe(
          Effect.provide(recorder.layer)
        )
        const request = yield* recorder.single
        expect(request.method).toBe("GET")
        expect(request.path).toBe("/v1/users")
        expect(request.query).toEqual({ pageSize: "1", pageToken: "MA==", details: "true", project: "ARGO" })
        expect(page.users.map((user) => user.name)).toEqual(["UserA"])
        expect(page.nextPageToken).toBe("MQ==")
        expect(page.totalSize).toBe(3)
      }))

    it.effect("listPage without options sends details=true only; the layer's project is not a filter", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { users: [], nextPageToken: "", totalSize: 0 } }])
        const page = yield* User.listPage().pipe(Effect.provide(recorder.layer))
        expect((yield* recorder.single).query).toEqual({ details: "true" })
        expect(page.users).toEqual([])
        expect(page.nextPageToken).toBeUndefined()
      }))

    it.effect("list makes one request with no page size and returns every user", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{
          json: { users: [userA, created], nextPageToken: "", totalSize: 2 }
        }])
        const users = yield* User.list({ details: true }).pipe(Effect.provide(recorder.layer))
        expect((yield* recorder.single).query).toEqual({ details: "true" })
        expect(users.map((user) => user.name)).toEqual(["UserA", "alice"])
      }))

    it.effect("stream follows nextPageToken until the last page", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make((request) =>
          request.query.pageToken === undefined
            ? { json: { users: [userA], nextPageToken: "MQ==", totalSize: 2 } }
            : { json: { users: [created], nextPageToken: "", totalSize: 2 } }
        )
        const users = yield* User.stream({ pageSize: 1 }).pipe(Stream.runCollect, Effect.provide(recorder.layer))
        expect(Chunk.toReadonlyArray(users).map((user) => user.name)).toEqual(["UserA", "alice"])
        const requests = yield* recorder.requests
        expect(requests.map((request) => request.query)).toEqual([{ pageSize: "1", details: "true" }, {
          pageSize: "1",
          pageToken: "MQ==",
          details: "true"
        }])
      }))

    it.effect("stream defaults to pages of 100", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { users: [], nextPageToken: "", totalSize: 0 } }])
        yield* User.stream().pipe(Stream.runDrain, Effect.provide(recorder.layer))
        expect((yield* recorder.single).query).toEqual({ pageSize: "100", details: "true" })
      }))

    it.effect("a negative page size fails before any request", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: {} }])
        const error = yield* User.listPage({ pageSize: -1 }).pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsArgumentError")
        expect(yield* recorder.requests).toEqual([])
      }))

    it.effect("a page without totalSize is a broken answer", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { users: [] } }])
        const error = yield* User.listPage().pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsDecodeError")
      }))

    it.effect("an unknown project filter is 404 ProjectUUID doesn't exist", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([amsError(404, "ProjectUUID doesn't exist", "NOT_FOUND")])
        const error = yield* User.list({ project: "nope" }).pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.isTrue(AmsError.isNotFound(error))
        expect(error.message).toBe("ProjectUUID doesn't exist")
      }))
  })

  describe("name validation", () => {
    const cases: ReadonlyArray<readonly [string, Effect.Effect<unknown, AmsErrorType, AmsHttp.AmsHttp>]> = [
      ["get", User.get("a.b")],
      ["getByUuid", User.getByUuid("a:b")],
      ["create", User.create("a b")],
      ["update", User.update("a,b", { email: "x" })],
      ["update (new name)", User.update("alice", { name: "alice smith" })],
      ["remove", User.remove("a/b")],
      ["refreshToken", User.refreshToken("")],
      ["list (project filter)", User.list({ project: "a.b" })]
    ]
    for (const [name, operation] of cases) {
      it.effect(`${name} fails before any request`, () =>
        Effect.gen(function*() {
          const recorder = yield* Recorder.make([{ json: userA }])
          const error = yield* Effect.flip(Effect.provide(operation, recorder.layer))
          assert.strictEqual(error._tag, "AmsArgumentError")
          expect(yield* recorder.requests).toEqual([])
        }))
    }
  })

  describe("errors", () => {
    it.effect("JSON AMS errors are AmsServiceError with the server's text", () =>
      Effect.gen(function*() {
        const cases = [
          [amsError(400, "invalid role: wizard", "INVALID_ARGUMENT"), 400, "invalid role: wizard"],
          [amsError(401, "Unauthorized", "UNAUTHORIZED"), 401, "Unauthorized"],
          [
            amsError(403, "Access to this resource is forbidden", "FORBIDDEN"),
            403,
            "Access to this resource is forbidden"
          ],
          [amsError(404, "User doesn't exist", "NOT_FOUND"), 404, "User doesn't exist"],
          [amsError(409, "User already exists", "ALREADY_EXISTS"), 409, "User already exists"]
        ] as const
        for (const [reply, status, message] of cases) {
          const recorder = yield* Recorder.make([reply])
          const error = yield* User.create("alice", { email: "a@b" }).pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsServiceError")
          if (error._tag !== "AmsServiceError") continue
          expect(error.status).toBe(status)
          expect(error.code).toBe(status)
          expect(error.message).toBe(message)
          expect(error.statusText).toBe(reply.json.error.status)
          expect(error.operation).toBe("user.create")
        }
      }))

    it.effect("a JSON 500 from AMS is a service error and is not retried", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          amsError(500, "Internal error while querying datastore", "INTERNAL_SERVER_ERROR")
        ])
        const error = yield* User.getByToken(Redacted.make("abc"), { retry: Schedule.recurs(3) }).pipe(
          Effect.provide(recorder.layer),
          Effect.flip
        )
        assert.strictEqual(error._tag, "AmsServiceError")
        assert.isFalse(AmsError.isRetryable(error))
        expect((yield* recorder.requests).length).toBe(1)
      }))

    it.effect("HTML balancer pages are AmsBalancerError (502/503/504) and AmsTimeoutError (408)", () =>
      Effect.gen(function*() {
        for (const [status, text] of [[502, html502], [503, html503], [504, html504]] as const) {
          const recorder = yield* Recorder.make([{ status, text, headers: { "content-type": "text/html" } }])
          const error = yield* User.profile().pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsBalancerError")
          assert.isTrue(AmsError.isRetryable(error))
        }
        const recorder = yield* Recorder.make([{ status: 408, text: html408 }])
        const error = yield* User.profile().pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsTimeoutError")
        if (error._tag === "AmsTimeoutError") expect(error.source).toBe("balancer")
      }))

    it.effect("a refused connection is AmsConnectionError", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ fail: "refused" }])
        const error = yield* User.get("alice").pipe(Effect.provide(recorder.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsConnectionError")
      }))

    it.effect("malformed JSON and wrong types are AmsDecodeError", () =>
      Effect.gen(function*() {
        const bad = [
          { text: "{\"uuid\": \"u\", \"name\": " },
          { json: { ...userA, name: 42 } },
          { json: { ...userA, created_on: "not a date" } },
          { json: { name: "no uuid" } },
          { json: { ...userA, projects: [{ roles: ["consumer"] }] } }
        ]
        for (const reply of bad) {
          const recorder = yield* Recorder.make([reply])
          const error = yield* User.get("UserA").pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsDecodeError")
        }
      }))

    it.effect("retries balancer errors on its schedule, counting attempts", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([
          { status: 503, text: html503 },
          { status: 502, text: html502 },
          { json: userA }
        ])
        const fiber = yield* User.get("UserA", { retry: Schedule.spaced("5 seconds") }).pipe(
          Effect.provide(recorder.layer),
          Effect.fork
        )
        yield* TestClock.adjust("10 seconds")
        const user = yield* Fiber.join(fiber)
        expect(user.name).toBe("UserA")
        expect((yield* recorder.requests).length).toBe(3)
      }))

    it.effect("does not retry a 404", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([amsError(404, "User doesn't exist", "NOT_FOUND")])
        const fiber = yield* User.remove("ghost", { retry: Schedule.spaced("1 second") }).pipe(
          Effect.provide(recorder.layer),
          Effect.flip,
          Effect.fork
        )
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(fiber)
        assert.isTrue(AmsError.isNotFound(error))
        expect((yield* recorder.requests).length).toBe(1)
      }))
  })
})
