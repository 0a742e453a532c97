/**
 * `ams subs`: list, inspect, create and delete subscriptions; manage their ACL, offsets, ack deadline
 * and push configuration; see their metrics.
 *
 * @since 0.1.0
 */
import type * as PushConfig from "@argo-ams/client/PushConfig"
import * as Subscription from "@argo-ams/client/Subscription"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Failure from "./Failure.js"
import * as Leaf from "./internal/command.js"
import * as Input from "./internal/input.js"
import * as View from "./internal/view.js"
import * as Output from "./Output.js"

const subArg = Args.text({ name: "SUBSCRIPTION" }).pipe(Args.withDescription("the subscription's name"))

const list = Leaf.make("list", {
  description: "Lists the project's subscriptions, newest first.",
  examples: ["ams subs list", "ams subs list -o json"],
  needs: "project",
  args: {},
  run: () =>
    Effect.flatMap(
      Subscription.list(),
      (subs) => Output.list(subs.map(View.subscription), View.subscriptionColumns)
    )
})

const get = Leaf.make("get", {
  description: "Shows a subscription: its topic, ack deadline and push configuration.",
  examples: ["ams subs get alerts-sub"],
  needs: "project",
  args: { subscription: subArg },
  resources: ({ subscription }) => ({ subscription }),
  run: ({ subscription }) => Effect.flatMap(Subscription.get(subscription), (s) => Output.record(View.subscription(s)))
})

const create = Leaf.make("create", {
  description: "Creates a pull subscription on a topic. It starts at the topic's end: it receives what is " +
    "published from now on (use `ams subs seek` to replay). Turn push on with `ams subs push`.",
  examples: ["ams subs create alerts-sub --topic alerts", "ams subs create slow --topic alerts --ack-deadline 120"],
  needs: "project",
  args: {
    subscription: subArg,
    topic: Options.text("topic").pipe(Options.withDescription("the topic: its name, or projects/P/topics/T")),
    ackDeadline: Options.integer("ack-deadline").pipe(
      Options.withDescription("seconds allowed between a pull and its acknowledgement, 0..600 (default 10)"),
      Options.optional
    )
  },
  resources: ({ subscription, topic }) => ({ subscription, topic }),
  run: ({ ackDeadline, subscription, topic }) =>
    Subscription.create(subscription, { topic, ackDeadlineSeconds: Option.getOrUndefined(ackDeadline) }).pipe(
      Effect.flatMap((s) => Output.record(View.subscription(s)))
    )
})

const remove = Leaf.make("delete", {
  description: "Deletes a subscription; its unacknowledged messages are lost to it.",
  examples: ["ams subs delete alerts-sub"],
  needs: "project",
  args: { subscription: subArg },
  resources: ({ subscription }) => ({ subscription }),
  run: ({ subscription }) =>
    Effect.zipRight(Subscription.remove(subscription), Output.note(`deleted subscription ${subscription}`))
})

const acl = Leaf.make("acl", {
  description: "Lists the users allowed to pull from the subscription (besides the project's admins).",
  examples: ["ams subs acl alerts-sub"],
  needs: "project",
  args: { subscription: subArg },
  resources: ({ subscription }) => ({ subscription }),
  run: ({ subscription }) => Effect.flatMap(Subscription.acl(subscription), Output.names)
})

const setAcl = Leaf.make("set-acl", {
  description:
    "Replaces the subscription's ACL with these users (members of the project). With no user, it is cleared.",
  examples: ["ams subs set-acl alerts-sub consumer", "ams subs set-acl alerts-sub"],
  needs: "project",
  args: { subscription: subArg, users: Args.text({ name: "USER" }).pipe(Args.repeated) },
  resources: ({ subscription }) => ({ subscription }),
  run: ({ subscription, users }) =>
    Effect.zipRight(
      Subscription.modifyAcl(subscription, users),
      Output.note(
        users.length === 0 ? `cleared the ACL of subscription ${subscription}` : `set the ACL of ${subscription}`
      )
    )
})

