// The route table: all 64 routes of the server's routing.go, in its registration order (order matters, §1.2).
import * as Effect from "effect/Effect"
import * as Errors from "../errors.js"
import type { Handler, Route } from "../router.js"
import { openRoute, route } from "../router.js"
import * as Messaging from "./messaging.js"
import * as Metrics from "./metrics.js"
import * as Publish from "./publish.js"
import * as Subscriptions from "./subscriptions.js"
import * as Topics from "./topics.js"

/** Placeholder for routes whose domain module is not written yet: a 500 naming the route. */
const pending: Handler = (context) =>
  Effect.fail(Errors.genericInternal(`The emulator does not implement ${context.route} yet`))

const P = "/v1/projects/{project}"
const S = `${P}/subscriptions/{subscription}`
const T = `${P}/topics/{topic}`

/**
 * The route list. To add a route, put `route(name, method, path, handler)` (or `openRoute` for the
 * unauthenticated ones) at the server's position; to implement a pending one, replace `pending`.
 */
export const routes: ReadonlyArray<Route> = [
  route("ams:metrics", "GET", "/v1/metrics", pending),
  openRoute("ams:healthStatus", "GET", "/v1/status", pending),
  route("ams:vaMetrics", "GET", "/v1/metrics/va_metrics", pending),
  route("users:byToken", "GET", "/v1/users:byToken/{token}", pending),
  route("users:byUUID", "GET", "/v1/users:byUUID/{uuid}", pending),
  route("users:list", "GET", "/v1/users", pending),
  openRoute("users:profile", "GET", "/v1/users/profile", pending),
  openRoute("users:usageReport", "GET", "/v1/users/usageReport", pending),
  route("users:show", "GET", "/v1/users/{user}", pending),
  route("users:refreshToken", "POST", "/v1/users/{user}:refreshToken", pending),
  route("users:create", "POST", "/v1/users/{user}", pending),
  route("users:update", "PUT", "/v1/users/{user}", pending),
  route("users:delete", "DELETE", "/v1/users/{user}", pending),
  route("registrations:newUser", "POST", "/v1/registrations", pending),
  route("registrations:acceptNewUser", "POST", "/v1/registrations/{uuid}:accept", pending),
  route("registrations:declineNewUser", "POST", "/v1/registrations/{uuid}:decline", pending),
  route("registrations:delete", "DELETE", "/v1/registrations/{uuid}", pending),
  route("registrations:show", "GET", "/v1/registrations/{uuid}", pending),
  route("registrations:list", "GET", "/v1/registrations", pending),
  route("projects:list", "GET", "/v1/projects", pending),
  route("projects:metrics", "GET", `${P}:metrics`, pending),
  route("projects:addUser", "POST", `${P}/members/{user}:add`, pending),
  route("projects:removeUser", "POST", `${P}/members/{user}:remove`, pending),
  route("projects:showUser", "GET", `${P}/members/{user}`, pending),
  route("projects:createUser", "POST", `${P}/members/{user}`, pending),
  route("projects:updateUser", "PUT", `${P}/members/{user}`, pending),
  route("projects:listUsers", "GET", `${P}/members`, pending),
  route("projects:show", "GET", P, pending),
  route("projects:create", "POST", P, pending),
  route("projects:update", "PUT", P, pending),
  route("projects:delete", "DELETE", P, pending),
  route("subscriptions:list", "GET", `${P}/subscriptions`, Subscriptions.list),
  route("subscriptions:listByTopic", "GET", `${T}/subscriptions`, Topics.listSubscriptions),
  route("subscriptions:offsets", "GET", `${S}:offsets`, Subscriptions.offsets),
  route("subscriptions:timeToOffset", "GET", `${S}:timeToOffset`, Subscriptions.timeToOffset),
  route("subscriptions:acl", "GET", `${S}:acl`, Subscriptions.acl),
  route("subscriptions:metrics", "GET", `${S}:metrics`, Metrics.subscription),
  route("subscriptions:show", "GET", S, Subscriptions.show),
  route("subscriptions:create", "PUT", S, Subscriptions.create),
  route("subscriptions:delete", "DELETE", S, Subscriptions.remove),
  route("subscriptions:pull", "POST", `${S}:pull`, Messaging.pull),
  route("subscriptions:acknowledge", "POST", `${S}:acknowledge`, Messaging.acknowledge),
  route("subscriptions:verifyPushEndpoint", "POST", `${S}:verifyPushEndpoint`, Subscriptions.verifyPushEndpoint),
  route("subscriptions:modifyAckDeadline", "POST", `${S}:modifyAckDeadline`, Subscriptions.modifyAckDeadline),
  route("subscriptions:modifyPushConfig", "POST", `${S}:modifyPushConfig`, Subscriptions.modifyPushConfig),
  route("subscriptions:modifyOffset", "POST", `${S}:modifyOffset`, Subscriptions.modifyOffset),
  route("subscriptions:modifyAcl", "POST", `${S}:modifyAcl`, Subscriptions.modifyAcl),
  route("topics:list", "GET", `${P}/topics`, Topics.list),
  route("topics:acl", "GET", `${T}:acl`, Topics.acl),
  route("topics:metrics", "GET", `${T}:metrics`, Metrics.topic),
  route("topics:show", "GET", T, Topics.show),
  route("topics:create", "PUT", T, Topics.create),
  route("topics:delete", "DELETE", T, Topics.remove),
  route("topics:publish", "POST", `${T}:publish`, Publish.publish),
  route("topics:modifyAcl", "POST", `${T}:modifyAcl`, Topics.modifyAcl),
  route("topics:attachSchema", "POST", `${T}:attachSchema`, Topics.attachSchema),
  route("topics:detachSchema", "POST", `${T}:detachSchema`, Topics.detachSchema),
  route("schemas:validateMessage", "POST", `${P}/schemas/{schema}:validate`, pending),
  route("schemas:create", "POST", `${P}/schemas/{schema}`, pending),
  route("schemas:show", "GET", `${P}/schemas/{schema}`, pending),
  route("schemas:list", "GET", `${P}/schemas`, pending),
  route("schemas:update", "PUT", `${P}/schemas/{schema}`, pending),
  route("schemas:delete", "DELETE", `${P}/schemas/{schema}`, pending),
  openRoute("version:list", "GET", "/v1/version", pending)
]
