// What each step of a request costs, on the fixed-answer server: raw `undici.request` in a loop, the same
// inside an Effect, `AmsUndici`'s `execute` alone, in a span, and the whole `Topic.get`. Interleaved
// rounds, medians of this process's CPU per request (steadier than wall time on a shared machine).
//
//   node bench/run.mjs bench/steps.ts [rounds] [operations per round]
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Tracer from "effect/Tracer"
import { Agent } from "undici"
import * as AmsHttp from "../src/AmsHttp.js"
import * as AmsUndici from "../src/AmsUndici.js"
import * as Topic from "../src/Topic.js"
import { rawUndici } from "./baselines.js"
import { startServer } from "./child.js"
import { project, token, topic } from "./fixture.js"
import { format, measure, table } from "./harness.js"

const rounds = Number(process.argv[2] ?? 7)
const operations = Number(process.argv[3] ?? 1000)

startServer().then(async ({ origin, stop }) => {
  const agent = new Agent()
  const runtime = ManagedRuntime.make(
    AmsUndici.layer({ endpoint: origin, token: Redacted.make(token), project }).pipe(Layer.orDie)
  )
  const raw = rawUndici(origin, agent)
  const execute = (span?: Tracer.Span) =>
    Effect.flatMap(AmsHttp.AmsHttp, (http) =>
      http.execute({
        operation: "topic.get",
        method: "GET",
        path: `/projects/${project}/topics/${topic}`,
        response: Schema.Unknown,
        span
      }))
  const inEffect = (name: string, make: () => Effect.Effect<unknown, unknown, AmsHttp.AmsHttp>) => ({
    name,
    run: (n: number) =>
      runtime.runPromise(Effect.gen(function*() {
        for (let i = 0; i < n; i++) yield* make()
      }))
  })
  const steps = [
    {
      name: "raw `undici.request`, a loop",
      run: async (n: number) => {
        for (let i = 0; i < n; i++) await raw.get()
      }
    },
    inEffect("the same in `Effect.promise`", () => Effect.promise(() => raw.get())),
    inEffect("`AmsUndici` `execute`", () => execute()),
    // What an operation does: a span of its own, handed to the transport (`AmsRequest.span`).
    inEffect("`execute` in a span", () => Effect.useSpan("x", { captureStackTrace: false }, execute)),
    inEffect("`Topic.get`", () => Topic.get(topic))
  ]
  const measured = await measure(
    steps.map((step) => ({ kind: "client", transport: "AmsUndici", run: step.run })),
    { operations, rounds, warmup: operations }
  )
  console.log(table(
    ["step", "CPU µs per request", "user CPU µs", "wall µs"],
    steps.map((step, i) => [
      step.name,
      format(measured[i]!.cpuUs, 1),
      format(measured[i]!.userUs, 1),
      format(measured[i]!.wallUs, 1)
    ]),
    [false, true, true, true]
  ))
  await runtime.dispose()
  await agent.close()
  stop()
})
