// Plain, JSON-ready projections of the client's models: what `ams` prints. Secrets are left out unless a
// command is asked to show them.
import type * as Message from "@argo-ams/client/Message"
import type * as MessageSchema from "@argo-ams/client/MessageSchema"
import * as Metric from "@argo-ams/client/Metric"
import type * as Project from "@argo-ams/client/Project"
import type * as Registration from "@argo-ams/client/Registration"
import type * as Subscription from "@argo-ams/client/Subscription"
import type * as Topic from "@argo-ams/client/Topic"
import type * as User from "@argo-ams/client/User"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

const iso = (date: Date | undefined): string | undefined => date?.toISOString()

// The client reads free text the server omits as "": printed, it is simply absent.
const present = (value: string): string | undefined => (value === "" ? undefined : value)

export const topic = (t: Topic.Topic) => ({
  name: t.name,
  project: t.project,
  schema: t.schema,
  createdOn: iso(t.createdOn)
})

export const topicColumns = ["name", "schema", "createdOn"]

export const subscription = (s: Subscription.Subscription) => ({
  name: s.name,
  project: s.project,
  topic: s.topicProject === s.project ? s.topic : `projects/${s.topicProject}/topics/${s.topic}`,
  ackDeadlineSeconds: s.ackDeadlineSeconds,
  push: s.pushConfig === undefined
    ? undefined
    : {
      type: s.pushConfig.type,
      endpoint: s.pushConfig.type === "mattermost" ? s.pushConfig.mattermostUrl : s.pushConfig.pushEndpoint,
      maxMessages: s.pushConfig.maxMessages,
      retryPolicy: s.pushConfig.retryPolicy.type,
      retryPeriodMs: s.pushConfig.retryPolicy.period,
      verified: s.pushConfig.verified,
      verificationHash: s.pushConfig.verificationHash === "" ? undefined : s.pushConfig.verificationHash
    },
  pushStatus: s.pushStatus,
  createdOn: iso(s.createdOn)
})

export const subscriptionColumns = ["name", "topic", "ackDeadlineSeconds", "push", "createdOn"]

export const metric = (m: Metric.Metric) => ({
  metric: m.metric,
  resource: `${m.resourceType} ${m.resourceName}`,
  latest: Option.getOrUndefined(Metric.latest(m)),
  valueType: m.valueType,
  description: m.description,
  timeseries: m.timeseries.map((point) => ({ timestamp: point.rawTimestamp, value: point.value }))
})

export const metricColumns = ["metric", "resource", "latest", "description"]

const secret = (value: Redacted.Redacted<string> | undefined, show: boolean): string | undefined =>
  value === undefined ? undefined : show ? Redacted.value(value) : "(hidden: --show-token)"

export const user = (u: User.User, options: { readonly showToken: boolean } = { showToken: false }) => ({
  name: u.name,
  uuid: u.uuid,
  email: present(u.email),
  firstName: present(u.firstName),
  lastName: present(u.lastName),
  organization: present(u.organization),
  description: present(u.description),
  serviceRoles: u.serviceRoles,
  projects: u.projects.map((p) => ({
    project: p.project,
    roles: p.roles,
    topics: p.topics,
    subscriptions: p.subscriptions
  })),
  token: secret(u.token, options.showToken),
  createdOn: iso(u.createdOn),
  modifiedOn: iso(u.modifiedOn),
  createdBy: u.createdBy
})

/** A user's roles, one `project:role+role` per membership, for tables. */
export const roles = (u: User.User): string =>
  [...u.serviceRoles.map((role) => `service:${role}`), ...u.projects.map((p) => `${p.project}:${p.roles.join("+")}`)]
    .join(",")

export const userRow = (u: User.User) => ({ name: u.name, email: u.email, roles: roles(u), uuid: u.uuid })

export const userColumns = ["name", "email", "roles", "uuid"]

export const project = (p: Project.Project) => ({
  name: p.name,
  description: p.description,
  createdOn: iso(p.createdOn),
  modifiedOn: iso(p.modifiedOn),
  createdBy: p.createdBy
})

export const projectColumns = ["name", "description", "createdOn"]

export const schema = (s: MessageSchema.MessageSchema) => ({
  name: s.name,
  project: s.project,
  type: s.type,
  uuid: s.uuid,
  schema: s.schema
})

export const schemaColumns = ["name", "type", "uuid"]

export const registration = (r: Registration.Registration, options: { readonly showToken: boolean }) => ({
  uuid: r.uuid,
  name: r.name,
  email: r.email,
  firstName: present(r.firstName),
  lastName: present(r.lastName),
  organization: present(r.organization),
  description: present(r.description),
  status: r.status,
  declineComment: r.declineComment,
  activationToken: secret(r.activationToken, options.showToken),
  registeredAt: iso(r.registeredAt),
  modifiedBy: r.modifiedBy,
  modifiedAt: iso(r.modifiedAt)
})

export const registrationColumns = ["uuid", "name", "email", "status", "registeredAt"]

const utf8 = new TextDecoder("utf-8", { fatal: true })

/**
 * A received message as a JSON line: `data` is the payload as text when it is UTF-8, else `dataBase64`
 * holds it, so that no payload is ever mangled. `ams publish --format envelope` reads the same shape.
 */
export const message = (m: Message.Message) => {
  let text: string | undefined
  try {
    text = utf8.decode(m.data)
  } catch {
    text = undefined
  }
  return {
    messageId: m.messageId,
    publishTime: present(m.rawPublishTime),
    attributes: m.attributes,
    ...(text === undefined ? { dataBase64: m.rawData } : { data: text })
  }
}

/** A received message for people: id, time, attributes, then the text (or its base64). */
export const messageLine = (m: Message.Message): string => {
  const view = message(m)
  const attributes = Object.entries(view.attributes).map(([k, v]) => `${k}=${v}`).join(",")
  return [
    view.messageId,
    view.publishTime ?? "-",
    attributes === "" ? "-" : attributes,
    "data" in view ? view.data : view.dataBase64
  ]
    .join("\t")
}
