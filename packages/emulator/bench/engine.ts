// Engine throughput through `Emulator.make(...).handle`: one long topic log, then many topics in one project.
// Usage: pnpm bench [messages = 20000] [topics = 1000] [messages per request = 100]
import * as Effect from "effect/Effect"
import * as Emulator from "../src/Emulator.js"
import * as Seed from "../src/Seed.js"

const admin = { "x-api-key": Seed.adminToken }

const call = (ams: Emulator.Emulator, method: string, url: string, body = "") =>
  Effect.flatMap(ams.handle({ method, url, headers: admin, body }), (response) =>
    response.status === 200
      ? Effect.succeed(response.body)
      : Effect.dieMessage(`${method} ${url}: ${response.status} ${response.body}`))

const timed = <A, E, R>(label: string, effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = performance.now()
    const result = yield* effect
    console.log(`${label.padEnd(58)} ${(performance.now() - start).toFixed(0).padStart(7)} ms`)
    return result
  })

const messages = Number(process.argv[2] ?? 20_000)
const batch = Number(process.argv[4] ?? 100)
const topicCount = Number(process.argv[3] ?? 1_000)
const P = `/v1/projects/${Seed.demoProject}`

const publishPullAck = Effect.gen(function*() {
  const ams = yield* Emulator.make()
  yield* call(ams, "PUT", `${P}/topics/t`)
  yield* call(ams, "PUT", `${P}/subscriptions/s`, JSON.stringify({ topic: `projects/${Seed.demoProject}/topics/t` }))
  const body = JSON.stringify({
    messages: Array.from({ length: batch }, (_, i) => ({ data: btoa(`message ${i}`), attributes: { i: String(i) } }))
  })
  yield* timed(
    `publish ${messages} messages, ${batch} per request`,
    Effect.repeatN(call(ams, "POST", `${P}/topics/t:publish`, body), messages / batch - 1)
  )
  const pullBody = JSON.stringify({ maxMessages: String(batch), returnImmediately: "true" })
  yield* timed(
    `pull + ack ${messages} messages, ${batch} per pull`,
    Effect.gen(function*() {
      for (let i = 0; i < messages / batch; i++) {
        const pulled = JSON.parse(yield* call(ams, "POST", `${P}/subscriptions/s:pull`, pullBody)) as {
          receivedMessages: Array<{ ackId: string }>
        }
        const last = pulled.receivedMessages.at(-1)!.ackId
        yield* call(ams, "POST", `${P}/subscriptions/s:acknowledge`, JSON.stringify({ ackIds: [last] }))
      }
    })
  )
})

const manyTopics = Effect.gen(function*() {
  const ams = yield* Emulator.make()
  yield* timed(
    `create ${topicCount} topics`,
    Effect.forEach(Array.from({ length: topicCount }, (_, i) => i), (i) => call(ams, "PUT", `${P}/topics/t${i}`), {
      discard: true
    })
  )
  yield* timed(
    `create ${topicCount} subscriptions`,
    Effect.forEach(Array.from({ length: topicCount }, (_, i) => i), (i) =>
      call(
        ams,
        "PUT",
        `${P}/subscriptions/s${i}`,
        JSON.stringify({ topic: `projects/${Seed.demoProject}/topics/t${i}` })
      ), { discard: true })
  )
  const one = JSON.stringify({ messages: [{ data: "aGk=" }] })
  yield* timed(
    `publish 1 message to each of ${topicCount} topics, x5`,
    Effect.forEach(
      Array.from({ length: topicCount * 5 }, (_, i) => i % topicCount),
      (i) => call(ams, "POST", `${P}/topics/t${i}:publish`, one),
      { discard: true }
    )
  )
  yield* timed(
    `same, 8 concurrent publishers`,
    Effect.forEach(
      Array.from({ length: topicCount * 5 }, (_, i) => i % topicCount),
      (i) => call(ams, "POST", `${P}/topics/t${i}:publish`, one),
      { discard: true, concurrency: 8 }
    )
  )
  yield* timed(`list topics (pageSize 0), x100`, Effect.repeatN(call(ams, "GET", `${P}/topics`), 99))
  yield* timed(
    `pull 1 from each of ${topicCount} subscriptions`,
    Effect.forEach(
      Array.from({ length: topicCount }, (_, i) => i),
      (i) => call(ams, "POST", `${P}/subscriptions/s${i}:pull`, "{}"),
      { discard: true }
    )
  )
})

Effect.runPromise(
  Effect.zipRight(timed("total publish/pull/ack", publishPullAck), timed("total many topics", manyTopics))
)
