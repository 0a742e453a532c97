/**
 * `ams registrations`: requests for an AMS account, and their review by service admins.
 *
 * @since 0.1.0
 */
import * as Registration from "@argo-ams/client/Registration"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Leaf from "./internal/command.js"
import * as View from "./internal/view.js"
import * as Output from "./Output.js"

const uuidArg = Args.text({ name: "UUID" }).pipe(Args.withDescription("the registration's uuid"))

const text = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)

const showToken = Options.boolean("show-token").pipe(
  Options.withDescription("print the activation token (hidden by default)")
)

const list = Leaf.make("list", {
  description: "Lists registrations, optionally only those with this status, name, e-mail or organization.",
  examples: ["ams registrations list --status pending"],
  needs: "token",
  args: {
    status: Options.choice("status", ["pending", "accepted", "declined"]).pipe(Options.optional),
    name: text("name", "the user name asked for"),
    email: text("email", "the e-mail address"),
    organization: text("organization", "the organization")
  },
  run: ({ email, name, organization, status }) =>
    Effect.flatMap(
      Registration.list({
        status: Option.getOrUndefined(status),
        name: Option.getOrUndefined(name),
        email: Option.getOrUndefined(email),
        organization: Option.getOrUndefined(organization)
      }),
      (rs) => Output.list(rs.map((r) => View.registration(r, { showToken: false })), View.registrationColumns)
    )
})

const get = Leaf.make("get", {
  description: "Shows a registration.",
  examples: ["ams registrations get 1b6c8a38-5c1d-4f7e-a1e4-9a1e8b7c6d5f"],
  needs: "token",
  args: { uuid: uuidArg, showToken },
  resources: ({ uuid }) => ({ registration: uuid }),
  run: ({ showToken, uuid }) =>
    Effect.flatMap(Registration.get(uuid), (r) => Output.record(View.registration(r, { showToken })))
})

const create = Leaf.make("create", {
  description: "Asks for an account: a service admin then accepts or declines it.",
  examples: ["ams registrations create --name alice --email alice@example.org --organization GRNET"],
  needs: "token",
  args: {
    name: Options.text("name").pipe(Options.withDescription("the user name asked for")),
    email: Options.text("email").pipe(Options.withDescription("the e-mail address")),
    firstName: text("first-name", "the first name"),
    lastName: text("last-name", "the last name"),
    organization: text("organization", "the organization"),
    description: text("description", "why the account is needed")
  },
  resources: ({ name }) => ({ user: name }),
  run: (args) =>
    Effect.flatMap(
      Registration.create({
        name: args.name,
        email: args.email,
        firstName: Option.getOrUndefined(args.firstName),
        lastName: Option.getOrUndefined(args.lastName),
        organization: Option.getOrUndefined(args.organization),
        description: Option.getOrUndefined(args.description)
      }),
      (r) => Output.record(View.registration(r, { showToken: false }))
    )
})

const accept = Leaf.make("accept", {
  description: "Accepts a registration: the user is created.",
  examples: ["ams registrations accept 1b6c8a38-5c1d-4f7e-a1e4-9a1e8b7c6d5f"],
  needs: "token",
  args: { uuid: uuidArg },
  resources: ({ uuid }) => ({ registration: uuid }),
  run: ({ uuid }) => Effect.flatMap(Registration.accept(uuid), (u) => Output.record(View.user(u)))
})

const decline = Leaf.make("decline", {
  description: "Declines a registration, with an optional comment kept on it.",
  examples: ["ams registrations decline 1b6c8a38-5c1d-4f7e-a1e4-9a1e8b7c6d5f --comment \"unknown organization\""],
  needs: "token",
  args: { uuid: uuidArg, comment: text("comment", "why it was declined") },
  resources: ({ uuid }) => ({ registration: uuid }),
  run: ({ comment, uuid }) =>
    Effect.zipRight(
      Registration.decline(uuid, { comment: Option.getOrUndefined(comment) }),
      Output.note(`declined registration ${uuid}`)
    )
})

const remove = Leaf.make("delete", {
  description: "Deletes a registration.",
  examples: ["ams registrations delete 1b6c8a38-5c1d-4f7e-a1e4-9a1e8b7c6d5f"],
  needs: "token",
  args: { uuid: uuidArg },
  resources: ({ uuid }) => ({ registration: uuid }),
  run: ({ uuid }) => Effect.zipRight(Registration.remove(uuid), Output.note(`deleted registration ${uuid}`))
})

/**
 * `ams registrations ...`
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Leaf.group("registrations", {
  description: "Account requests and their review (service admins).",
  examples: ["ams registrations list --status pending", "ams registrations accept UUID"]
}).pipe(Command.withSubcommands([list, get, create, accept, decline, remove]))
