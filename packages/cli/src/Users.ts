/**
 * `ams users`: the service's users (service admins): list, inspect, create, update, delete, refresh
 * tokens; and `ams users profile`, who the token belongs to.
 *
 * @since 0.1.0
 */
import * as User from "@argo-ams/client/User"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Failure from "./Failure.js"
import * as Leaf from "./internal/command.js"
import * as View from "./internal/view.js"
import * as Output from "./Output.js"

const userArg = Args.text({ name: "USER" }).pipe(Args.withDescription("the user's name"))

const showToken = Options.boolean("show-token").pipe(
  Options.withDescription("print the user's token (hidden by default, so that it does not end up in logs)")
)

const text = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)

const fieldOptions = {
  email: text("email", "the user's e-mail address"),
  firstName: text("first-name", "the user's first name"),
  lastName: text("last-name", "the user's last name"),
  organization: text("organization", "the user's organization"),
  description: text("description", "a description"),
  members: Options.text("member").pipe(
    Options.withDescription("a membership, PROJECT:ROLE[,ROLE...] (repeat for several projects)"),
    Options.repeated
  ),
  serviceRoles: Options.text("service-role").pipe(
    Options.withDescription("a service role: service_admin, admin_viewer, metrics_viewer, ... (repeatable)"),
    Options.repeated
  )
}

type FieldArgs = Command.Command.ParseConfig<typeof fieldOptions>

const membership = (text: string): Effect.Effect<User.Membership, Failure.CliError> => {
  const match = /^([^:]+):(.*)$/.exec(text)
  return match === null
    ? Effect.fail(Failure.usage(`Invalid --member ${text}: give PROJECT:ROLE[,ROLE...], e.g. demo:publisher`))
    : Effect.succeed({ project: match[1], roles: match[2].split(",").filter((role) => role !== "") })
}

/** The fields the flags give; memberships and service roles only when some are given (an update replaces them). */
const fields = (args: FieldArgs): Effect.Effect<User.Fields, Failure.CliError> =>
  Effect.map(Effect.forEach(args.members, membership), (projects): User.Fields => ({
    email: Option.getOrUndefined(args.email),
    firstName: Option.getOrUndefined(args.firstName),
    lastName: Option.getOrUndefined(args.lastName),
    organization: Option.getOrUndefined(args.organization),
    description: Option.getOrUndefined(args.description),
    projects: projects.length === 0 ? undefined : projects,
    serviceRoles: args.serviceRoles.length === 0 ? undefined : args.serviceRoles
  }))

const showUser = (user: User.User, show: boolean) => Output.record(View.user(user, { showToken: show }))

const list = Leaf.make("list", {
  description: "Lists the users (service admins only), or the members of one project.",
  examples: ["ams users list", "ams users list --member-of demo -o json"],
  needs: "token",
  args: { memberOf: text("member-of", "only the members of this project") },
  resources: ({ memberOf }) => ({ project: Option.getOrUndefined(memberOf) }),
  run: ({ memberOf }) =>
    Effect.flatMap(
      User.list({ project: Option.getOrUndefined(memberOf) }),
      (users) => Output.list(users.map(View.userRow), View.userColumns)
    )
})

const get = Leaf.make("get", {
  description: "Shows a user: e-mail, memberships and roles, service roles.",
  examples: ["ams users get alice", "ams users get alice --show-token"],
  needs: "token",
  args: { user: userArg, showToken },
  resources: ({ user }) => ({ user }),
  run: ({ showToken, user }) => Effect.flatMap(User.get(user), (u) => showUser(u, showToken))
})

const byUuid = Leaf.make("by-uuid", {
  description: "Shows the user with this uuid.",
  examples: ["ams users by-uuid 4a3c6e0e-8c8f-4c37-9d8b-0d0e2b0a2d11"],
  needs: "token",
  args: { uuid: Args.text({ name: "UUID" }), showToken },
  run: ({ showToken, uuid }) => Effect.flatMap(User.getByUuid(uuid), (u) => showUser(u, showToken))
})

const profile = Leaf.make("profile", {
  description: "Shows the user the token belongs to: the way to check which token is in use.",
  examples: ["ams users profile", "ams users profile --profile argo"],
  needs: "token",
  args: {},
  run: () => Effect.flatMap(User.profile(), (u) => showUser(u, false))
})

const create = Leaf.make("create", {
  description: "Creates a user. AMS gives it a token: print it with --show-token.",
  examples: [
    "ams users create alice --email alice@example.org --member demo:publisher,consumer --show-token"
  ],
  needs: "token",
  args: { user: userArg, ...fieldOptions, showToken },
  resources: ({ user }) => ({ user }),
  run: ({ showToken, user, ...args }) =>
    Effect.flatMap(fields(args), (f) => Effect.flatMap(User.create(user, f), (u) => showUser(u, showToken)))
})

const update = Leaf.make("update", {
  description: "Changes a user. --member and --service-role, when given, replace all memberships or service roles.",
  examples: ["ams users update alice --email alice@example.com", "ams users update alice --rename alice2"],
  needs: "token",
  args: { user: userArg, rename: text("rename", "a new name"), ...fieldOptions },
  resources: ({ user }) => ({ user }),
  run: ({ rename, user, ...args }) =>
    Effect.flatMap(
      fields(args),
      (f) => Effect.flatMap(User.update(user, { ...f, name: Option.getOrUndefined(rename) }), (u) => showUser(u, false))
    )
})

const remove = Leaf.make("delete", {
  description: "Deletes a user.",
  examples: ["ams users delete alice"],
  needs: "token",
  args: { user: userArg },
  resources: ({ user }) => ({ user }),
  run: ({ user }) => Effect.zipRight(User.remove(user), Output.note(`deleted user ${user}`))
})

const refresh = Leaf.make("refresh-token", {
  description: "Gives a user a new token; the old one stops working at once. Print it with --show-token.",
  examples: ["ams users refresh-token alice --show-token"],
  needs: "token",
  args: { user: userArg, showToken },
  resources: ({ user }) => ({ user }),
  run: ({ showToken, user }) => Effect.flatMap(User.refreshToken(user), (u) => showUser(u, showToken))
})

/**
 * `ams users ...`
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Leaf.group("users", {
  description: "Users of the service (most need a service admin's token; `profile` works for anyone).",
  examples: ["ams users profile", "ams users list"]
}).pipe(Command.withSubcommands([list, get, byUuid, profile, create, update, remove, refresh]))
