// The client's own cost per operation, without a network: `Topic.get`, `Topic.publish` of 1 message and
// `Subscription.pull` of 1 on an `AmsHttp` whose transport answers at once (a resolved promise), against
// the floor of any Effect program that waits on a promise. Prints CPU µs per operation, per round.
//
//   node bench/run.mjs bench/overhead.ts [operations] [case]     (node --cpu-prof bench/run.mjs ... to profile)
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AmsHttp from "../src/AmsHttp.js"
import * as Response from "../src/internal/response.js"
import * as Transport from "../src/internal/transport.js"
import * as Subscription from "../src/Subscription.js"
import * as Topic from "../src/Topic.js"
import { project, subscription, text, token, topic } from "./fixture.js"

const answers: Record<string, string> = {
  [`/projects/${project}/topics/${topic}`]: JSON.stringify({ name: `/projects/${project}/topics/${topic}` }),
  [`/projects/${project}/topics/${topic}:publish`]: JSON.stringify({ messageIds: ["1"] }),
  [`/projects/${project}/subscriptions/${subscription}:pull`]: JSON.stringify({
    receivedMessages: [{
      ackId: "a",
      message: { messageId: "1", data: "aGk=", attributes: { i: "0" }, publishTime: "2026-12-01T08:00:00.123456789Z" }
    }]
  })
}

const checked = Transport.check({ endpoint: "http://127.0.0.1:1", token: Redacted.make(token), project }, "bench")
if (checked._tag === "Left") throw checked.left
const service = Transport.service(
  checked.right,
  Response.scrubber(token),
  (exchange) =>
    Transport.direct(checked.right, exchange, {}, (_, done) => {
      Promise.resolve().then(() => done({ status: 200, text: answers[exchange.path]! }))
      return undefined
    })
)
const runtime = ManagedRuntime.make(Layer.succeed(AmsHttp.AmsHttp, service))
const one = [{ data: text(64), attributes: { source: "bench" } }]
const all: Record<string, () => Effect.Effect<unknown, unknown, AmsHttp.AmsHttp>> = {
  floor: () =>
    Effect.async<number>((resume) => {
      Promise.resolve().then(() => resume(Effect.succeed(1)))
    }),
  executeUnknown: () =>
    service.execute({
      operation: "topic.get",
      method: "GET",
      path: `/projects/${project}/topics/${topic}`,
      response: Schema.Unknown
    }),
  executeTopic: () =>
    service.execute({
      operation: "topic.get",
      method: "GET",
      path: `/projects/${project}/topics/${topic}`,
      response: Topic.TopicFromWire
    }),
  spanned: () =>
    Effect.withSpan(
      service.execute({
        operation: "topic.get",
        method: "GET",
        path: `/projects/${project}/topics/${topic}`,
        response: Schema.Unknown
      }),
      "x",
      { captureStackTrace: false }
    ),
  get: () => Topic.get(topic),
  publish1: () => Topic.publish(topic, one),
  pull1: () => Subscription.pull(subscription)
}
const operations = Number(process.argv[2] ?? 20_000)
const cases = process.argv[3] === undefined ? all : { [process.argv[3]]: all[process.argv[3]]! }
for (let round = 0; round < 3; round++) {
  const line: Array<string> = []
  for (const [name, make] of Object.entries(cases)) {
    const cpu = process.cpuUsage()
    await runtime.runPromise(Effect.gen(function*() {
      for (let i = 0; i < operations; i++) yield* make()
    }))
    const used = process.cpuUsage(cpu)
    line.push(`${name} ${((used.user + used.system) / operations).toFixed(1)} µs`)
  }
  console.log(line.join("   "))
}
await runtime.dispose()
