// A fixed-answer AMS on 127.0.0.1, run as a child process so that its CPU is not billed to the client
// being measured. It answers only the routes the benchmark calls, with answers computed once.
import { createServer } from "node:http"
import { project, subscription, topic } from "./fixture.js"

const topicPath = `/v1/projects/${project}/topics/${topic}`
const subscriptionPath = `/v1/projects/${project}/subscriptions/${subscription}`

/** The payload of every pulled message: 1 KiB of bytes, as base64. */
const payload = Buffer.alloc(1024, "0123456789abcdef").toString("base64")

const cached = new Map<string, string>()
const memo = (key: string, make: () => string): string => {
  let value = cached.get(key)
  if (value === undefined) {
    value = make()
    cached.set(key, value)
  }
  return value
}

const messageIds = (count: number) =>
  memo(`ids ${count}`, () => JSON.stringify({ messageIds: Array.from({ length: count }, (_, i) => String(i)) }))

// Each pull delivers the next offsets, as a real subscription does (a consumer that remembers ack ids
// must not see the same ones twice); the message text around the ids is built once.
const pulledPart = (i: number) =>
  memo(`part ${i}`, () =>
    `,"message":{"attributes":{"index":"${i}"},"data":"${payload}","messageId":"${i}",` +
    `"publishTime":"2026-12-01T08:00:00.123456789Z"}}`)

let next = 0
const pulled = (count: number) => {
  const parts: Array<string> = []
  for (let i = 0; i < count; i++) {
    parts.push(`{"ackId":"projects/${project}/subscriptions/${subscription}:${next + i}"${pulledPart(i)}`)
  }
  next += count
  return `{"receivedMessages":[${parts.join(",")}]}`
}

/** How many messages a publish body holds: base64 never contains a quote, so each `"data":` is one. */
const countMessages = (body: string): number => {
  let count = 0
  for (let at = body.indexOf(`"data":`); at !== -1; at = body.indexOf(`"data":`, at + 7)) count++
  return count
}

const answer = (method: string, url: string, body: string): readonly [number, string] => {
  if (method === "GET" && url === topicPath) {
    return [200, JSON.stringify({ name: `/projects/${project}/topics/${topic}` })]
  }
  if (method === "GET" && url === subscriptionPath) {
    return [
      200,
      JSON.stringify({
        name: `/projects/${project}/subscriptions/${subscription}`,
        topic: `/projects/${project}/topics/${topic}`,
        ackDeadlineSeconds: 60
      })
    ]
  }
  if (method === "POST" && url === `${topicPath}:publish`) return [200, messageIds(countMessages(body))]
  if (method === "POST" && url === `${subscriptionPath}:pull`) {
    const max = /"maxMessages":"(\d+)"/.exec(body)
    return [200, pulled(max === null ? 1 : Number(max[1]))]
  }
  if (method === "POST" && url === `${subscriptionPath}:acknowledge`) return [200, "{}"]
  return [404, JSON.stringify({ error: { code: 404, message: "not in the benchmark", status: "NOT_FOUND" } })]
}

const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  const chunks: Array<Buffer> = []
  request.on("data", (chunk: Buffer) => chunks.push(chunk))
  request.on("end", () => {
    const [status, text] = answer(request.method ?? "", request.url ?? "", Buffer.concat(chunks).toString("utf8"))
    response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
    response.end(text)
  })
})

server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  process.send?.({ port: typeof address === "object" && address !== null ? address.port : 0 })
})
// The parent going away ends the server.
process.on("disconnect", () => process.exit(0))
