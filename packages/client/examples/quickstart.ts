/**
 * The README's quick start as a runnable program (configured from the environment): publish with
 * retries, pull, acknowledge.
 *
 *   AMS_ENDPOINT=msg.argo.grnet.gr AMS_TOKEN=... AMS_PROJECT=ARGO pnpm exec tsx examples/quickstart.ts
 */
import { AmsHttp, Message, Retry, Subscription, Topic } from "@argo-ams/client"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

// AMS_ENDPOINT, AMS_TOKEN (kept Redacted) and AMS_PROJECT from the environment.
const Ams = AmsHttp.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))

const program = Effect.gen(function*() {
  yield* Topic.getOrCreate("alerts")
  yield* Subscription.getOrCreate("alerts-sub", { topic: "alerts", ackDeadlineSeconds: 30 })

  const ids = yield* Topic.publish("alerts", [Message.make({ data: "disk full", attributes: { host: "a1" } })], {
    retry: Retry.backoff({ retries: 3, factor: "2 seconds" })
  })
  yield* Console.log(`published ${ids.join(", ")}`)

  const received = yield* Subscription.pull("alerts-sub", { maxMessages: 10 })
  for (const { message } of received) {
    yield* Console.log(message.messageId, Message.text(message), message.attributes)
  }
  if (received.length > 0) yield* Subscription.acknowledge("alerts-sub", received.map((r) => r.ackId))
})

NodeRuntime.runMain(program.pipe(Effect.provide(Ams)))
