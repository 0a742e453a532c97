/**
 * Every public operation against every kind of failure the wire can produce: AMS's JSON errors (401, 403,
 * 404, 409, 408, 500), the balancer's HTML pages (500, 502, 503, 504, 408), a refused or reset
 * connection, and 200 answers that are not JSON or not of the expected shape. The classification is
 * the same for every route, except a balancer 504, which is a timeout on publish, pull and acknowledge.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type { AmsError as AmsErrorType } from "../src/AmsError.js"
import * as AmsError from "../src/AmsError.js"
import type * as AmsHttp from "../src/AmsHttp.js"
import * as MessageSchema from "../src/MessageSchema.js"
import * as Project from "../src/Project.js"
import * as Registration from "../src/Registration.js"
import * as Service from "../src/Service.js"
import * as Subscription from "../src/Subscription.js"
import * as Topic from "../src/Topic.js"
import * as User from "../src/User.js"
import * as Recorder from "./utils/recorder.js"

const amsError = (code: number, message: string, status: string) => ({
  status: code,
  json: { error: { code, message, status } }
})
const html = (status: number, title: string) => ({
  status,
  text: `<html><body><h1>${status} ${title}</h1>\nSomething went wrong.\n</body></html>\n`
})

interface Case {
  /** The operation named in the error (`undefined` for composites, whose inner request fails). */
  readonly operation: string | undefined
  readonly run: Effect.Effect<unknown, AmsErrorType, AmsHttp.AmsHttp>
  /** Publish, pull, acknowledge (and what is made of them): a balancer 504 is a timeout there. */
  readonly balancer?: boolean
  /** The route answers with an empty body or `{}`, so any JSON of the wrong shape is accepted. */
  readonly ignoresBody?: boolean
  /** `exists`: a 404 about the resource is the answer `false`, not a failure. */
  readonly notFoundIsAnswer?: boolean
}

const ackId = "projects/demo/subscriptions/s1:3"
const drain = <A, E, R>(stream: Stream.Stream<A, E, R>) => Stream.runDrain(stream)

