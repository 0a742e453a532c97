// `ams publish` and `ams consume` end to end: counts of what was published, written and acknowledged.
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Ams from "./utils/ams.js"

interface Consumed {
  readonly messageId: string
  readonly attributes: Record<string, string>
  readonly data?: string
  readonly dataBase64?: string
}

interface Offsets {
  readonly min: number
  readonly max: number
  readonly current: number
}

const offsets = (sub: string) => Ams.json<Offsets>(["subs", "offsets", sub])

layer(Ams.layer(), { timeout: 120_000, excludeTestServices: true })("ams publish and consume", (it) => {
  it.effect("publish from arguments, with attributes; ids on stdout in order", () =>
    Effect.gen(function*() {
      const { sub, topic } = yield* Ams.fixture
      const result = yield* Ams.ok(["publish", topic, "{\"n\":1}", "{\"n\":2}", "--attr", "k=v", "--attr", "x=y"])
      assert.deepStrictEqual(result.stdout.split("\n"), ["0", "1", ""])
      assert.include(result.stderr, `published 2 messages to ${topic}`)
      const texts = yield* Ams.ok(["publish", topic, "--format", "text", "disk full", "-o", "json"])
      assert.deepStrictEqual(Ams.lines(texts.stdout), [{ messageId: "2" }])
      const consumed = Ams.lines<Consumed>((yield* Ams.ok(["consume", sub, "-o", "json"])).stdout)
      assert.deepStrictEqual(consumed.map((m) => [m.data, m.attributes]), [
        ["{\"n\":1}", { k: "v", x: "y" }],
        ["{\"n\":2}", { k: "v", x: "y" }],
        ["disk full", {}]
      ])
      const notJson = yield* Ams.run(["publish", topic, "disk full"])
      assert.strictEqual(notJson.code, 2)
      assert.include(notJson.stderr, "argument 1: not JSON (use --format text")
      const badAttr = yield* Ams.run(["publish", topic, "{}", "--attr", "q=say \"hi\""])
      assert.strictEqual(badAttr.code, 2)
      assert.include(badAttr.stderr, "broken JSON")
      assert.strictEqual((yield* offsets(sub)).max, 3)
    }))

  it.effect("publish --file; a bad line stops the input there, the lines before it are published", () =>
    Effect.gen(function*() {
      const { sub, topic } = yield* Ams.fixture
      const emulator = yield* Ams.EmulatorProcess
      const file = Path.join(emulator.home, `${topic}.jsonl`)
      Fs.writeFileSync(file, "{\"a\":1}\n\n{\"a\":2}\n{broken\n{\"a\":3}\n")
      const result = yield* Ams.run(["publish", topic, "--file", file])
      assert.strictEqual(result.code, 2)
      assert.deepStrictEqual(result.stdout.split("\n"), ["0", "1", ""])
      assert.include(result.stderr, `${file}, line 4: not JSON`)
      assert.include(result.stderr, "the 2 messages before it were published")
      assert.strictEqual((yield* offsets(sub)).max, 2)
      const missing = yield* Ams.run(["publish", topic, "--file", "/no/such.jsonl"])
      assert.strictEqual(missing.code, 2)
      assert.include(missing.stderr, "Cannot read --file /no/such.jsonl")
    }))

  it.effect("consume -o json | publish --format envelope copies messages exactly, binary ones too", () =>
    Effect.gen(function*() {
      const from = yield* Ams.fixture
      const to = yield* Ams.fixture
      yield* Ams.publishRaw(from.topic, [{ data: "plain text", attributes: { a: "1" } }, { data: "{\"j\":true}" }])
      yield* Effect.flatMap(
        Ams.EmulatorProcess,
        (emulator) =>
          Effect.promise(() =>
            fetch(`${emulator.endpoint}/v1/projects/demo/topics/${from.topic}:publish`, {
              method: "POST",
              headers: { "x-api-key": Ams.tokens.admin },
              body: JSON.stringify({ messages: [{ data: Buffer.from([0, 255, 7]).toString("base64") }] })
            })
          )
      )
      const consumed = (yield* Ams.ok(["consume", from.sub, "-o", "json"])).stdout
      yield* Ams.ok(["publish", to.topic, "--format", "envelope"], { stdin: consumed })
      const copied = Ams.lines<Consumed>((yield* Ams.ok(["consume", to.sub, "-o", "json"])).stdout)
      const strip = (m: Consumed) => ({ attributes: m.attributes, data: m.data, dataBase64: m.dataBase64 })
      assert.deepStrictEqual(copied.map(strip), Ams.lines<Consumed>(consumed).map(strip))
      assert.strictEqual(copied[2].dataBase64, Buffer.from([0, 255, 7]).toString("base64"))
    }))

  it.effect("publish of 10,000 JSON lines from stdin loses nothing; consume drains them all, acknowledged", () =>
    Effect.gen(function*() {
      const { sub, topic } = yield* Ams.fixture
      const count = 10_000
      const input = Array.from({ length: count }, (_, i) => JSON.stringify({ seq: i, pad: "x".repeat(i % 50) }))
      const published = yield* Ams.ok(["publish", topic], { stdin: `${input.join("\n")}\n` })
      const ids = published.stdout.trim().split("\n")
      assert.strictEqual(ids.length, count)
      assert.deepStrictEqual(ids, Array.from({ length: count }, (_, i) => String(i)))
      assert.include(published.stderr, `published ${count} messages to ${topic}`)
      assert.deepStrictEqual(yield* offsets(sub), { min: 0, max: count, current: 0 })
      const metrics = yield* Ams.json<ReadonlyArray<{ metric: string; latest?: number }>>(["topics", "metrics", topic])
      assert.strictEqual(metrics.find((m) => m.metric === "topic.number_of_messages")?.latest, count)

      const consumed = yield* Ams.ok(["consume", sub, "-o", "json"])
      const messages = Ams.lines<Consumed>(consumed.stdout)
      assert.strictEqual(messages.length, count)
      assert.deepStrictEqual(messages.map((m) => m.data), input)
      assert.include(consumed.stderr, `${count} messages written, ${count} acknowledged`)
      assert.deepStrictEqual(yield* offsets(sub), { min: 0, max: count, current: count })
    }))

  it.effect("consume --max N writes N and acknowledges exactly them; the rest stays for the next consumer", () =>
    Effect.gen(function*() {
      const { sub, topic } = yield* Ams.fixture
      yield* Ams.publishRaw(topic, Array.from({ length: 25 }, (_, i) => ({ data: `m${i}` })))
      const first = Ams.lines<Consumed>((yield* Ams.ok(["consume", sub, "--max", "10", "-o", "json"])).stdout)
      assert.deepStrictEqual(first.map((m) => m.data), Array.from({ length: 10 }, (_, i) => `m${i}`))
      assert.strictEqual((yield* offsets(sub)).current, 10)
      const table = yield* Ams.ok(["consume", sub, "--max", "3"])
      assert.match(table.stdout, /^10\t\S+\t-\tm10$/m)
      assert.include(table.stderr, "3 messages written, 3 acknowledged")
      const rest = Ams.lines<Consumed>((yield* Ams.ok(["consume", sub, "--max", "100", "-o", "json"])).stdout)
      assert.deepStrictEqual(rest.map((m) => m.data), Array.from({ length: 12 }, (_, i) => `m${i + 13}`))
      assert.deepStrictEqual(yield* offsets(sub), { min: 0, max: 25, current: 25 })
      assert.strictEqual((yield* Ams.ok(["consume", sub, "--max", "5"])).stdout, "")
      const bad = yield* Ams.run(["consume", sub, "--max", "0"])
      assert.strictEqual(bad.code, 2)
    }))

  it.effect("consume --follow picks up new messages; Ctrl-C stops it cleanly with all it wrote acknowledged", () =>
    Effect.gen(function*() {
      const { sub, topic } = yield* Ams.fixture
      const emulator = yield* Ams.EmulatorProcess
      yield* Ams.publishRaw(topic, Array.from({ length: 300 }, (_, i) => ({ data: `a${i}` })))
      const proc = yield* Ams.start(emulator, ["consume", sub, "--follow", "-o", "json"])
      // Polls what the process has written so far (the harness gathers its stdout).
      const waitForLines = (n: number) =>
        proc.output.pipe(
          Effect.repeat({
            schedule: Schedule.spaced("100 millis"),
            until: ({ stdout }) => stdout.split("\n").length - 1 >= n
          }),
          Effect.timeout("60 seconds")
        )
      yield* waitForLines(300)
      yield* Ams.publishRaw(topic, Array.from({ length: 50 }, (_, i) => ({ data: `b${i}` })))
      yield* waitForLines(350)
      proc.child.kill("SIGINT")
      const result = yield* proc.result
      assert.strictEqual(result.code, 130, result.stderr)
      const written = Ams.lines<Consumed>(result.stdout)
      assert.strictEqual(written.length, 350)
      assert.deepStrictEqual(written.map((m) => m.data), [
        ...Array.from({ length: 300 }, (_, i) => `a${i}`),
        ...Array.from({ length: 50 }, (_, i) => `b${i}`)
      ])
      assert.deepStrictEqual(yield* offsets(sub), { min: 0, max: 350, current: 350 })
    }).pipe(Effect.scoped))

  it.effect("publish and consume have help with an example", () =>
    Effect.forEach(["publish", "consume"], (command) =>
      Effect.map(Ams.ok([command, "--help"]), (result) => {
        assert.include(result.stdout, `$ ams ${command}`)
      })))
})
