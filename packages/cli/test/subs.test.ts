// `ams subs ...` and `ams pull` end to end, against the emulator's bin.
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Ams from "./utils/ams.js"

interface SubView {
  readonly name: string
  readonly topic: string
  readonly ackDeadlineSeconds: number
  readonly push?: unknown
}

interface Offsets {
  readonly min: number
  readonly max: number
  readonly current: number
}

interface Pulled {
  readonly messageId: string
  readonly publishTime: string
  readonly attributes: Record<string, string>
  readonly data?: string
  readonly dataBase64?: string
}

layer(Ams.layer(), { timeout: 120_000, excludeTestServices: true })("ams subs", (it) => {
  it.effect("create, get, list, delete", () =>
    Effect.gen(function*() {
      const topic = Ams.unique("t")
      yield* Ams.ok(["topics", "create", topic])
      const created = yield* Ams.json<SubView>([
        "subs",
        "create",
        `${topic}-s`,
        "--topic",
        topic,
        "--ack-deadline",
        "30"
      ])
      assert.deepInclude(created, { name: `${topic}-s`, topic, ackDeadlineSeconds: 30 })
      assert.deepStrictEqual(yield* Ams.json<SubView>(["subs", "get", `${topic}-s`]), created)
      const listed = yield* Ams.json<ReadonlyArray<SubView>>(["subs", "list"])
      assert.isTrue(listed.some((s) => s.name === `${topic}-s`))
      const table = yield* Ams.ok(["subs", "list"])
      assert.match(table.stdout, new RegExp(`^${topic}-s\\s+${topic}\\s+30\\s`, "m"))
      yield* Ams.ok(["subs", "delete", `${topic}-s`])
      const gone = yield* Ams.run(["subs", "get", `${topic}-s`])
      assert.strictEqual(gone.code, 1)
      assert.include(gone.stderr, `Not found: subscription "${topic}-s" in project "demo"`)
      const noTopic = yield* Ams.run(["subs", "create", `${topic}-x`, "--topic", "no-such-topic"])
      assert.strictEqual(noTopic.code, 1)
      assert.include(noTopic.stderr, `Not found: topic "no-such-topic"`)
    }))

  it.effect("acl and set-acl", () =>
    Effect.gen(function*() {
      const { sub } = yield* Ams.fixture
      yield* Ams.ok(["subs", "set-acl", sub, "consumer"])
      assert.deepStrictEqual(yield* Ams.json(["subs", "acl", sub]), ["consumer"])
      yield* Ams.ok(["subs", "set-acl", sub])
      assert.deepStrictEqual(yield* Ams.json(["subs", "acl", sub]), [])
    }))

  it.effect("offsets, seek --offset and --time, deadline, metrics", () =>
    Effect.gen(function*() {
      const { sub, topic } = yield* Ams.fixture
      yield* Ams.publishRaw(topic, [{ data: "a" }, { data: "b" }, { data: "c" }])
      assert.deepStrictEqual(yield* Ams.json<Offsets>(["subs", "offsets", sub]), { min: 0, max: 3, current: 0 })
      yield* Ams.ok(["subs", "seek", sub, "--offset", "2"])
      assert.strictEqual((yield* Ams.json<Offsets>(["subs", "offsets", sub])).current, 2)
      const back = yield* Ams.json<{ offset: number }>(["subs", "seek", sub, "--time", "2000-01-01T00:00:00Z"])
      assert.strictEqual(back.offset, 0)
      assert.strictEqual((yield* Ams.json<Offsets>(["subs", "offsets", sub])).current, 0)

      const both = yield* Ams.run(["subs", "seek", sub, "--offset", "1", "--time", "2000-01-01T00:00:00Z"])
      assert.strictEqual(both.code, 2)
      assert.include(both.stderr, "exactly one of --offset N and --time ISO")
      const badTime = yield* Ams.run(["subs", "seek", sub, "--time", "yesterday"])
      assert.strictEqual(badTime.code, 2)
      assert.include(badTime.stderr, "Invalid --time yesterday")
      const outOfBounds = yield* Ams.run(["subs", "seek", sub, "--offset", "99"])
      assert.strictEqual(outOfBounds.code, 1)
      assert.include(outOfBounds.stderr, "Offset out of bounds")

      yield* Ams.ok(["subs", "deadline", sub, "120"])
      assert.strictEqual((yield* Ams.json<SubView>(["subs", "get", sub])).ackDeadlineSeconds, 120)
      const tooLong = yield* Ams.run(["subs", "deadline", sub, "601"])
      assert.strictEqual(tooLong.code, 2)
      assert.include(tooLong.stderr, "nothing was sent")

      const metrics = yield* Ams.json<ReadonlyArray<{ metric: string }>>(["subs", "metrics", sub])
      assert.isTrue(metrics.some((m) => m.metric === "subscription.number_of_messages"))
    }))

  it.effect("push: flags are checked before sending; AMS with push off refuses", () =>
    Effect.gen(function*() {
      const { sub } = yield* Ams.fixture
      const none = yield* Ams.run(["subs", "push", sub])
      assert.strictEqual(none.code, 2)
      assert.include(none.stderr, "--endpoint-url URL, --mattermost-url URL, --off or --verify")
      const two = yield* Ams.run(["subs", "push", sub, "--off", "--endpoint-url", "https://example.org/x"])
      assert.strictEqual(two.code, 2)
      const http = yield* Ams.run(["subs", "push", sub, "--endpoint-url", "http://insecure.example.org/x"])
      assert.strictEqual(http.code, 2)
      assert.include(http.stderr, "valid https url")
      const disabled = yield* Ams.run(["subs", "push", sub, "--endpoint-url", "https://example.org/x"])
      assert.strictEqual(disabled.code, 1)
      assert.include(disabled.stderr, "Push functionality is currently disabled")
      yield* Ams.ok(["subs", "push", sub, "--off"])
      assert.isUndefined((yield* Ams.json<SubView>(["subs", "get", sub])).push)
    }))

  it.effect("pull --max leaves the messages; pull --ack acknowledges what it printed", () =>
    Effect.gen(function*() {
      const { sub, topic } = yield* Ams.fixture
      yield* Ams.publishRaw(topic, [
        { data: "one", attributes: { n: "1" } },
        { data: "two" },
        { data: "three" },
        { data: "four" }
      ])
      const first = Ams.lines<Pulled>((yield* Ams.ok(["pull", sub, "--max", "3", "-o", "json"])).stdout)
      assert.deepStrictEqual(first.map((m) => m.data), ["one", "two", "three"])
      assert.deepStrictEqual(first[0].attributes, { n: "1" })
      const again = Ams.lines<Pulled>((yield* Ams.ok(["pull", sub, "--max", "3", "-o", "json", "--ack"])).stdout)
      assert.deepStrictEqual(again.map((m) => m.messageId), first.map((m) => m.messageId))
      assert.strictEqual((yield* Ams.json<Offsets>(["subs", "offsets", sub])).current, 3)
      const table = yield* Ams.ok(["pull", sub, "--ack"])
      assert.match(table.stdout, /^3\t\S+\t-\tfour$/m)
      assert.include(table.stderr, "1 message, acknowledged")
      const empty = yield* Ams.ok(["pull", sub, "-o", "json"])
      assert.strictEqual(empty.stdout, "")
    }))

  it.effect("pull prints a payload that is not UTF-8 as dataBase64", () =>
    Effect.gen(function*() {
      const { sub, topic } = yield* Ams.fixture
      yield* Effect.flatMap(Ams.EmulatorProcess, (emulator) =>
        Effect.promise(() =>
          fetch(`${emulator.endpoint}/v1/projects/demo/topics/${topic}:publish`, {
            method: "POST",
            headers: { "x-api-key": Ams.tokens.admin },
            body: JSON.stringify({ messages: [{ data: Buffer.from([0xff, 0xfe, 0x00]).toString("base64") }] })
          })
        ))
      const [message] = Ams.lines<Pulled>((yield* Ams.ok(["pull", sub, "-o", "json"])).stdout)
      assert.isUndefined(message.data)
      assert.strictEqual(message.dataBase64, Buffer.from([0xff, 0xfe, 0x00]).toString("base64"))
    }))

  it.effect("every subs command and pull have help with an example", () =>
    Effect.forEach(
      [
        ...["list", "get", "create", "delete", "acl", "set-acl", "offsets", "seek", "deadline", "push", "metrics"]
          .map((c) => ["subs", c]),
        ["pull"]
      ],
      (command) =>
        Effect.map(Ams.ok([...command, "--help"]), (result) => {
          assert.include(result.stdout, `$ ams ${command.join(" ")}`)
        }),
      { concurrency: 4 }
    ))
})
