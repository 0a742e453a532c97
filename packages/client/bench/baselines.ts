// The baselines: the identical requests sent by hand (raw `undici.request`, raw `fetch`, JSON parsed by hand),
// and a "bare" Effect program (a plain `HttpClient` and Schema, no AMS code).
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { Dispatcher } from "undici"
import { project, subscription, token, topic } from "./fixture.js"

/** A message to publish, as the benchmark hands it to every contender. */
export interface Outgoing {
  readonly data: string
  readonly attributes?: Readonly<Record<string, string>>
}

/** A pulled message as the raw baselines return it: the JSON, with the payload decoded to bytes. */
export interface RawReceived {
  readonly ackId: string
  readonly message: { readonly messageId: string; readonly data: Uint8Array; readonly publishTime: string }
}

export const paths = {
  topic: `/v1/projects/${project}/topics/${topic}`,
  publish: `/v1/projects/${project}/topics/${topic}:publish`,
  pull: `/v1/projects/${project}/subscriptions/${subscription}:pull`,
  acknowledge: `/v1/projects/${project}/subscriptions/${subscription}:acknowledge`
}

const getHeaders = { accept: "application/json", "x-api-key": token }
const postHeaders = { ...getHeaders, "content-type": "application/json" }

/** The operations, written by hand on one transport. */
export interface Raw {
  readonly get: () => Promise<string>
  readonly publish: (messages: ReadonlyArray<Outgoing>) => Promise<ReadonlyArray<string>>
  readonly pull: (maxMessages: number) => Promise<ReadonlyArray<RawReceived>>
  readonly acknowledge: (ackId: string) => Promise<void>
}

/** The publish body, `{"messages": [{"attributes"?, "data": base64}]}`, encoded with `Buffer`. */
const publishBody = (messages: ReadonlyArray<Outgoing>) => ({
  messages: messages.map((m) => ({
    ...(m.attributes === undefined ? {} : { attributes: m.attributes }),
    data: Buffer.from(m.data).toString("base64")
  }))
})

const pullBody = (maxMessages: number) =>
  JSON.stringify({ maxMessages: String(maxMessages), returnImmediately: "true" })

interface WireReceived {
  readonly ackId: string
  readonly message: { readonly messageId: string; readonly data: string; readonly publishTime: string }
}

const received = (json: { readonly receivedMessages?: ReadonlyArray<WireReceived> }): Array<RawReceived> =>
  (json.receivedMessages ?? []).map(({ ackId, message }) => ({
    ackId,
    message: {
      messageId: message.messageId,
      data: Buffer.from(message.data, "base64"),
      publishTime: message.publishTime
    }
  }))

const fromSend = (send: (method: "GET" | "POST", path: string, body?: string) => Promise<unknown>): Raw => ({
  get: async () => ((await send("GET", paths.topic)) as { name: string }).name,
  publish: async (messages) =>
    ((await send("POST", paths.publish, JSON.stringify(publishBody(messages)))) as { messageIds: Array<string> })
      .messageIds,
  pull: async (maxMessages) => received((await send("POST", paths.pull, pullBody(maxMessages))) as never),
  acknowledge: async (ackId) => {
    await send("POST", paths.acknowledge, JSON.stringify({ ackIds: [ackId] }))
  }
})

/** `undici.request` on a keep-alive `Agent` (the one `NodeHttpClient.layerUndici` makes, by default). */
export const rawUndici = (origin: string, agent: Dispatcher): Raw =>
  fromSend(async (method, path, body) => {
    const response = await agent.request({
      origin,
      path,
      method,
      headers: body === undefined ? getHeaders : postHeaders,
      body: body ?? null
    })
    const text = await response.body.text()
    if (response.statusCode !== 200) throw new Error(`${method} ${path}: ${response.statusCode} ${text}`)
    return JSON.parse(text)
  })

/** The platform's `fetch` (Node's bundled undici, its global keep-alive dispatcher). */
export const rawFetch = (origin: string): Raw =>
  fromSend(async (method, path, body) => {
    const response = await fetch(origin + path, {
      method,
      headers: body === undefined ? getHeaders : postHeaders,
      ...(body === undefined ? {} : { body })
    })
    const text = await response.text()
    if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${text}`)
    return JSON.parse(text)
  })

const TopicWire = Schema.Struct({ name: Schema.String })
const MessageIds = Schema.Struct({ messageIds: Schema.Array(Schema.String) })
const Pulled = Schema.Struct({
  receivedMessages: Schema.optionalWith(
    Schema.Array(Schema.Struct({
      ackId: Schema.String,
      message: Schema.Struct({
        messageId: Schema.String,
        data: Schema.String,
        publishTime: Schema.String,
        attributes: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String }))
      })
    })),
    { default: () => [] }
  )
})

/** The same operations as a plain Effect program on the `HttpClient` in the context. */
export const bare = (origin: string) => {
  const post = (path: string, body: unknown) =>
    HttpClientRequest.post(origin + path).pipe(
      HttpClientRequest.acceptJson,
      HttpClientRequest.setHeader("x-api-key", token),
      HttpClientRequest.bodyUnsafeJson(body)
    )
  const exchange = <A, I>(request: HttpClientRequest.HttpClientRequest, schema: Schema.Schema<A, I>) =>
    Effect.flatMap(HttpClient.HttpClient, (client) =>
      client.execute(request).pipe(
        Effect.flatMap(HttpClientResponse.filterStatusOk),
        Effect.flatMap(HttpClientResponse.schemaBodyJson(schema)),
        Effect.scoped
      ))
  return {
    get: () =>
      exchange(
        HttpClientRequest.get(origin + paths.topic).pipe(
          HttpClientRequest.acceptJson,
          HttpClientRequest.setHeader("x-api-key", token)
        ),
        TopicWire
      ).pipe(Effect.map((topic) => topic.name)),
    publish: (messages: ReadonlyArray<Outgoing>) =>
      exchange(
        post(paths.publish, publishBody(messages)),
        MessageIds
      ).pipe(Effect.map((answer) => answer.messageIds)),
    pull: (maxMessages: number) =>
      exchange(post(paths.pull, { maxMessages: String(maxMessages), returnImmediately: "true" }), Pulled).pipe(
        Effect.map((answer) =>
          answer.receivedMessages.map(({ ackId, message }) => ({
            ackId,
            message: { ...message, data: Buffer.from(message.data, "base64") }
          }))
        )
      ),
    acknowledge: (ackId: string) => exchange(post(paths.acknowledge, { ackIds: [ackId] }), Schema.Unknown)
  }
}
