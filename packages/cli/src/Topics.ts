/**
 * `ams topics`: list, inspect, create and delete topics, and manage their ACL; see their subscriptions
 * and metrics.
 *
 * @since 0.1.0
 */
import * as Topic from "@argo-ams/client/Topic"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Leaf from "./internal/command.js"
import * as View from "./internal/view.js"
import * as Output from "./Output.js"

const topicArg = Args.text({ name: "TOPIC" }).pipe(Args.withDescription("the topic's name"))

const list = Leaf.make("list", {
  description: "Lists the project's topics, newest first.",
  examples: ["ams topics list", "ams topics list --output json --project ARGO"],
  needs: "project",
  args: {},
  run: () => Effect.flatMap(Topic.list(), (topics) => Output.list(topics.map(View.topic), View.topicColumns))
})

const get = Leaf.make("get", {
  description: "Shows a topic.",
  examples: ["ams topics get alerts"],
  needs: "project",
  args: { topic: topicArg },
  resources: ({ topic }) => ({ topic }),
  run: ({ topic }) => Effect.flatMap(Topic.get(topic), (t) => Output.record(View.topic(t)))
})

const create = Leaf.make("create", {
  description: "Creates a topic, optionally with a schema that every published message must match.",
  examples: ["ams topics create alerts", "ams topics create alerts --schema alert-v1"],
  needs: "project",
  args: {
    topic: topicArg,
    schema: Options.text("schema").pipe(
      Options.withDescription("a schema to attach: its name, or projects/P/schemas/S"),
      Options.optional
    )
  },
  resources: ({ schema, topic }) => ({ topic, schema: Option.getOrUndefined(schema) }),
  run: ({ schema, topic }) =>
    Topic.create(topic, { schema: Option.getOrUndefined(schema) }).pipe(
      Effect.flatMap((t) => Output.record(View.topic(t)))
    )
})

const remove = Leaf.make("delete", {
  description:
    "Deletes a topic and its messages. Its subscriptions stay, and pulling them fails until they are deleted.",
  examples: ["ams topics delete alerts"],
  needs: "project",
  args: { topic: topicArg },
  resources: ({ topic }) => ({ topic }),
  run: ({ topic }) => Effect.zipRight(Topic.remove(topic), Output.note(`deleted topic ${topic}`))
})

const acl = Leaf.make("acl", {
  description: "Lists the users allowed to publish to the topic (besides the project's admins).",
  examples: ["ams topics acl alerts"],
  needs: "project",
  args: { topic: topicArg },
  resources: ({ topic }) => ({ topic }),
  run: ({ topic }) => Effect.flatMap(Topic.acl(topic), Output.names)
})

const setAcl = Leaf.make("set-acl", {
  description: "Replaces the topic's ACL with these users (members of the project). With no user, the ACL is cleared.",
  examples: ["ams topics set-acl alerts alice bob", "ams topics set-acl alerts"],
  needs: "project",
  args: { topic: topicArg, users: Args.text({ name: "USER" }).pipe(Args.repeated) },
  resources: ({ topic }) => ({ topic }),
  run: ({ topic, users }) =>
    Effect.zipRight(
      Topic.modifyAcl(topic, users),
      Output.note(users.length === 0 ? `cleared the ACL of topic ${topic}` : `set the ACL of topic ${topic}`)
    )
})

const subscriptions = Leaf.make("subscriptions", {
  description: "Lists the subscriptions on a topic.",
  examples: ["ams topics subscriptions alerts"],
  needs: "project",
  args: { topic: topicArg },
  resources: ({ topic }) => ({ topic }),
  run: ({ topic }) => Effect.flatMap(Topic.subscriptions(topic), (subs) => Output.names(subs.map((s) => s.name)))
})

const metrics = Leaf.make("metrics", {
  description: "Shows a topic's metrics: messages, bytes, subscriptions, publishing rate.",
  examples: ["ams topics metrics alerts", "ams topics metrics alerts -o json"],
  needs: "project",
  args: { topic: topicArg },
  resources: ({ topic }) => ({ topic }),
  run: ({ topic }) => Effect.flatMap(Topic.metrics(topic), (ms) => Output.list(ms.map(View.metric), View.metricColumns))
})

/**
 * `ams topics ...`
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Leaf.group("topics", {
  description: "Topics: where messages are published.",
  examples: ["ams topics list", "ams topics create alerts"]
}).pipe(Command.withSubcommands([list, get, create, remove, acl, setAcl, subscriptions, metrics]))
