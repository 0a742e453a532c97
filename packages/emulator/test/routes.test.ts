// Roles × routes: every one of the 64 routes of ams-api.md §5.1, in the server's registration order, called by
// every kind of caller, with the exact status the §1.6 pipeline and the §2.3 role table give, and the body kind
// (JSON document, literal `{}`, or empty) of every 200.
//
// Callers (columns):
//   sa    `admin`, a user holding the service role service_admin
//   pa    `demo-admin`, project_admin of `demo` (and nothing else: on routes without {project} it is the
//         "project-only user" and gets 401, §2.2)
//   pub   `publisher`, publisher of `demo` (in the ACL of topic t1)
//   con   `consumer`, consumer of `demo` (in the ACL of subscription s1)
//   out   `outsider`, project_admin of another project only: no role in `demo` → 401
//   pw    a user holding only the service role push_worker
//   authn a user holding only the service role argo_api_authn
//   mv    a user holding only the service role metrics_viewer
//   ra    a user holding only the service role register_admin
//   svc   the configured service token (service_admin, no role check; not a user on the open routes, §10.1)
//   bad   a token nobody holds
//   none  no token at all
//
// Every cell runs on a fresh emulator, so each allowed caller meets a request that succeeds (200) and each
// refused one shows where the pipeline stops it: 401 (no/unknown token, or no role at all for this route's
// scope), 403 (roles, but not one the table allows).
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { EmulatorResponse } from "../src/Emulator.js"
import type { Seed } from "../src/Seed.js"
import * as H from "./helpers.js"

const callers = ["sa", "pa", "pub", "con", "out", "pw", "authn", "mv", "ra", "svc", "bad", "none"] as const
type CallerName = typeof callers[number]

const tokens: Record<CallerName, string | undefined> = {
  sa: "admin-token",
  pa: "demo-admin-token",
  pub: "publisher-token",
  con: "consumer-token",
  out: "outsider-token",
  pw: "push-worker-token",
  authn: "authn-token",
  mv: "metrics-viewer-token",
  ra: "register-admin-token",
  svc: "service-token",
  bad: "nobody-holds-this-token",
  none: undefined
}

const seed: Seed = {
  projects: [{ name: "demo" }, { name: "other" }],
  users: [
    { name: "admin", token: tokens.sa!, service_roles: ["service_admin"] },
    { name: "demo-admin", token: tokens.pa!, projects: [{ project: "demo", roles: ["project_admin"] }] },
    { name: "publisher", token: tokens.pub!, projects: [{ project: "demo", roles: ["publisher"] }] },
    { name: "consumer", token: tokens.con!, projects: [{ project: "demo", roles: ["consumer"] }] },
    { name: "outsider", token: tokens.out!, projects: [{ project: "other", roles: ["project_admin"] }] },
    { name: "push-worker", token: tokens.pw!, service_roles: ["push_worker"] },
    { name: "authn", token: tokens.authn!, service_roles: ["argo_api_authn"] },
    { name: "metrics-viewer", token: tokens.mv!, service_roles: ["metrics_viewer"] },
    { name: "register-admin", token: tokens.ra!, service_roles: ["register_admin"] },
    // Targets of the user and member routes.
    { name: "member", token: "member-token", projects: [{ project: "demo", roles: ["consumer"] }] },
    { name: "victim", uuid: "victim-uuid", token: "victim-token" }
  ],
  schemas: [{ project: "demo", name: "sch", type: "json", schema: { type: "object" } }],
  topics: [{ project: "demo", name: "t1", acl: ["publisher"], messages: [{ data: "aGk=" }] }],
  subscriptions: [{ project: "demo", name: "s1", topic: "t1", acl: ["consumer"], offset: 0 }]
}

/** What a 200 carries (§5, §11 item 2): a JSON document, the literal `{}`, or 0 bytes. */
type Kind = "json" | "{}" | "empty"

/** The request a route's cells send, after an optional setup made with the service token. */
interface Call {
  readonly path: string
  readonly body?: unknown
}

type Setup = (c: H.Client, push: { hash: string }) => Effect.Effect<Call>

interface Row {
  readonly n: number
  readonly name: string
  readonly method: string
  readonly call: Call | Setup
  readonly kind: Kind
  readonly expect: Readonly<Record<CallerName, number>>
}

const statuses = (values: ReadonlyArray<number>): Record<CallerName, number> =>
  Object.fromEntries(callers.map((c, i) => [c, values[i]!])) as Record<CallerName, number>

