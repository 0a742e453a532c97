/**
 * The publish request (`POST /v1/projects/{P}/topics/{T}:publish`) on messages already checked and
 * encoded, shared by `Topic.publish` (which encodes them inside its span) and `Publisher` (which
 * encodes each message once, when it is offered, and must not pay for it again per request).
 */
import * as Effect from "effect/Effect"
import type { AmsError } from "../AmsError.js"
import type * as AmsHttp from "../AmsHttp.js"
import type * as Message from "../Message.js"
import * as Answers from "./answers.js"
import * as Operation from "./operation.js"
import * as Outgoing from "./outgoing.js"

/**
 * Publishes the messages `encoded` gives, in the span `ams.topic.publish`. `encoded` runs after the
 * name checks, so a message that cannot be sent fails before any request.
 */
export const publish = (
  name: string,
  encoded: () => Effect.Effect<ReadonlyArray<Message.Encoded>, AmsError>,
  options: AmsHttp.RequestOptions | undefined
): Effect.Effect<ReadonlyArray<string>, AmsError, AmsHttp.AmsHttp> =>
  Operation.run({
    operation: "topic.publish",
    method: "POST",
    projectScoped: true,
    names: [["topic", name]],
    path: (project) => `/projects/${project}/topics/${name}:publish`,
    body: () => Effect.map(encoded(), (messages) => ({ messages })),
    json: (body) => Outgoing.publishJson((body as { readonly messages: ReadonlyArray<Message.Encoded> }).messages),
    response: Answers.MessageIds,
    balancerTimeouts: true,
    options,
    messaging: "send",
    messageCount: (answer) => answer.messageIds.length
  }).pipe(Effect.map((answer) => answer.messageIds))
