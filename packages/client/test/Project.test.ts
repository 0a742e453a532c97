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
import * as Project from "../src/Project.js"
import * as Recorder from "./utils/recorder.js"

// ams-api.md §4.6
const argo = {
  name: "ARGO",
  created_on: "2009-11-10T23:00:00Z",
  modified_on: "2009-11-10T23:00:00Z",
  created_by: "UserA",
  description: "simple project"
}

// A member as a project admin sees it: no token, service_roles [], only this project.
const member = {
  uuid: "uuid2",
  projects: [{ project: "demo", roles: ["consumer"], topics: [], subscriptions: ["sub1"] }],
  name: "UserB",
  email: "foo-email",
  service_roles: [],
  created_on: "2009-11-10T23:00:00Z",
  modified_on: "2009-11-10T23:00:00Z"
}

const createdMember = {
  uuid: "0b6d2a4e-7c1f-4a59-9e3d-8f2c1b0a7e65",
  projects: [{ project: "demo", roles: ["publisher"], topics: [], subscriptions: [] }],
  name: "bob",
  token: "f".repeat(64),
  email: "bob@example.org",
  service_roles: [],
  created_on: "2024-03-01T10:00:00Z",
  modified_on: "2024-03-01T10:00:00Z",
  created_by: "UserA"
}

const projectMetrics = {
  metrics: [
    {
      metric: "project.number_of_topics",
      metric_type: "counter",
      value_type: "int64",
      resource_type: "project",
      resource_name: "ARGO",
      timeseries: [{ timestamp: "2017-06-27T10:20:18Z", value: 3 }],
      description: "Counter that displays the number of topics belonging to the specific project"
    },
    {
      metric: "project.number_of_daily_messages",
      metric_type: "counter",
      value_type: "int64",
      resource_type: "project",
      resource_name: "ARGO",
      timeseries: [{ timestamp: "2018-10-02", value: 30 }, { timestamp: "2018-10-01", value: 40 }],
      description:
        "A collection of counters that represents the total number of messages published each day to all of the project's topics"
    }
  ]
}

const amsError = (code: number, message: string, status: string) => ({
  status: code,
  json: { error: { code, message, status } }
})

const html503 =
  "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"
const html504 = "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n"

