// The deployment's route → role table (§2.3), the emulator's default authorization policy.

/** Route name → roles allowed to call it. A route missing from the table is open only to the service token. */
export type RoleTable = Readonly<Record<string, ReadonlyArray<string>>>

const sa = "service_admin"
const pa = "project_admin"
const pub = "publisher"
const con = "consumer"
const pw = "push_worker"

const entries = (names: ReadonlyArray<string>, roles: ReadonlyArray<string>): Array<[string, ReadonlyArray<string>]> =>
  names.map((name) => [name, roles])

/** The role table of the reference deployment (`argo-ansible` `db_init_roles.js.j2`). */
export const defaultRoleTable: RoleTable = Object.fromEntries([
  ...entries(["ams:metrics", "ams:vaMetrics"], [sa, "metrics_viewer", pa]),
  ...entries(["ams:healthStatus"], [sa, "admin_viewer"]),
  ...entries(["users:byUUID"], [sa, "argo_api_authn"]),
  ...entries(["users:byToken"], [sa, pw]),
  ...entries(["users:list"], [sa, pa]),
  ...entries(["users:show", "users:create", "users:update", "users:refreshToken", "users:delete"], [sa]),
  ...entries(["registrations:newUser"], [sa, "register_admin"]),
  ...entries([
    "registrations:acceptNewUser",
    "registrations:declineNewUser",
    "registrations:show",
    "registrations:list"
  ], [sa]),
  ...entries(["projects:list", "projects:create"], [sa]),
  ...entries([
    "projects:show",
    "projects:update",
    "projects:delete",
    "projects:metrics",
    "projects:createUser",
    "projects:addUser",
    "projects:removeUser",
    "projects:showUser",
    "projects:updateUser",
    "projects:listUsers"
  ], [sa, pa]),
  ...entries(["topics:list", "topics:show", "topics:publish", "topics:metrics"], [sa, pa, pub]),
  ...entries([
    "topics:create",
    "topics:delete",
    "topics:acl",
    "topics:modifyAcl",
    "topics:attachSchema",
    "topics:detachSchema"
  ], [sa, pa]),
  ...entries([
    "subscriptions:create",
    "subscriptions:delete",
    "subscriptions:listByTopic",
    "subscriptions:acl",
    "subscriptions:modifyAcl",
    "subscriptions:verifyPushEndpoint",
    "subscriptions:modifyPushConfig"
  ], [sa, pa]),
  ...entries([
    "subscriptions:list",
    "subscriptions:offsets",
    "subscriptions:modifyOffset",
    "subscriptions:timeToOffset",
    "subscriptions:metrics",
    "subscriptions:modifyAckDeadline"
  ], [sa, pa, con]),
  ...entries(["subscriptions:show", "subscriptions:pull", "subscriptions:acknowledge"], [sa, pa, con, pw]),
  ...entries([
    "schemas:create",
    "schemas:show",
    "schemas:update",
    "schemas:delete",
    "schemas:list",
    "schemas:validateMessage"
  ], [sa, pa])
])

/** True when one of `roles` may call `route` (or holds the `_admin_` pseudo-role). */
export const isAllowed = (table: RoleTable, route: string, roles: ReadonlyArray<string>): boolean => {
  if (roles.includes("_admin_")) return true
  const allowed = table[route] ?? []
  return roles.some((role) => allowed.includes(role))
}
