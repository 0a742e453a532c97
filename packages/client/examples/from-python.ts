/**
 * The code of `docs/migrating-from-python.md`: each export is the TypeScript side of one of the guide's
 * before/after pairs (the Python library's examples `publish.py`, `consume-pull.py`, `retry.py`, and
 * the snippets Python users write most). Type-checked with the tests, and run against the emulator by
 * `test/integration/fromPython.test.ts`.
 */
import { AmsError, AmsHttp, Message, Retry, Subscription, Topic } from "@argo-ams/client"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer, Option, Redacted, Schedule } from "effect"

// ams = ArgoMessagingService(endpoint="msg.argo.grnet.gr", token=TOKEN, project="ARGO")
// (and `timeout=5` on each call becomes one client-side limit per request)
export const Ams = (token: string) =>
  AmsHttp.layer({
    endpoint: "msg.argo.grnet.gr",
    token: Redacted.make(token),
    project: "ARGO",
    timeout: "5 seconds"
  }).pipe(Layer.provide(FetchHttpClient.layer))

// publish.py
export const publish = (topic: string) =>
  Effect.gen(function*() {
    if (!(yield* Topic.exists(topic))) yield* Topic.create(topic)

    // AmsMessage(data='foo1', attributes={'bar1': 'baz1'}); ams.publish(topic, msg)
    const first = yield* Topic.publish(topic, Message.make({ data: "foo1", attributes: { bar1: "baz1" } }))

    // ams.publish(topic, [msg(data='foo2', ...), msg(data='foo3', ...)])
    const more = yield* Topic.publish(topic, [
      { data: "foo2", attributes: { bar2: "baz2" } },
      { data: "foo3", attributes: { bar3: "baz3" } }
    ])
    // Python: {"messageIds": ["0"]} and {"messageIds": ["1", "2"]}; here ["0"] and ["1", "2"].
    return [...first, ...more]
  })

// consume-pull.py
export const consume = (subscription: string, topic: string, nummsgs: number) =>
  Effect.gen(function*() {
    if (!(yield* Subscription.exists(subscription))) yield* Subscription.create(subscription, { topic })

    // for id, msg in ams.pull_sub(sub, nummsgs): ...
    const received = yield* Subscription.pull(subscription, { maxMessages: nummsgs })
    const lines = received.map(({ message }) =>
      `msgid=${message.messageId}, data=${Message.text(message)}, attr=${JSON.stringify(message.attributes)}`
    )
    // if ackids: ams.ack_sub(sub, ackids)  (Python returns True; this returns nothing, or fails)
    if (received.length > 0) yield* Subscription.acknowledge(subscription, received.map((r) => r.ackId))
    return lines
  })

// retry.py: ams.publish(topic, msg, retry=3, retrysleep=5) and the same for pull_sub and ack_sub,
// then retrybackoff=5 instead of retrysleep.
export const withRetries = (topic: string, subscription: string) =>
  Effect.gen(function*() {
    const linear = Retry.linear({ retries: 3, sleep: "5 seconds" })
    yield* Topic.publish(topic, { data: "foo1", attributes: { bar1: "baz1" } }, { retry: linear })
    const received = yield* Subscription.pull(subscription, { maxMessages: 3, retry: linear })
    if (received.length > 0) {
      yield* Subscription.acknowledge(subscription, received.map((r) => r.ackId), { retry: linear })
    }

    const backoff = Retry.backoff({ retries: 3, factor: "5 seconds" })
    yield* Topic.publish(topic, { data: "foo2", attributes: { bar2: "baz2" } }, { retry: backoff })

    // msgs = ams.pullack_sub(sub, 3, retry=3, retrysleep=5)
    return yield* Subscription.pullAndAck(subscription, { maxMessages: 3, retry: linear })
  })

// while True: msgs = ams.pullack_sub(sub, 10, return_immediately=True); handle(msgs); sleep(5)
export const consumeForever = (subscription: string, handle: (message: Message.Message) => Effect.Effect<void>) =>
  Subscription.pullAndAck(subscription, { maxMessages: 10 }).pipe(
    Effect.flatMap(Effect.forEach(handle, { discard: true })),
    Effect.repeat(Schedule.spaced("5 seconds"))
  )

