// Profiles one case on one transport:
//   node --cpu-prof bench/run.mjs bench/profile.ts <case> [operations] [transport]
// cases: get, publish1, pull1, publish1000, pull1000 (+ ack), bare-get, raw-get, raw-publish1, raw-pull1 (raw
// `undici.request` in an Effect), loop-get (raw, in a plain loop);
// transports: AmsUndici (default), layerUndici (`AmsHttp.layer` on `NodeHttpClient.layerUndici`), layerFetch.
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { Agent } from "undici"
import * as AmsHttp from "../src/AmsHttp.js"
import * as AmsUndici from "../src/AmsUndici.js"
import * as Subscription from "../src/Subscription.js"
import * as Topic from "../src/Topic.js"
import { bare, rawUndici } from "./baselines.js"
import { startServer } from "./child.js"
import { project, subscription, text, token, topic } from "./fixture.js"

const which = process.argv[2] ?? "get"
const operations = Number(process.argv[3] ?? 2000)
const transport = process.argv[4] ?? "AmsUndici"

startServer().then(async ({ origin, stop }) => {
  const options = { endpoint: origin, token: Redacted.make(token), project }
  const layers: Record<string, Layer.Layer<AmsHttp.AmsHttp, unknown>> = {
    AmsUndici: AmsUndici.layer(options),
    layerUndici: AmsHttp.layer(options).pipe(Layer.provideMerge(NodeHttpClient.layerUndici)),
    layerFetch: AmsHttp.layerFetch(options)
  }
  const runtime = ManagedRuntime.make(
    Layer.merge(Layer.orDie(layers[transport]!), NodeHttpClient.layerUndici)
  )
  const agent = new Agent()
  const raw = rawUndici(origin, agent)
  const b = bare(origin)
  const one = [{ data: text(64), attributes: { source: "bench" } }]
  const thousand = Array.from({ length: 1000 }, () => ({ data: text(1024) }))
  const promised = (make: () => Promise<unknown>) => () => Effect.promise(make)
  const cases: Record<string, () => Effect.Effect<unknown, unknown, AmsHttp.AmsHttp | never>> = {
    get: () => Topic.get(topic),
    publish1: () => Topic.publish(topic, one),
    pull1: () => Subscription.pull(subscription),
    "bare-get": () => b.get() as never,
    "raw-get": promised(() => raw.get()),
    "raw-publish1": promised(() => raw.publish(one)),
    "raw-pull1": promised(() => raw.pull(1)),
    publish1000: () => Topic.publish(topic, thousand),
    pull1000: () =>
      Effect.flatMap(
        Subscription.pull(subscription, { maxMessages: 1000 }),
        (r) => Subscription.acknowledge(subscription, [r.at(-1)!.ackId])
      )
  }
  const loops: Record<string, () => Promise<unknown>> = { "loop-get": () => raw.get() }
  const cpu = process.cpuUsage()
  const start = performance.now()
  const loop = loops[which]
  if (loop !== undefined) {
    for (let i = 0; i < operations; i++) await loop()
  } else {
    await runtime.runPromise(Effect.gen(function*() {
      for (let i = 0; i < operations; i++) yield* cases[which]!()
    }))
  }
  const used = process.cpuUsage(cpu)
  console.log(
    `${which} on ${transport}: ${((performance.now() - start) * 1000 / operations).toFixed(0)} µs/op, ` +
      `CPU ${((used.user + used.system) / operations).toFixed(0)} µs/op`
  )
  await runtime.dispose()
  await agent.close()
  stop()
})