const offsets = Leaf.make("offsets", {
  description: "Shows the subscription's offsets: min (oldest kept), current (next to deliver), max (next to be " +
    "published). max - current messages are waiting.",
  examples: ["ams subs offsets alerts-sub"],
  needs: "project",
  args: { subscription: subArg },
  resources: ({ subscription }) => ({ subscription }),
  run: ({ subscription }) => Effect.flatMap(Subscription.offsets(subscription), (o) => Output.record({ ...o }))
})

const seek = Leaf.make("seek", {
  description: "Moves the subscription's cursor: the next pull delivers from there. Give --offset (between min " +
    "and max of `ams subs offsets`) or --time (the first message published at or after it).",
  examples: ["ams subs seek alerts-sub --offset 0", "ams subs seek alerts-sub --time 2026-01-31T12:00:00Z"],
  needs: "project",
  args: {
    subscription: subArg,
    offset: Options.integer("offset").pipe(Options.withDescription("the offset to move to"), Options.optional),
    time: Options.text("time").pipe(Options.withDescription("an ISO 8601 time to move to"), Options.optional)
  },
  resources: ({ subscription }) => ({ subscription }),
  run: ({ offset, subscription, time }) =>
    Effect.gen(function*() {
      if (Option.isSome(offset) === Option.isSome(time)) {
        return yield* Failure.usage("Give exactly one of --offset N and --time ISO.")
      }
      const target = Option.isSome(offset)
        ? offset.value
        : yield* Effect.flatMap(Input.date(Option.getOrThrow(time), "--time"), (date) =>
          Subscription.timeToOffset(subscription, date))
      yield* Subscription.modifyOffset(subscription, target)
      yield* Output.record({ subscription, offset: target })
    })
})

const deadline = Leaf.make("deadline", {
  description: "Sets the ack deadline: the seconds allowed between a pull and its acknowledgement (0..600).",
  examples: ["ams subs deadline alerts-sub 60"],
  needs: "project",
  args: { subscription: subArg, seconds: Args.integer({ name: "SECONDS" }) },
  resources: ({ subscription }) => ({ subscription }),
  run: ({ seconds, subscription }) =>
    Effect.zipRight(
      Subscription.modifyAckDeadline(subscription, seconds),
      Output.note(`the ack deadline of ${subscription} is ${seconds} seconds`)
    )
})

const pushOptions = {
  endpoint: Options.text("endpoint-url").pipe(
    Options.withDescription("push to this https URL (it must then be verified: --verify)"),
    Options.optional
  ),
  mattermost: Options.text("mattermost-url").pipe(
    Options.withDescription("push to this Mattermost webhook"),
    Options.optional
  ),
  channel: Options.text("mattermost-channel").pipe(Options.optional),
  username: Options.text("mattermost-username").pipe(Options.optional),
  maxMessages: Options.integer("max-messages").pipe(
    Options.withDescription("messages per push request"),
    Options.optional
  ),
  authorization: Options.choice("authorization", ["autogen", "disabled"]).pipe(
    Options.withDescription("send a generated Authorization header (autogen) or none"),
    Options.optional
  ),
  retry: Options.choice("retry", ["linear", "slowstart"]).pipe(Options.optional),
  retryPeriod: Options.integer("retry-period-ms").pipe(
    Options.withDescription("the pause between pushes of the linear policy, in milliseconds"),
    Options.optional
  ),
  base64Decode: Options.boolean("base64-decode").pipe(
    Options.withDescription("decode the payload before pushing it")
  ),
  off: Options.boolean("off").pipe(Options.withDescription("turn push off: back to a pull subscription")),
  verify: Options.boolean("verify").pipe(
    Options.withDescription("ask AMS to verify the endpoint (it fetches /ams_verification_hash from it)")
  )
}

type PushArgs = Command.Command.ParseConfig<typeof pushOptions>