const cases: Record<string, Case> = {
  "Topic.list": { operation: "topic.list", run: Topic.list() },
  "Topic.listPage": { operation: "topic.listPage", run: Topic.listPage({ pageSize: 2 }) },
  "Topic.stream": { operation: "topic.listPage", run: drain(Topic.stream()) },
  "Topic.get": { operation: "topic.get", run: Topic.get("t1") },
  "Topic.create": { operation: "topic.create", run: Topic.create("t1", { schema: "sch" }) },
  "Topic.remove": { operation: "topic.remove", run: Topic.remove("t1"), ignoresBody: true },
  "Topic.exists": { operation: undefined, run: Topic.exists("t1"), notFoundIsAnswer: true },
  "Topic.getOrCreate": { operation: undefined, run: Topic.getOrCreate("t1") },
  "Topic.publish": { operation: "topic.publish", run: Topic.publish("t1", { data: "x" }), balancer: true },
  "Topic.acl": { operation: "topic.acl", run: Topic.acl("t1") },
  "Topic.modifyAcl": { operation: "topic.modifyAcl", run: Topic.modifyAcl("t1", ["u"]), ignoresBody: true },
  "Topic.subscriptions": { operation: "topic.subscriptions", run: Topic.subscriptions("t1") },
  "Topic.metrics": { operation: "topic.metrics", run: Topic.metrics("t1") },
  "Topic.attachSchema": { operation: "topic.attachSchema", run: Topic.attachSchema("t1", "sch"), ignoresBody: true },
  "Topic.detachSchema": { operation: "topic.detachSchema", run: Topic.detachSchema("t1"), ignoresBody: true },

  "Subscription.list": { operation: "subscription.list", run: Subscription.list() },
  "Subscription.listPage": { operation: "subscription.listPage", run: Subscription.listPage({ pageSize: 1 }) },
  "Subscription.stream": { operation: "subscription.listPage", run: drain(Subscription.stream()) },
  "Subscription.listByTopic": { operation: "subscription.list", run: Subscription.listByTopic("t1") },
  "Subscription.streamByTopic": { operation: "subscription.listPage", run: drain(Subscription.streamByTopic("t1")) },
  "Subscription.get": { operation: "subscription.get", run: Subscription.get("s1") },
  "Subscription.create": { operation: "subscription.create", run: Subscription.create("s1", { topic: "t1" }) },
  "Subscription.remove": { operation: "subscription.remove", run: Subscription.remove("s1"), ignoresBody: true },
  "Subscription.exists": { operation: undefined, run: Subscription.exists("s1"), notFoundIsAnswer: true },
  "Subscription.getOrCreate": { operation: undefined, run: Subscription.getOrCreate("s1", { topic: "t1" }) },
  "Subscription.pull": { operation: "subscription.pull", run: Subscription.pull("s1"), balancer: true },
  "Subscription.acknowledge": {
    operation: "subscription.acknowledge",
    run: Subscription.acknowledge("s1", [ackId]),
    balancer: true,
    ignoresBody: true
  },
  "Subscription.pullAndAck": { operation: "subscription.pull", run: Subscription.pullAndAck("s1"), balancer: true },
  "Subscription.modifyAckDeadline": {
    operation: "subscription.modifyAckDeadline",
    run: Subscription.modifyAckDeadline("s1", 30),
    ignoresBody: true
  },
  "Subscription.modifyPushConfig": {
    operation: "subscription.modifyPushConfig",
    run: Subscription.modifyPushConfig("s1", null),
    ignoresBody: true
  },
  "Subscription.offsets": { operation: "subscription.offsets", run: Subscription.offsets("s1") },
  "Subscription.offset": { operation: "subscription.offsets", run: Subscription.offset("s1", "max") },
  "Subscription.modifyOffset": {
    operation: "subscription.modifyOffset",
    run: Subscription.modifyOffset("s1", 2),
    ignoresBody: true
  },
  "Subscription.timeToOffset": {
    operation: "subscription.timeToOffset",
    run: Subscription.timeToOffset("s1", new Date(0))
  },
  "Subscription.acl": { operation: "subscription.acl", run: Subscription.acl("s1") },
  "Subscription.modifyAcl": {
    operation: "subscription.modifyAcl",
    run: Subscription.modifyAcl("s1", []),
    ignoresBody: true
  },
  "Subscription.verifyPushEndpoint": {
    operation: "subscription.verifyPushEndpoint",
    run: Subscription.verifyPushEndpoint("s1"),
    ignoresBody: true
  },
  "Subscription.metrics": { operation: "subscription.metrics", run: Subscription.metrics("s1") },

  "User.listPage": { operation: "user.listPage", run: User.listPage({ pageSize: 1 }) },
  "User.stream": { operation: "user.listPage", run: drain(User.stream()) },
  "User.list": { operation: "user.list", run: User.list() },
  "User.get": { operation: "user.get", run: User.get("alice") },
  "User.getByToken": { operation: "user.getByToken", run: User.getByToken(Redacted.make("abc123")) },
  "User.getByUuid": { operation: "user.getByUuid", run: User.getByUuid("4f1c-99") },
  "User.profile": { operation: "user.profile", run: User.profile() },
  "User.create": { operation: "user.create", run: User.create("alice") },
  "User.update": { operation: "user.update", run: User.update("alice", { email: "a@b" }) },
  "User.remove": { operation: "user.remove", run: User.remove("alice"), ignoresBody: true },
  "User.refreshToken": { operation: "user.refreshToken", run: User.refreshToken("alice") },

  "Project.list": { operation: "project.list", run: Project.list() },
  "Project.get": { operation: "project.get", run: Project.get("ARGO") },
  "Project.create": { operation: "project.create", run: Project.create("ARGO") },
  "Project.update": { operation: "project.update", run: Project.update("ARGO", { description: "d" }) },
  "Project.remove": { operation: "project.remove", run: Project.remove("ARGO"), ignoresBody: true },
  "Project.metrics": { operation: "project.metrics", run: Project.metrics("ARGO") },
  "Project.membersPage": { operation: "project.membersPage", run: Project.membersPage({ pageSize: 1 }) },
  "Project.membersStream": { operation: "project.membersPage", run: drain(Project.membersStream()) },
  "Project.members": { operation: "project.members", run: Project.members() },
  "Project.getMember": { operation: "project.getMember", run: Project.getMember("alice") },
  "Project.createMember": { operation: "project.createMember", run: Project.createMember("alice") },
  "Project.updateMember": {
    operation: "project.updateMember",
    run: Project.updateMember("alice", { roles: ["consumer"] })
  },
  "Project.addMember": { operation: "project.addMember", run: Project.addMember("alice", { roles: [] }) },
  "Project.removeMember": {
    operation: "project.removeMember",
    run: Project.removeMember("alice"),
    ignoresBody: true
  },

  "MessageSchema.create": {
    operation: "schema.create",
    run: MessageSchema.create("sch", { type: "json", schema: { type: "object" } })
  },
  "MessageSchema.get": { operation: "schema.get", run: MessageSchema.get("sch") },
  "MessageSchema.list": { operation: "schema.list", run: MessageSchema.list() },
  "MessageSchema.update": { operation: "schema.update", run: MessageSchema.update("sch", { type: "avro" }) },
  "MessageSchema.remove": { operation: "schema.remove", run: MessageSchema.remove("sch"), ignoresBody: true },
  "MessageSchema.validateMessage": {
    operation: "schema.validateMessage",
    run: MessageSchema.validateMessage("sch", { up: true })
  },

  "Registration.create": {
    operation: "registration.create",
    run: Registration.create({ name: "bob", email: "bob@example.org" })
  },
  "Registration.accept": { operation: "registration.accept", run: Registration.accept("r-1") },
  "Registration.decline": { operation: "registration.decline", run: Registration.decline("r-1"), ignoresBody: true },
  "Registration.get": { operation: "registration.get", run: Registration.get("r-1") },
  "Registration.list": { operation: "registration.list", run: Registration.list() },
  "Registration.remove": { operation: "registration.remove", run: Registration.remove("r-1"), ignoresBody: true },

  "Service.health": { operation: "service.health", run: Service.health() },
  "Service.version": { operation: "service.version", run: Service.version() },
  "Service.metrics": { operation: "service.metrics", run: Service.metrics() },
  "Service.vaMetrics": { operation: "service.vaMetrics", run: Service.vaMetrics() },
  "Service.usageReport": { operation: "service.usageReport", run: Service.usageReport() }
}