const row = (
  n: number,
  name: string,
  method: string,
  kind: Kind,
  //  sa   pa  pub  con  out   pw authn  mv   ra  svc  bad none
  expect: [number, number, number, number, number, number, number, number, number, number, number, number],
  call: Call | Setup
): Row => ({ n, name, method, call, kind, expect: statuses(expect) })

const svcToken = tokens.svc!

/** A registration made by the service token; the route is called on its uuid. */
const registration = (suffix: string, body?: unknown): Setup => (c) =>
  Effect.map(
    c.ok("POST", "/v1/registrations", svcToken, { name: "newcomer", email: "n@example.org" }),
    (r) => ({
      path: `/v1/registrations/${(r as { uuid: string }).uuid}${suffix}`,
      ...(body === undefined ? {} : { body })
    })
  )

/** A pull made by the service token, so that an acknowledgement has something pending. */
const pending: Setup = (c) =>
  Effect.as(c.ok("POST", H.sub("s1", ":pull"), svcToken, {}), {
    path: H.sub("s1", ":acknowledge"),
    body: { ackIds: ["projects/demo/subscriptions/s1:0"] }
  })

/** An unverified http push subscription whose endpoint answers its verification hash. */
const unverifiedPush: Setup = (c, push) =>
  Effect.gen(function*() {
    yield* c.ok("PUT", H.sub("ps"), svcToken, {
      topic: "projects/demo/topics/t1",
      pushConfig: { type: "http_endpoint", pushEndpoint: "https://127.0.0.1:9/receive" }
    })
    const sub = (yield* c.ok("GET", H.sub("ps"), svcToken)) as { pushConfig: { verificationHash: string } }
    push.hash = sub.pushConfig.verificationHash
    return { path: H.sub("ps", ":verifyPushEndpoint") }
  })

const P = "/v1/projects/demo"