const retryPolicy = (args: PushArgs): PushConfig.RetryPolicy | undefined =>
  Option.match(args.retry, {
    onNone: () => (Option.isSome(args.retryPeriod) ? { type: "linear", period: args.retryPeriod.value } : undefined),
    onSome: (type) => type === "slowstart" ? { type } : { type, period: Option.getOrUndefined(args.retryPeriod) }
  })

/** The push configuration the flags ask for: `null` is push off, `undefined` is no change. */
const pushConfig = (args: PushArgs): Effect.Effect<PushConfig.Input | null | undefined, Failure.CliError> => {
  const chosen = [args.off, Option.isSome(args.endpoint), Option.isSome(args.mattermost)].filter(Boolean).length
  if (chosen > 1) return Effect.fail(Failure.usage("Give one of --endpoint-url, --mattermost-url and --off."))
  if (args.off) return Effect.succeed(null)
  const policy = retryPolicy(args)
  if (Option.isSome(args.mattermost)) {
    return Effect.succeed({
      type: "mattermost",
      mattermostUrl: args.mattermost.value,
      mattermostChannel: Option.getOrUndefined(args.channel),
      mattermostUsername: Option.getOrUndefined(args.username),
      retryPolicy: policy,
      base64Decode: args.base64Decode
    })
  }
  if (Option.isSome(args.endpoint)) {
    return Effect.succeed({
      pushEndpoint: args.endpoint.value,
      maxMessages: Option.getOrUndefined(args.maxMessages),
      authorizationHeader: Option.getOrUndefined(args.authorization),
      retryPolicy: policy,
      base64Decode: args.base64Decode
    })
  }
  return args.verify
    ? Effect.succeed(undefined)
    : Effect.fail(Failure.usage("Give --endpoint-url URL, --mattermost-url URL, --off or --verify."))
}

const push = Leaf.make("push", {
  description: "Turns push on (to an https endpoint or a Mattermost webhook), changes it, turns it off, or has " +
    "the endpoint verified. AMS must have push enabled.",
  examples: [
    "ams subs push alerts-sub --endpoint-url https://hooks.example.org/ams --retry linear --retry-period-ms 5000",
    "ams subs push alerts-sub --verify",
    "ams subs push alerts-sub --off"
  ],
  needs: "project",
  args: { subscription: subArg, ...pushOptions },
  resources: ({ subscription }) => ({ subscription }),
  run: ({ subscription, ...args }) =>
    Effect.gen(function*() {
      const config = yield* pushConfig(args)
      if (config !== undefined) {
        yield* Subscription.modifyPushConfig(subscription, config)
        yield* Output.note(config === null ? `push is off for ${subscription}` : `push configured for ${subscription}`)
      }
      if (args.verify) {
        yield* Subscription.verifyPushEndpoint(subscription)
        yield* Output.note(`the push endpoint of ${subscription} is verified`)
      }
      yield* Effect.flatMap(Subscription.get(subscription), (s) => Output.record(View.subscription(s)))
    })
})

const metrics = Leaf.make("metrics", {
  description: "Shows a subscription's metrics: messages, bytes, consumption rate.",
  examples: ["ams subs metrics alerts-sub"],
  needs: "project",
  args: { subscription: subArg },
  resources: ({ subscription }) => ({ subscription }),
  run: ({ subscription }) =>
    Effect.flatMap(Subscription.metrics(subscription), (ms) => Output.list(ms.map(View.metric), View.metricColumns))
})

/**
 * `ams subs ...`
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Leaf.group("subs", {
  description: "Subscriptions: where messages are pulled from (`ams pull`, `ams consume`) or pushed.",
  examples: ["ams subs create alerts-sub --topic alerts", "ams subs offsets alerts-sub"]
}).pipe(
  Command.withSubcommands([list, get, create, remove, acl, setAcl, offsets, seek, deadline, push, metrics])
)
