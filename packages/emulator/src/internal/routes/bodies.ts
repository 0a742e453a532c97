// The request bodies several routes decode, with Go's struct semantics: users and push configurations.
import * as Json from "../json.js"
import type { PushConfigInput } from "../push.js"

/** One `projects` entry of a user body. */
const projectEntry = Json.struct({ project: Json.string, roles: Json.array(Json.string) })

const userFields = {
  name: Json.string,
  first_name: Json.string,
  last_name: Json.string,
  organization: Json.string,
  description: Json.string,
  email: Json.string,
  projects: Json.array(projectEntry),
  service_roles: Json.array(Json.string)
}

/** The user body of users:create / users:update / projects:createUser / projects:updateUser. */
export const user = Json.struct(userFields)

/** A decoded user body. */
export type User = Json.StructOf<typeof userFields>

/** The `pushConfig` object of subscriptions:create and subscriptions:modifyPushConfig. */
export const pushConfig: Json.Decode<PushConfigInput> = Json.struct({
  type: Json.string,
  pushEndpoint: Json.string,
  maxMessages: Json.int,
  authorizationHeader: Json.struct({ type: Json.string, value: Json.string }),
  retryPolicy: Json.struct({ type: Json.string, period: Json.int }),
  verificationHash: Json.string,
  verified: Json.bool,
  mattermostUrl: Json.string,
  mattermostUsername: Json.string,
  mattermostChannel: Json.string,
  base64Decode: Json.bool
})