// The 64 routes in registration order (§5.1). Read a line as: route, body kind of its 200, the status each
// caller gets, and the request sent.
// dprint-ignore
const table: ReadonlyArray<Row> = [
  //  #   route                                method    200      sa   pa   pub  con  out  pw   authn mv   ra   svc  bad  none   request
  row(1,  "ams:metrics",                       "GET",    "json",  [200, 401, 401, 401, 401, 403, 403, 200, 403, 200, 401, 401], { path: "/v1/metrics" }),
  row(2,  "ams:healthStatus",                  "GET",    "json",  [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200], { path: "/v1/status" }),
  row(3,  "ams:vaMetrics",                     "GET",    "json",  [200, 401, 401, 401, 401, 403, 403, 200, 403, 200, 401, 401], { path: "/v1/metrics/va_metrics" }),
  row(4,  "users:byToken",                     "GET",    "json",  [200, 401, 401, 401, 401, 200, 403, 403, 403, 200, 401, 401], { path: "/v1/users:byToken/victim-token" }),
  row(5,  "users:byUUID",                      "GET",    "json",  [200, 401, 401, 401, 401, 403, 200, 403, 403, 200, 401, 401], { path: "/v1/users:byUUID/victim-uuid" }),
  row(6,  "users:list",                        "GET",    "json",  [200, 401, 401, 401, 401, 403, 403, 403, 403, 200, 401, 401], { path: "/v1/users" }),
  row(7,  "users:profile",                     "GET",    "json",  [200, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 401], { path: "/v1/users/profile" }),
  row(8,  "users:usageReport",                 "GET",    "json",  [200, 200, 200, 200, 200, 200, 200, 200, 200, 401, 401, 401], { path: "/v1/users/usageReport" }),
  row(9,  "users:show",                        "GET",    "json",  [200, 401, 401, 401, 401, 403, 403, 403, 403, 200, 401, 401], { path: "/v1/users/victim" }),
  row(10, "users:refreshToken",                "POST",   "json",  [200, 401, 401, 401, 401, 403, 403, 403, 403, 200, 401, 401], { path: "/v1/users/victim:refreshToken" }),
  row(11, "users:create",                      "POST",   "json",  [200, 401, 401, 401, 401, 403, 403, 403, 403, 200, 401, 401], { path: "/v1/users/newbie", body: { email: "n@example.org" } }),
  row(12, "users:update",                      "PUT",    "json",  [200, 401, 401, 401, 401, 403, 403, 403, 403, 200, 401, 401], { path: "/v1/users/victim", body: { email: "v@example.org" } }),
  row(13, "users:delete",                      "DELETE", "empty", [200, 401, 401, 401, 401, 403, 403, 403, 403, 200, 401, 401], { path: "/v1/users/victim" }),
  row(14, "registrations:newUser",             "POST",   "json",  [200, 401, 401, 401, 401, 403, 403, 403, 200, 200, 401, 401], { path: "/v1/registrations", body: { name: "newcomer" } }),
  row(15, "registrations:acceptNewUser",       "POST",   "json",  [200, 401, 401, 401, 401, 403, 403, 403, 403, 200, 401, 401], registration(":accept")),
  row(16, "registrations:declineNewUser",      "POST",   "{}",    [200, 401, 401, 401, 401, 403, 403, 403, 403, 200, 401, 401], registration(":decline", { comment: "no" })),
  // No role table entry: only the service token gets through, a service_admin user gets 403.
  row(17, "registrations:delete",              "DELETE", "empty", [403, 401, 401, 401, 401, 403, 403, 403, 403, 200, 401, 401], registration("")),
  row(18, "registrations:show",                "GET",    "json",  [200, 401, 401, 401, 401, 403, 403, 403, 403, 200, 401, 401], registration("")),
  row(19, "registrations:list",                "GET",    "json",  [200, 401, 401, 401, 401, 403, 403, 403, 403, 200, 401, 401], { path: "/v1/registrations" }),
  row(20, "projects:list",                     "GET",    "json",  [200, 401, 401, 401, 401, 403, 403, 403, 403, 200, 401, 401], { path: "/v1/projects" }),
  row(21, "projects:metrics",                  "GET",    "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}:metrics` }),
  row(22, "projects:addUser",                  "POST",   "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}/members/victim:add`, body: { roles: ["consumer"] } }),
  row(23, "projects:removeUser",               "POST",   "{}",    [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}/members/member:remove` }),
  row(24, "projects:showUser",                 "GET",    "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}/members/member` }),
  row(25, "projects:createUser",               "POST",   "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}/members/newbie`, body: { projects: [{ project: "demo", roles: ["consumer"] }] } }),
  row(26, "projects:updateUser",               "PUT",    "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}/members/member`, body: { projects: [{ project: "demo", roles: ["publisher"] }] } }),
  row(27, "projects:listUsers",                "GET",    "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}/members` }),
  row(28, "projects:show",                     "GET",    "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: P }),
  // The project does not exist yet: only service roles count, so the project roles elsewhere give nothing.
  row(29, "projects:create",                   "POST",   "json",  [200, 401, 401, 401, 401, 403, 403, 403, 403, 200, 401, 401], { path: "/v1/projects/fresh", body: { description: "new" } }),
  row(30, "projects:update",                   "PUT",    "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: P, body: { description: "changed" } }),
  row(31, "projects:delete",                   "DELETE", "empty", [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: P }),
  row(32, "subscriptions:list",                "GET",    "json",  [200, 200, 403, 200, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}/subscriptions` }),
  row(33, "subscriptions:listByTopic",         "GET",    "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}/topics/t1/subscriptions` }),
  row(34, "subscriptions:offsets",             "GET",    "json",  [200, 200, 403, 200, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.sub("s1", ":offsets") }),
  row(35, "subscriptions:timeToOffset",        "GET",    "json",  [200, 200, 403, 200, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.sub("s1", ":timeToOffset?time=1970-01-01T00:00:00.000Z") }),
  row(36, "subscriptions:acl",                 "GET",    "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.sub("s1", ":acl") }),
  row(37, "subscriptions:metrics",             "GET",    "json",  [200, 200, 403, 200, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.sub("s1", ":metrics") }),
  row(38, "subscriptions:show",                "GET",    "json",  [200, 200, 403, 200, 401, 200, 403, 403, 403, 200, 401, 401], { path: H.sub("s1") }),
  row(39, "subscriptions:create",              "PUT",    "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.sub("s2"), body: { topic: "projects/demo/topics/t1" } }),
  row(40, "subscriptions:delete",              "DELETE", "empty", [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.sub("s1") }),
  row(41, "subscriptions:pull",                "POST",   "json",  [200, 200, 403, 200, 401, 200, 403, 403, 403, 200, 401, 401], { path: H.sub("s1", ":pull"), body: { maxMessages: "1" } }),
  row(42, "subscriptions:acknowledge",         "POST",   "{}",    [200, 200, 403, 200, 401, 200, 403, 403, 403, 200, 401, 401], pending),
  row(43, "subscriptions:verifyPushEndpoint",  "POST",   "empty", [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], unverifiedPush),
  row(44, "subscriptions:modifyAckDeadline",   "POST",   "empty", [200, 200, 403, 200, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.sub("s1", ":modifyAckDeadline"), body: { ackDeadlineSeconds: 30 } }),
  row(45, "subscriptions:modifyPushConfig",    "POST",   "empty", [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.sub("s1", ":modifyPushConfig"), body: { pushConfig: {} } }),
  row(46, "subscriptions:modifyOffset",        "POST",   "empty", [200, 200, 403, 200, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.sub("s1", ":modifyOffset"), body: { offset: 0 } }),
  row(47, "subscriptions:modifyAcl",           "POST",   "empty", [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.sub("s1", ":modifyAcl"), body: { authorized_users: ["member"] } }),
  row(48, "topics:list",                       "GET",    "json",  [200, 200, 200, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}/topics` }),
  row(49, "topics:acl",                        "GET",    "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.topic("t1", ":acl") }),
  row(50, "topics:metrics",                    "GET",    "json",  [200, 200, 200, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.topic("t1", ":metrics") }),
  row(51, "topics:show",                       "GET",    "json",  [200, 200, 200, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.topic("t1") }),
  row(52, "topics:create",                     "PUT",    "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.topic("t2") }),
  row(53, "topics:delete",                     "DELETE", "empty", [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.topic("t1") }),
  row(54, "topics:publish",                    "POST",   "json",  [200, 200, 200, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.topic("t1", ":publish"), body: { messages: [{ data: "aGk=" }] } }),
  row(55, "topics:modifyAcl",                  "POST",   "empty", [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.topic("t1", ":modifyAcl"), body: { authorized_users: ["member"] } }),
  row(56, "topics:attachSchema",               "POST",   "empty", [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.topic("t1", ":attachSchema"), body: { schema: "projects/demo/schemas/sch" } }),
  row(57, "topics:detachSchema",               "POST",   "empty", [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: H.topic("t1", ":detachSchema") }),
  row(58, "schemas:validateMessage",           "POST",   "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}/schemas/sch:validate`, body: { any: "object" } }),
  row(59, "schemas:create",                    "POST",   "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}/schemas/sch2`, body: { type: "json", schema: { type: "string" } } }),
  row(60, "schemas:show",                      "GET",    "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}/schemas/sch` }),
  row(61, "schemas:list",                      "GET",    "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}/schemas` }),
  row(62, "schemas:update",                    "PUT",    "json",  [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}/schemas/sch`, body: { schema: { type: "object", required: ["a"] } } }),
  row(63, "schemas:delete",                    "DELETE", "empty", [200, 200, 403, 403, 401, 403, 403, 403, 403, 200, 401, 401], { path: `${P}/schemas/sch` }),
  row(64, "version:list",                      "GET",    "json",  [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200], { path: "/v1/version" }),
]

/** A fresh emulator for one cell: push enabled with a worker, and an endpoint that answers `push.hash`. */
const fresh = Effect.gen(function*() {
  const push = { hash: "" }
  const c = yield* H.client(seed, {
    serviceToken: svcToken,
    pushEnabled: true,
    pushWorkerToken: tokens.pw!,
    verifyPushEndpoint: () => Effect.succeed({ status: 200, body: push.hash })
  })
  return { c, push }
})

const prepare = (r: Row, c: H.Client, push: { hash: string }): Effect.Effect<Call> =>
  typeof r.call === "function" ? r.call(c, push) : Effect.succeed(r.call)

const send = (c: H.Client, method: string, call: Call, token: string | undefined) =>
  c.call(method, call.path, token, call.body)

const text = "text/plain; charset=utf-8"
const json = "application/json; charset=utf-8"
const openRoutes: ReadonlySet<string> = new Set([
  "ams:healthStatus",
  "users:profile",
  "users:usageReport",
  "version:list"
])

const checkKind = (r: Row, response: EmulatorResponse, where: string) => {
  switch (r.kind) {
    case "empty":
      return assert.strictEqual(response.body, "", `${where}: empty body`)
    case "{}":
      return assert.strictEqual(response.body, "{}", `${where}: literal {}`)
    case "json": {
      assert.notStrictEqual(response.body, "", `${where}: a JSON document`)
      assert.notStrictEqual(response.body, "{}", `${where}: a JSON document`)
      const parsed = JSON.parse(response.body) as unknown
      assert.isTrue(typeof parsed === "object" && parsed !== null && !Array.isArray(parsed), `${where}: an object`)
      return assert.strictEqual(response.headers["content-type"], json, `${where}: content type`)
    }
  }
}

describe("the route table", () => {
  it("lists the 64 routes of §5.1 in registration order", () => {
    assert.deepStrictEqual(table.map((r) => r.n), Array.from({ length: 64 }, (_, i) => i + 1))
    assert.strictEqual(new Set(table.map((r) => r.name)).size, 64)
  })
})

describe("roles × routes (§1.6, §2.3, §5.1)", () => {
  for (const r of table) {
    it.effect(`#${r.n} ${r.name}`, () =>
      Effect.gen(function*() {
        for (const caller of callers) {
          const { c, push } = yield* fresh
          const call = yield* prepare(r, c, push)
          const response = yield* send(c, r.method, call, tokens[caller])
          const where = `${r.name} as ${caller}: ${r.method} ${call.path} → ${response.status} ${response.body}`
          assert.strictEqual(response.status, r.expect[caller], where)
          if (response.status === 200) checkKind(r, response, where)
          if (response.status === 401) {
            assert.strictEqual(response.body, H.errorBody(401, "Unauthorized", "UNAUTHORIZED"), where)
          }
          if (response.status === 403) {
            const forbidden = H.errorBody(403, "Access to this resource is forbidden", "FORBIDDEN")
            assert.strictEqual(response.body, forbidden, where)
          }
          // Refusals by the pipeline's wrappers carry Go's sniffed text/plain; the open routes refuse in
          // their handlers (JSON).
          if (response.status === 401 || response.status === 403) {
            assert.strictEqual(response.headers["content-type"], openRoutes.has(r.name) ? json : text, where)
          }
        }
      }))
  }
})

const variables = (path: string): ReadonlyArray<string> => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)

describe("every route checks its names first and its project before the token (§1.6 steps 1 and 4)", () => {
  // Route paths with placeholders, in the same order, to aim at each variable.
  const templates: Record<string, string> = {
    "users:byToken": "/v1/users:byToken/{token}",
    "users:byUUID": "/v1/users:byUUID/{uuid}"
  }
  const template = (r: Row, path: string): string =>
    templates[r.name] ?? path
      .replace(/^\/v1\/projects\/(demo|fresh)/, "/v1/projects/{project}")
      .replace(/\/topics\/t1/, "/topics/{topic}")
      .replace(/\/subscriptions\/s1/, "/subscriptions/{subscription}")
      .replace(/\/schemas\/sch(?=[:/]|$)/, "/schemas/{schema}")
      .replace(/^\/v1\/users\/(victim|newbie)/, "/v1/users/{user}")
      .replace(/\/members\/(member|victim|newbie)/, "/members/{user}")
      .replace(/^\/v1\/registrations\/[^/:?]+/, "/v1/registrations/{uuid}")

  it.effect("an invalid name is 400 before authentication, the alphabetically first variable reported", () =>
    Effect.gen(function*() {
      let checked = 0
      for (const r of table) {
        const { c, push } = yield* fresh
        const call = yield* prepare(r, c, push)
        const [pathPart, query = ""] = call.path.split("?")
        const path = template(r, pathPart!)
        const vars = variables(path)
        if (vars.length === 0) continue
        const first = [...vars].sort()[0]!
        const bad = path.replace(/\{([^}]+)\}/g, (_, v: string) => (v === first ? "bad.name" : "ok"))
        const response = yield* c.call(r.method, query === "" ? bad : `${bad}?${query}`, undefined, call.body)
        assert.strictEqual(response.status, 400, `${r.name}: ${bad}`)
        assert.strictEqual(response.body, H.errorBody(400, `Invalid ${first} name`, "INVALID_ARGUMENT"), r.name)
        assert.strictEqual(response.headers["content-type"], text, r.name)
        checked++
      }
      // Every route with a variable: all but metrics, status, va_metrics, users list/profile/usageReport,
      // registrations newUser/list, projects:list, version.
      assert.strictEqual(checked, 54)
    }))

  it.effect("an unknown project is 404 with any token, 401 without one (projects:create skips the check)", () =>
    Effect.gen(function*() {
      let checked = 0
      for (const r of table) {
        const { c, push } = yield* fresh
        const call = yield* prepare(r, c, push)
        if (!call.path.startsWith("/v1/projects/demo") && r.name !== "projects:create") continue
        const path = call.path.replace(/^\/v1\/projects\/(demo|fresh)/, "/v1/projects/nowhere")
        const unknown = yield* c.call(r.method, path, tokens.bad, call.body)
        const expected = r.name === "projects:create" ? 401 : 404
        assert.strictEqual(unknown.status, expected, `${r.name}: ${path}`)
        if (expected === 404) {
          assert.strictEqual(unknown.body, H.errorBody(404, "project doesn't exist", "NOT_FOUND"), r.name)
          assert.strictEqual(unknown.headers["content-type"], text, r.name)
        }
        assert.strictEqual((yield* c.call(r.method, path, undefined, call.body)).status, 401, `${r.name} no token`)
        checked++
      }
      // Routes 21–63 have {project}.
      assert.strictEqual(checked, 43)
    }))
})
