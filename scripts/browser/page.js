/* global document, location, URLSearchParams */
// The page Chromium runs: publish, pull and acknowledge against the emulator through @argo-ams/client
// (bundled by esbuild from the built dist/, as an app would get it from npm). The outcome goes to #status.
import { AmsHttp, Message, Subscription, Topic } from "@argo-ams/client"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

const params = new URLSearchParams(location.search)
const run = params.get("run") ?? "browser"
const Ams = AmsHttp.layer({
  endpoint: params.get("endpoint") ?? "",
  token: Redacted.make("demo-admin-token"),
  project: "demo",
  // Off by default: AMS's CORS policy refuses the b3/traceparent headers (the ?propagation=on page shows it).
  tracerPropagation: params.get("propagation") === "on"
}).pipe(Layer.provide(FetchHttpClient.layer))

const texts = ["one", "two", "three"]
const program = Effect.gen(function*() {
  const topic = `${run}-topic`
  const subscription = `${run}-sub`
  yield* Topic.create(topic)
  yield* Subscription.create(subscription, { topic })
  const ids = yield* Topic.publish(topic, texts.map((data, i) => Message.make({ data, attributes: { i: `${i}` } })))
  const received = yield* Subscription.pull(subscription, { maxMessages: 10 })
  yield* Subscription.acknowledge(subscription, received.map((r) => r.ackId))
  const left = yield* Subscription.pull(subscription, { maxMessages: 10 })
  const got = received.map((r) => Message.text(r.message))
  if (got.join(",") !== texts.join(",") || left.length !== 0) {
    return yield* Effect.dieMessage(`pulled [${got.join(",")}] then ${left.length} more`)
  }
  return `published ${ids.length} (ids ${ids.join(",")}), pulled ${received.length}, acknowledged, ${left.length} left`
})

const status = document.getElementById("status")
Effect.runPromise(Effect.either(program.pipe(Effect.provide(Ams)))).then(
  (result) => {
    status.textContent = result._tag === "Right"
      ? `done: ${result.right}`
      : `failed: ${result.left._tag}: ${result.left.message}`
  },
  (defect) => {
    status.textContent = `failed: ${defect}`
  }
)
