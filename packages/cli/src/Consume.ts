/**
 * `ams consume SUB`: a `Subscriber` on the subscription, each message written as a line and acknowledged
 * once written. Ctrl-C stops pulling, acknowledges what was written, and ends: nothing is lost.
 *
 * @since 0.1.0
 */
import * as Subscriber from "@argo-ams/client/Subscriber"
import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Failure from "./Failure.js"
import * as Leaf from "./internal/command.js"
import * as View from "./internal/view.js"
import * as Output from "./Output.js"

/**
 * `ams consume SUB [--max N] [--follow]`
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Leaf.make("consume", {
  description: "Consumes the subscription: each message is written to stdout (a JSON line with --output json, " +
    "as in `ams pull`) and acknowledged once written, so a message is never acknowledged unwritten. Ends when " +
    "the subscription is drained, after --max messages, or (--follow) never: Ctrl-C then stops pulling, " +
    "acknowledges what was written and exits 130. A message written but not yet acknowledged when the " +
    "command is killed comes again (at least once, never lost).",
  examples: [
    "ams consume alerts-sub -o json > alerts.jsonl",
    "ams consume alerts-sub --max 100",
    "ams consume alerts-sub --follow -o json | jq .data"
  ],
  needs: "project",
  args: {
    subscription: Args.text({ name: "SUBSCRIPTION" }),
    max: Options.integer("max").pipe(
      Options.withDescription("stop after this many messages"),
      Options.optional
    ),
    follow: Options.boolean("follow").pipe(
      Options.withAlias("f"),
      Options.withDescription("keep waiting for new messages instead of ending when drained")
    )
  },
  resources: ({ subscription }) => ({ subscription }),
  run: ({ follow, max, subscription }) =>
    Effect.gen(function*() {
      const limit = Option.getOrUndefined(max)
      if (limit !== undefined && limit < 1) return yield* Failure.usage(`Invalid --max ${limit}: give 1 or more`)
      const stats = yield* Subscriber.consume(
        subscription,
        (message) => Output.item(View.message(message), View.messageLine(message)),
        {
          // No pull asks for more than is left to write: the rest would only come back later.
          maxMessages: Math.min(limit ?? Subscriber.defaults.maxMessages, Subscriber.defaults.maxMessages),
          stopAfter: limit,
          stopWhenEmpty: !follow
        }
      )
      yield* Output.note(
        `${stats.handled} message${stats.handled === 1 ? "" : "s"} written, ${stats.acknowledged} acknowledged`
      )
    })
})