// try: ams.get_topic(t) except AmsServiceException as e: if e.code == 404: ... print(e.status)
export const describeTopic = (topic: string) =>
  Topic.get(topic).pipe(
    Effect.map((found) => `${found.name} created ${found.createdOn?.toISOString() ?? "at an unknown time"}`),
    Effect.catchIf(AmsError.isNotFound, (error) =>
      // error.status is the HTTP status (404); error.statusText is Python's e.status ("NOT_FOUND").
      Effect.succeed(`no topic ${topic}: ${error.status} ${error.statusText} ${error.message}`)),
    Effect.catchTags({
      AmsBalancerError: (error) => Effect.succeed(`the balancer answered ${error.status}; try again later`),
      AmsConnectionError: (error) => Effect.succeed(`AMS cannot be reached (${error.reason})`)
    })
  )

// ams.has_topic(t) and ams.get_topic(t) in one: Option.none() when there is no such topic.
export const findTopic = (topic: string) =>
  Topic.get(topic).pipe(
    Effect.map(Option.some),
    Effect.catchIf(AmsError.isNotFound, () => Effect.succeedNone)
  )

// topic = ams.topic("alerts"); sub = topic.subscription("alerts-sub", ackdeadline=30)
// topic.publish(msg); for ackid, msg in sub.pull(num=10): ...; sub.ack(ackids)
export const boundObjects = Effect.gen(function*() {
  const topic = yield* Topic.getOrCreate("alerts")
  const sub = yield* Subscription.getOrCreate("alerts-sub", { topic: topic.name, ackDeadlineSeconds: 30 })
  yield* Topic.publish(topic.name, { data: "disk full" })
  const received = yield* Subscription.pull(sub.name, { maxMessages: 10 })
  if (received.length > 0) yield* Subscription.acknowledge(sub.name, received.map((r) => r.ackId))
  return received.map((r) => Message.text(r))
})

// If a bound object reads better, a few lines give one (it holds no state and no cache).
export const subscription = (name: string, options?: AmsHttp.RequestOptions) => ({
  name,
  pull: (pull?: Subscription.PullOptions) => Subscription.pull(name, { ...options, ...pull }),
  ack: (ackIds: ReadonlyArray<string>) => Subscription.acknowledge(name, ackIds, options),
  offsets: () => Subscription.offsets(name, options)
})

// for s in ams.iter_subs(topic="alerts"): print(s.name)  /  topic.iter_subs()
export const subscriptionsOf = (topic: string) =>
  Subscription.listByTopic(topic).pipe(Effect.map((subs) => subs.map((sub) => sub.name)))

// sub.offsets("max"), sub.offsets() and sub.offsets(move_to=5)
export const offsets = (name: string) =>
  Effect.gen(function*() {
    const max = yield* Subscription.offset(name, "max")
    const all = yield* Subscription.offsets(name) // { min, max, current }, as Python's dict
    yield* Subscription.modifyOffset(name, all.min) // move_to=0 works here too
    return { max, all, current: yield* Subscription.offset(name, "current") }
  })

// ams.getacl_topic(t)["authorized_users"]; ams.modifyacl_topic(t, ["consumer"])
export const acl = (topic: string) =>
  Effect.gen(function*() {
    yield* Topic.modifyAcl(topic, ["consumer"])
    return yield* Topic.acl(topic) // ["consumer"]: the names themselves, no dict
  })

// AmsMessage(data=base64.b64encode(raw).decode(), b64enc=False) or the dict {"data": "<base64>"}:
// do not encode yourself here; give the bytes or the text, the client encodes (once).
export const publishBytes = (topic: string, raw: Uint8Array) => Topic.publish(topic, { data: raw })

// A call in another project than the layer's (Python needs a second ArgoMessagingService).
export const otherProject = Topic.list({ project: "OTHER" })
