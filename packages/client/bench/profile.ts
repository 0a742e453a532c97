// Profiles one case: `node --cpu-prof --import tsx bench/profile.ts <case> [operations]`.
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { fork } from "node:child_process"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import * as AmsHttp from "../src/AmsHttp.js"
import * as Subscription from "../src/Subscription.js"
import * as Topic from "../src/Topic.js"
import { bare } from "./baselines.js"
import { project, subscription, text, token, topic } from "./fixture.js"

const here = dirname(fileURLToPath(import.meta.url))
const which = process.argv[2] ?? "get"
const operations = Number(process.argv[3] ?? 2000)

const child = fork(resolve(here, "server.ts"), [], {
  execArgv: ["--import", import.meta.resolve("tsx")],
  stdio: "inherit"
})
child.once("message", async (message) => {
  const origin = `http://127.0.0.1:${(message as { port: number }).port}`
  const layer = AmsHttp.layer({ endpoint: origin, token: Redacted.make(token), project }).pipe(
    Layer.provideMerge(NodeHttpClient.layerUndici)
  )
  const runtime = ManagedRuntime.make(layer)
  const b = bare(origin)
  const thousand = Array.from({ length: 1000 }, () => ({ data: text(1024) }))
  const cases: Record<string, () => Effect.Effect<unknown, unknown, AmsHttp.AmsHttp | never>> = {
    get: () => Topic.get(topic),
    "bare-get": () => b.get() as never,
    publish1000: () => Topic.publish(topic, thousand),
    pull1000: () =>
      Effect.flatMap(
        Subscription.pull(subscription, { maxMessages: 1000 }),
        (r) => Subscription.acknowledge(subscription, [r.at(-1)!.ackId])
      )
  }
  const start = performance.now()
  await runtime.runPromise(Effect.gen(function*() {
    for (let i = 0; i < operations; i++) yield* cases[which]!()
  }))
  console.log(`${which}: ${((performance.now() - start) * 1000 / operations).toFixed(0)} µs/op`)
  await runtime.dispose()
  child.kill()
})