const failWith = (reply: Recorder.Reply, run: Case["run"]) =>
  Effect.gen(function*() {
    const recorder = yield* Recorder.make([reply])
    const error = yield* run.pipe(Effect.provide(recorder.layer), Effect.flip)
    return { error, requests: yield* recorder.requests }
  })

describe("every operation, every failure", () => {
  it("covers every public operation of every resource module", () => {
    const modules = { Topic, Subscription, User, Project, MessageSchema, Registration, Service }
    const operations = Object.entries(modules).flatMap(([module, exports]) =>
      Object.entries(exports)
        .filter(([, value]) => typeof value === "function" && !("ast" in value))
        .map(([name]) => `${module}.${name}`)
    )
    expect(operations.sort()).toEqual(Object.keys(cases).sort())
  })

  for (const [name, { balancer, ignoresBody, notFoundIsAnswer, operation, run }] of Object.entries(cases)) {
    describe(name, () => {
      it.effect("AMS's JSON errors (401, 403, 404, 409, 500) are service errors, never retryable", () =>
        Effect.gen(function*() {
          const replies = [
            amsError(401, "Unauthorized", "UNAUTHORIZED"),
            amsError(403, "Access to this resource is forbidden", "FORBIDDEN"),
            // `exists` answers `false` to this one; its 404 `project doesn't exist` is still a failure.
            notFoundIsAnswer === true
              ? amsError(404, "project doesn't exist", "NOT_FOUND")
              : amsError(404, "Resource doesn't exist", "NOT_FOUND"),
            amsError(409, "Push functionality is currently disabled", "CONFLICT"),
            amsError(500, "Backend Error", "INTERNAL_SERVER_ERROR")
          ]
          for (const reply of replies) {
            const { error } = yield* failWith(reply, run)
            assert.strictEqual(error._tag, "AmsServiceError", `${reply.status}`)
            if (error._tag !== "AmsServiceError") continue
            expect([error.status, error.code, error.statusText, error.message]).toEqual([
              reply.status,
              reply.status,
              reply.json.error.status,
              reply.json.error.message
            ])
            if (operation !== undefined) expect(error.operation).toBe(operation)
            expect(AmsError.isRetryable(error)).toBe(false)
          }
        }))

      it.effect("a JSON 408 is the service's timeout (not retryable), an HTML 408 the balancer's (retryable)", () =>
        Effect.gen(function*() {
          const service = (yield* failWith(amsError(408, "ack timeout", "TIMEOUT"), run)).error
          assert.strictEqual(service._tag, "AmsTimeoutError")
          expect(AmsError.isRetryable(service)).toBe(false)
          const page = (yield* failWith(html(408, "Request Time-out"), run)).error
          assert.strictEqual(page._tag, "AmsTimeoutError")
          expect(AmsError.isRetryable(page)).toBe(true)
          if (operation !== undefined) expect([service.operation, page.operation]).toEqual([operation, operation])
        }))

      it.effect(`balancer pages: 500/502/503 are AmsBalancerError, 504 ${balancer ? "a timeout" : "too"}`, () =>
        Effect.gen(function*() {
          for (
            const [status, title] of [[500, "Internal"], [502, "Bad Gateway"], [503, "Service Unavailable"]] as const
          ) {
            const { error } = yield* failWith(html(status, title), run)
            assert.strictEqual(error._tag, "AmsBalancerError", `${status}`)
            expect(AmsError.isRetryable(error)).toBe(true)
          }
          const { error } = yield* failWith(html(504, "Gateway Time-out"), run)
          assert.strictEqual(error._tag, balancer === true ? "AmsTimeoutError" : "AmsBalancerError")
          expect(AmsError.isRetryable(error)).toBe(true)
        }))

      it.effect("a refused or reset connection is a retryable AmsConnectionError", () =>
        Effect.gen(function*() {
          for (const fail of ["refused", "reset"] as const) {
            const { error } = yield* failWith({ fail }, run)
            assert.strictEqual(error._tag, "AmsConnectionError")
            expect(AmsError.isRetryable(error)).toBe(true)
            if (operation !== undefined) expect(error.operation).toBe(operation)
          }
        }))

      it.effect(`a 200 that is not JSON${ignoresBody === true ? "" : ", or JSON of the wrong type,"} is AmsDecodeError`, () =>
        Effect.gen(function*() {
          const replies: ReadonlyArray<Recorder.Reply> = ignoresBody === true
            ? [{ text: "<html>oops" }]
            : [{ text: "<html>oops" }, { json: [42] }]
          for (const reply of replies) {
            const { error } = yield* failWith(reply, run)
            assert.strictEqual(error._tag, "AmsDecodeError")
            expect(AmsError.isRetryable(error)).toBe(false)
          }
        }))
    })
  }
})
