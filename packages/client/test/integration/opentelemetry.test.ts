/**
 * `examples/opentelemetry.ts` on the emulator: the client's spans reach an OpenTelemetry exporter through
 * `@effect/opentelemetry`, as children of the caller's span, with the project and resource names and
 * without the token.
 */
import * as AmsEmulator from "@argo-ams/emulator/AmsEmulator"
import * as Seed from "@argo-ams/emulator/Seed"
import { assert, describe, expect, it } from "@effect/vitest"
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as OpenTelemetry from "../../examples/opentelemetry.js"
import * as AmsHttp from "../../src/AmsHttp.js"

const project = Seed.demoProject
const seed: Seed.Seed = {
  ...Seed.defaultSeed,
  topics: [{ project, name: "alerts" }],
  subscriptions: [{ project, name: "alerts-sub", topic: "alerts" }]
}

/** An exporter that keeps what it is given (the SDK's in-memory one forgets everything on shutdown). */
const collecting = () => {
  const spans: Array<ReadableSpan> = []
  const exporter: SpanExporter = {
    export: (batch, done) => {
      spans.push(...batch)
      done({ code: 0 })
    },
    shutdown: () => Promise.resolve()
  }
  return { exporter, spans }
}

describe("exporting spans with @effect/opentelemetry", () => {
  it.live("every AMS call of a round is an exported span under the round's, with names and no token", () =>
    Effect.gen(function*() {
      const { exporter, spans } = collecting()
      const Ams = AmsHttp.layer({
        endpoint: "https://ams.test",
        token: Redacted.make(Seed.projectAdminToken),
        project
      }).pipe(Layer.provide(Layer.orDie(AmsEmulator.layer(seed))))

      const handled = yield* OpenTelemetry.round("alerts", "alerts-sub").pipe(
        Effect.provide(Ams),
        // Closing the layer flushes the batch: every span is exported by then.
        Effect.provide(OpenTelemetry.Tracing(exporter))
      )
      expect(handled).toEqual(["disk full", "cpu hot"])

      const named = (name: string) => {
        const span = spans.find((s) => s.name === name)
        assert.isDefined(span, name)
        return span
      }
      const round = named("alerts-worker.round")
      const publish = named("ams.topic.publish")
      const pullAndAck = named("ams.subscription.pullAndAck")
      const pull = named("ams.subscription.pull")
      const ack = named("ams.subscription.acknowledge")

      expect(round.resource.attributes["service.name"]).toBe("alerts-worker")
      expect(round.attributes["alerts.handled"]).toBe(2)
      const traceId = round.spanContext().traceId
      for (const span of [publish, pullAndAck, pull, ack]) expect(span.spanContext().traceId).toBe(traceId)
      expect(publish.parentSpanContext?.spanId).toBe(round.spanContext().spanId)
      expect(pull.parentSpanContext?.spanId).toBe(pullAndAck.spanContext().spanId)
      expect(ack.parentSpanContext?.spanId).toBe(pullAndAck.spanContext().spanId)

      expect(publish.attributes["ams.project"]).toBe(project)
      expect(publish.attributes["ams.topic"]).toBe("alerts")
      expect(ack.attributes["ams.subscription"]).toBe("alerts-sub")
      const recorded = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events]))
      expect(recorded).not.toContain(Seed.projectAdminToken)
    }))
})
