/**
 * `ams pull SUB`: one pull, printed as JSON lines (or lines for people), acknowledged if asked.
 *
 * @since 0.1.0
 */
import * as Subscription from "@argo-ams/client/Subscription"
import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Leaf from "./internal/command.js"
import * as View from "./internal/view.js"
import * as Output from "./Output.js"

/**
 * `ams pull SUB [--max N] [--ack]`
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Leaf.make("pull", {
  description: "Pulls what is waiting (at most --max messages) and prints it, one message per line: with " +
    "--output json, a JSON line {messageId, publishTime, attributes, data} (dataBase64 instead of data when the " +
    "payload is not UTF-8 text). Without --ack the messages stay unacknowledged and come again with the next pull; " +
    "with --ack they are acknowledged once printed. For a stream of messages use `ams consume`.",
  examples: ["ams pull alerts-sub", "ams pull alerts-sub --max 100 --ack -o json > messages.jsonl"],
  needs: "project",
  args: {
    subscription: Args.text({ name: "SUBSCRIPTION" }),
    max: Options.integer("max").pipe(
      Options.withDescription("the most messages to pull (default 10)"),
      Options.withDefault(10)
    ),
    ack: Options.boolean("ack").pipe(Options.withDescription("acknowledge the messages once printed"))
  },
  resources: ({ subscription }) => ({ subscription }),
  run: ({ ack, max, subscription }) =>
    Effect.gen(function*() {
      const received = yield* Subscription.pull(subscription, { maxMessages: max })
      yield* Effect.forEach(received, (r) => Output.item(View.message(r.message), View.messageLine(r.message)), {
        discard: true
      })
      const last = received[received.length - 1]
      if (ack && last !== undefined) {
        // Acknowledgements are cumulative: the last id acknowledges the whole pull.
        yield* Subscription.acknowledge(subscription, [last.ackId])
      }
      yield* Output.note(
        `${received.length} message${received.length === 1 ? "" : "s"}${
          ack && received.length > 0 ? ", acknowledged" : ""
        }`
      )
    })
})
