// The route table: all 64 routes of the server's routing.go, in its registration order (order matters, §1.2).
import type { Route } from "../router.js"
import { openRoute, route } from "../router.js"
import * as Messaging from "./messaging.js"
import * as Metrics from "./metrics.js"
import * as Projects from "./projects.js"
import * as Publish from "./publish.js"
import * as Registrations from "./registrations.js"
import * as Schemas from "./schemas.js"
import * as Service from "./service.js"
import * as Subscriptions from "./subscriptions.js"
import * as Topics from "./topics.js"
import * as Users from "./users.js"

const P = "/v1/projects/{project}"
const S = `${P}/subscriptions/{subscription}`
const T = `${P}/topics/{topic}`

/**
 * The route list. To add a route, put `route(name, method, path, handler)` (or `openRoute` for the
 * unauthenticated ones) at the server's position.
 */
export const routes: ReadonlyArray<Route> = [
  route("ams:metrics", "GET", "/v1/metrics", Metrics.operational),
  openRoute("ams:healthStatus", "GET", "/v1/status", Service.health),
  route("ams:vaMetrics", "GET", "/v1/metrics/va_metrics", Metrics.va),
  route("users:byToken", "GET", "/v1/users:byToken/{token}", Users.byToken),
  route("users:byUUID", "GET", "/v1/users:byUUID/{uuid}", Users.byUuid),
  route("users:list", "GET", "/v1/users", Users.list),
  openRoute("users:profile", "GET", "/v1/users/profile", Users.profile),
  openRoute("users:usageReport", "GET", "/v1/users/usageReport", Metrics.usageReport),
  route("users:show", "GET", "/v1/users/{user}", Users.show),
  route("users:refreshToken", "POST", "/v1/users/{user}:refreshToken", Users.refreshToken),
  route("users:create", "POST", "/v1/users/{user}", Users.create),
  route("users:update", "PUT", "/v1/users/{user}", Users.update),
  route("users:delete", "DELETE", "/v1/users/{user}", Users.remove),
  route("registrations:newUser", "POST", "/v1/registrations", Registrations.create),
  route("registrations:acceptNewUser", "POST", "/v1/registrations/{uuid}:accept", Registrations.accept),
  route("registrations:declineNewUser", "POST", "/v1/registrations/{uuid}:decline", Registrations.decline),
  route("registrations:delete", "DELETE", "/v1/registrations/{uuid}", Registrations.remove),
  route("registrations:show", "GET", "/v1/registrations/{uuid}", Registrations.show),
  route("registrations:list", "GET", "/v1/registrations", Registrations.list),
  route("projects:list", "GET", "/v1/projects", Projects.list),
  route("projects:metrics", "GET", `${P}:metrics`, Metrics.project),
  route("projects:addUser", "POST", `${P}/members/{user}:add`, Projects.addUser),
  route("projects:removeUser", "POST", `${P}/members/{user}:remove`, Projects.removeUser),
  route("projects:showUser", "GET", `${P}/members/{user}`, Projects.showUser),
  route("projects:createUser", "POST", `${P}/members/{user}`, Projects.createUser),
  route("projects:updateUser", "PUT", `${P}/members/{user}`, Projects.updateUser),
  route("projects:listUsers", "GET", `${P}/members`, Projects.listUsers),
  route("projects:show", "GET", P, Projects.show),
  route("projects:create", "POST", P, Projects.create),
  route("projects:update", "PUT", P, Projects.update),
  route("projects:delete", "DELETE", P, Projects.remove),
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
  route("schemas:validateMessage", "POST", `${P}/schemas/{schema}:validate`, Schemas.validateMessage),
  route("schemas:create", "POST", `${P}/schemas/{schema}`, Schemas.create),
  route("schemas:show", "GET", `${P}/schemas/{schema}`, Schemas.show),
  route("schemas:list", "GET", `${P}/schemas`, Schemas.list),
  route("schemas:update", "PUT", `${P}/schemas/{schema}`, Schemas.update),
  route("schemas:delete", "DELETE", `${P}/schemas/{schema}`, Schemas.remove),
  openRoute("version:list", "GET", "/v1/version", Service.version)
]