describe("Project", () => {
  it.effect("list: GET /v1/projects", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { projects: [argo, { name: "ARGO2" }] } }])
      const projects = yield* Project.list().pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("GET")
      expect(request.url).toBe("https://ams.test/v1/projects")
      expect(request.headers["x-api-key"]).toBe(Recorder.defaults.token)
      expect(projects.map((project) => project.name)).toEqual(["ARGO", "ARGO2"])
      expect(projects[1]!.description).toBe("")
      expect(projects[1]!.createdOn).toBeUndefined()
    }))

  it.effect("list reads {} (no projects) as []", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: {} }])
      expect(yield* Project.list().pipe(Effect.provide(recorder.layer))).toEqual([])
    }))

  it.effect("get: GET /v1/projects/{P}, not the layer's project", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: argo }])
      const project = yield* Project.get("ARGO").pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.path).toBe("/v1/projects/ARGO")
      assert.instanceOf(project, Project.Project)
      expect(project.name).toBe("ARGO")
      expect(project.description).toBe("simple project")
      expect(project.createdBy).toBe("UserA")
      expect(project.createdOn?.toISOString()).toBe("2009-11-10T23:00:00.000Z")
      expect(project.modifiedOn?.getTime()).toBe(Date.UTC(2009, 10, 10, 23))
    }))

  it.effect("create: POST /v1/projects/{P} with {description}", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: argo }])
      yield* Project.create("ARGO", { description: "simple project" }).pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("POST")
      expect(request.path).toBe("/v1/projects/ARGO")
      expect(request.json).toEqual({ description: "simple project" })
    }))

  it.effect("create without a description sends {}", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { name: "P2", created_on: "2024-01-01T00:00:00Z" } }])
      const project = yield* Project.create("P2").pipe(Effect.provide(recorder.layer))
      expect((yield* recorder.single).json).toEqual({})
      expect(project.createdBy).toBeUndefined()
    }))

  it.effect("update: PUT /v1/projects/{P} with only the fields given (rename)", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: { ...argo, name: "ARGO3" } }])
      const project = yield* Project.update("ARGO", { name: "ARGO3" }).pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("PUT")
      expect(request.path).toBe("/v1/projects/ARGO")
      expect(request.json).toEqual({ name: "ARGO3" })
      expect(project.name).toBe("ARGO3")
    }))

  it.effect("update with a description only", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: argo }])
      yield* Project.update("ARGO", { description: "new" }).pipe(Effect.provide(recorder.layer))
      expect((yield* recorder.single).json).toEqual({ description: "new" })
    }))

  it.effect("update refuses a new name the server could never address, before any request", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: argo }])
      const error = yield* Project.update("ARGO", { name: "ar.go" }).pipe(Effect.provide(recorder.layer), Effect.flip)
      assert.strictEqual(error._tag, "AmsArgumentError")
      expect(yield* recorder.requests).toEqual([])
    }))

  it.effect("remove: DELETE /v1/projects/{P}", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ text: "" }])
      yield* Project.remove("ARGO").pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.method).toBe("DELETE")
      expect(request.path).toBe("/v1/projects/ARGO")
    }))

  it.effect("metrics: GET /v1/projects/{P}:metrics decoded with the Metric model", () =>
    Effect.gen(function*() {
      const recorder = yield* Recorder.make([{ json: projectMetrics }])
      const metrics = yield* Project.metrics("ARGO").pipe(Effect.provide(recorder.layer))
      const request = yield* recorder.single
      expect(request.path).toBe("/v1/projects/ARGO:metrics")
      expect(metrics.map((metric) => metric.metric)).toEqual([
        "project.number_of_topics",
        "project.number_of_daily_messages"
      ])
      expect(metrics[0]!.timeseries[0]!.value).toBe(3)
      expect(metrics[1]!.timeseries[0]!.rawTimestamp).toBe("2018-10-02")
    }))

  describe("members", () => {
    it.effect("membersPage: GET /v1/projects/{layer project}/members with paging and details", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { users: [member], nextPageToken: "MQ==", totalSize: 2 } }])
        const page = yield* Project.membersPage({ pageSize: 1, pageToken: "MA==", details: true }).pipe(
          Effect.provide(recorder.layer)
        )
        const request = yield* recorder.single
        expect(request.path).toBe("/v1/projects/demo/members")
        expect(request.query).toEqual({ pageSize: "1", pageToken: "MA==", details: "true" })
        expect(page.users.map((user) => user.name)).toEqual(["UserB"])
        expect(page.users[0]!.token).toBeUndefined()
        expect(page.nextPageToken).toBe("MQ==")
        expect(page.totalSize).toBe(2)
      }))

    it.effect("members of another project, in one request", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: { users: [member], nextPageToken: "", totalSize: 1 } }])
        const users = yield* Project.members({ project: "ARGO" }).pipe(Effect.provide(recorder.layer))
        const request = yield* recorder.single
        expect(request.path).toBe("/v1/projects/ARGO/members")
        expect(request.query).toEqual({})
        expect(users.length).toBe(1)
      }))

    it.effect("membersStream follows the pages", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make((request) =>
          request.query.pageToken === undefined
            ? { json: { users: [member], nextPageToken: "MQ==", totalSize: 2 } }
            : { json: { users: [createdMember], nextPageToken: "", totalSize: 2 } }
        )
        const users = yield* Project.membersStream({ pageSize: 1 }).pipe(
          Stream.runCollect,
          Effect.provide(recorder.layer)
        )
        expect(Chunk.toReadonlyArray(users).map((user) => user.name)).toEqual(["UserB", "bob"])
        expect((yield* recorder.requests).length).toBe(2)
      }))

    it.effect("getMember: GET /v1/projects/{P}/members/{U}", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: member }])
        const user = yield* Project.getMember("UserB").pipe(Effect.provide(recorder.layer))
        expect((yield* recorder.single).path).toBe("/v1/projects/demo/members/UserB")
        expect(user.projects[0]!.subscriptions).toEqual(["sub1"])
      }))

    it.effect("createMember: POST with the project repeated in the body, and the email", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: createdMember }])
        const user = yield* Project.createMember("bob", {
          project: "ARGO",
          roles: ["publisher"],
          email: "bob@example.org"
        }).pipe(Effect.provide(recorder.layer))
        const request = yield* recorder.single
        expect(request.method).toBe("POST")
        expect(request.path).toBe("/v1/projects/ARGO/members/bob")
        expect(request.json).toEqual({
          projects: [{ project: "ARGO", roles: ["publisher"] }],
          email: "bob@example.org"
        })
        expect(Redacted.value(user.token!)).toBe("f".repeat(64))
      }))

    it.effect("createMember with no options joins the layer's project with no roles", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: createdMember }])
        yield* Project.createMember("bob").pipe(Effect.provide(recorder.layer))
        const request = yield* recorder.single
        expect(request.path).toBe("/v1/projects/demo/members/bob")
        expect(request.json).toEqual({ projects: [{ project: "demo", roles: [] }] })
      }))

    it.effect("updateMember: PUT with the roles for the project", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: member }])
        yield* Project.updateMember("UserB", { roles: ["consumer", "publisher"] }).pipe(Effect.provide(recorder.layer))
        const request = yield* recorder.single
        expect(request.method).toBe("PUT")
        expect(request.path).toBe("/v1/projects/demo/members/UserB")
        expect(request.json).toEqual({ projects: [{ project: "demo", roles: ["consumer", "publisher"] }] })
      }))

    it.effect("addMember: POST :add with {roles}", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: member }])
        yield* Project.addMember("UserB", { roles: ["consumer"] }, { project: "ARGO" }).pipe(
          Effect.provide(recorder.layer)
        )
        const request = yield* recorder.single
        expect(request.method).toBe("POST")
        expect(request.path).toBe("/v1/projects/ARGO/members/UserB:add")
        expect(request.json).toEqual({ roles: ["consumer"] })
      }))

    it.effect("removeMember: POST :remove with no body, answer {}", () =>
      Effect.gen(function*() {
        const recorder = yield* Recorder.make([{ json: {} }])
        const result = yield* Project.removeMember("UserB").pipe(Effect.provide(recorder.layer))
        const request = yield* recorder.single
        expect(request.method).toBe("POST")
        expect(request.path).toBe("/v1/projects/demo/members/UserB:remove")
        expect(request.body).toBe("")
        expect(result).toBeUndefined()
      }))
  })

  describe("name validation", () => {
    const cases: ReadonlyArray<readonly [string, Effect.Effect<unknown, AmsErrorType, AmsHttp.AmsHttp>]> = [
      ["get", Project.get("a.b")],
      ["create", Project.create("a b")],
      ["remove", Project.remove("")],
      ["metrics", Project.metrics("a:b")],
      ["members (project option)", Project.members({ project: "a/b" })],
      ["getMember", Project.getMember("u.1")],
      ["createMember", Project.createMember("u 1")],
      ["updateMember", Project.updateMember("u,1", { roles: [] })],
      ["addMember", Project.addMember("u:1", { roles: [] })],
      ["removeMember (bad project)", Project.removeMember("u1", { project: "x.y" })]
    ]
    for (const [name, operation] of cases) {
      it.effect(`${name} fails before any request`, () =>
        Effect.gen(function*() {
          const recorder = yield* Recorder.make([{ json: argo }])
          const error = yield* Effect.flip(Effect.provide(operation, recorder.layer))
          assert.strictEqual(error._tag, "AmsArgumentError")
          expect(yield* recorder.requests).toEqual([])
        }))
    }
  })

  describe("errors", () => {
    it.effect("JSON AMS errors keep status and text", () =>
      Effect.gen(function*() {
        const cases = [
          amsError(400, "invalid project name change, name already exists", "INVALID_ARGUMENT"),
          amsError(401, "Unauthorized", "UNAUTHORIZED"),
          amsError(403, "Access to this resource is forbidden. User is not a member of the project", "FORBIDDEN"),
          amsError(404, "project doesn't exist", "NOT_FOUND"),
          amsError(409, "User is already a member of the project", "CONFLICT")
        ]
        for (const reply of cases) {
          const recorder = yield* Recorder.make([reply])
          const error = yield* Project.addMember("UserB", { roles: [] }).pipe(
            Effect.provide(recorder.layer),
            Effect.flip
          )
          assert.strictEqual(error._tag, "AmsServiceError")
          if (error._tag !== "AmsServiceError") continue
          expect(error.status).toBe(reply.status)
          expect(error.message).toBe(reply.json.error.message)
          expect(error.statusText).toBe(reply.json.error.status)
          expect(error.operation).toBe("project.addMember")
        }
      }))

    it.effect("a JSON 500 is not retried; a balancer 503 is, on the caller's schedule", () =>
      Effect.gen(function*() {
        const json500 = yield* Recorder.make([amsError(500, "Backend Error", "INTERNAL_SERVER_ERROR")])
        const error = yield* Project.get("ARGO", { retry: Schedule.recurs(2) }).pipe(
          Effect.provide(json500.layer),
          Effect.flip
        )
        assert.strictEqual(error._tag, "AmsServiceError")
        expect((yield* json500.requests).length).toBe(1)

        const balancer = yield* Recorder.make([{ status: 503, text: html503 }])
        const fiber = yield* Project.get("ARGO", {
          retry: Schedule.spaced("2 seconds").pipe(Schedule.compose(Schedule.recurs(2)))
        })
          .pipe(Effect.provide(balancer.layer), Effect.flip, Effect.fork)
        yield* TestClock.adjust("10 seconds")
        const last = yield* Fiber.join(fiber)
        assert.strictEqual(last._tag, "AmsBalancerError")
        expect((yield* balancer.requests).length).toBe(3)
      }))

    it.effect("a balancer 504 on a project route is a balancer error; a refused connection a connection error", () =>
      Effect.gen(function*() {
        const gateway = yield* Recorder.make([{ status: 504, text: html504 }])
        const error = yield* Project.list().pipe(Effect.provide(gateway.layer), Effect.flip)
        assert.strictEqual(error._tag, "AmsBalancerError")
        const refused = yield* Recorder.make([{ fail: "refused" }])
        const error2 = yield* Project.list().pipe(Effect.provide(refused.layer), Effect.flip)
        assert.strictEqual(error2._tag, "AmsConnectionError")
        assert.isTrue(AmsError.isRetryable(error2))
      }))

    it.effect("malformed or mistyped answers are AmsDecodeError", () =>
      Effect.gen(function*() {
        for (
          const reply of [{ text: "<html>" }, { json: { projects: [{ description: "no name" }] } }, {
            json: { projects: "x" }
          }]
        ) {
          const recorder = yield* Recorder.make([reply])
          const error = yield* Project.list().pipe(Effect.provide(recorder.layer), Effect.flip)
          assert.strictEqual(error._tag, "AmsDecodeError")
        }
      }))
  })
})
