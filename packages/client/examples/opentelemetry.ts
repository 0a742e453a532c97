/**
 * The client's spans exported with `@effect/opentelemetry`: every AMS operation runs in a span
 * (`ams.topic.publish`, `ams.subscription.pull`, ...) carrying the project and resource names
 * (`ams.project`, `ams.topic`, `ams.subscription`) and OpenTelemetry's messaging attributes
 * (`messaging.system: "ams"`, `messaging.destination.name`, `messaging.operation.type`,
 * `messaging.batch.message_count`), never the token. Here they go to an OTLP collector over HTTP (Jaeger,
 * Grafana Tempo, the OpenTelemetry Collector), or to the console when no collector is configured.
 *
 *   OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 \
 *   AMS_ENDPOINT=msg.argo.grnet.gr AMS_TOKEN=... AMS_PROJECT=ARGO pnpm exec tsx examples/opentelemetry.ts
 *
 * Packages (versions for effect 3.22 / @effect/platform 0.97): `@effect/opentelemetry@0.64.1`,
 * `@opentelemetry/api@1.9.0`, `@opentelemetry/sdk-trace-base@2.12.1`, `@opentelemetry/sdk-trace-node@2.12.1`,
 * `@opentelemetry/resources@2.12.1`, `@opentelemetry/semantic-conventions@1.45.0`, and for OTLP
 * `@opentelemetry/exporter-trace-otlp-http@0.223.1`.
 */
import { AmsHttp, Message, Subscription, Topic } from "@argo-ams/client"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanExporter } from "@opentelemetry/sdk-trace-base"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { pathToFileURL } from "node:url"

/**
 * The tracer: Effect's spans become OpenTelemetry spans of the service `alerts-worker`, batched to
 * `exporter`. The batch is flushed when the layer's scope closes, so the last spans are not lost when
 * the program ends.
 */
export const Tracing = (exporter: SpanExporter) =>
  NodeSdk.layer(() => ({
    resource: { serviceName: "alerts-worker", serviceVersion: "1.0.0" },
    spanProcessor: new BatchSpanProcessor(exporter)
  }))

/**
 * One round of work in a span of its own: the client's spans are its children, so a trace shows the
 * publish, the pull and the acknowledgement under `alerts-worker.round`.
 */
export const round = (topic: string, subscription: string) =>
  Effect.gen(function*() {
    yield* Topic.publish(topic, [Message.make({ data: "disk full", attributes: { host: "a1" } }), { data: "cpu hot" }])
    const messages = yield* Subscription.pullAndAck(subscription, { maxMessages: 10 })
    yield* Effect.annotateCurrentSpan("alerts.handled", messages.length)
    return messages.map(Message.text)
  }).pipe(Effect.withSpan("alerts-worker.round"))

// Run directly (not imported by the test): AMS from the environment, OTLP when a collector is configured.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const exporter = process.env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
    ? new ConsoleSpanExporter()
    : new OTLPTraceExporter() // reads OTEL_EXPORTER_OTLP_ENDPOINT (and _HEADERS) itself
  const Ams = AmsHttp.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
  const program = Effect.gen(function*() {
    yield* Topic.getOrCreate("alerts")
    yield* Subscription.getOrCreate("alerts-sub", { topic: "alerts" })
    const handled = yield* round("alerts", "alerts-sub")
    yield* Console.log(`handled ${handled.length} message(s): ${handled.join(", ")}`)
  })
  NodeRuntime.runMain(program.pipe(Effect.provide(Ams), Effect.provide(Tracing(exporter))))
}
