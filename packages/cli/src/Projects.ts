/**
 * `ams projects`: list, inspect, create, update and delete projects, see their metrics, and manage their
 * members (`ams projects members ...`, on the configured project).
 *
 * @since 0.1.0
 */
import * as Project from "@argo-ams/client/Project"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Leaf from "./internal/command.js"
import * as View from "./internal/view.js"
import * as Output from "./Output.js"

const projectArg = Args.text({ name: "PROJECT" }).pipe(Args.withDescription("the project's name"))

const description = Options.text("description").pipe(
  Options.withDescription("what the project is for"),
  Options.optional
)

const list = Leaf.make("list", {
  description: "Lists the projects.",
  examples: ["ams projects list"],
  needs: "token",
  args: {},
  run: () => Effect.flatMap(Project.list(), (ps) => Output.list(ps.map(View.project), View.projectColumns))
})

const get = Leaf.make("get", {
  description: "Shows a project.",
  examples: ["ams projects get demo"],
  needs: "token",
  args: { project: projectArg },
  resources: ({ project }) => ({ project }),
  run: ({ project }) => Effect.flatMap(Project.get(project), (p) => Output.record(View.project(p)))
})

const create = Leaf.make("create", {
  description: "Creates a project (service admins).",
  examples: ["ams projects create lab --description \"Lab experiments\""],
  needs: "token",
  args: { project: projectArg, description },
  resources: ({ project }) => ({ project }),
  run: ({ description, project }) =>
    Effect.flatMap(
      Project.create(project, { description: Option.getOrUndefined(description) }),
      (p) => Output.record(View.project(p))
    )
})

const update = Leaf.make("update", {
  description: "Renames a project or changes its description (service admins).",
  examples: ["ams projects update lab --description \"Lab\"", "ams projects update lab --rename lab2"],
  needs: "token",
  args: {
    project: projectArg,
    rename: Options.text("rename").pipe(Options.withDescription("a new name"), Options.optional),
    description
  },
  resources: ({ project }) => ({ project }),
  run: ({ description, project, rename }) =>
    Effect.flatMap(
      Project.update(project, {
        name: Option.getOrUndefined(rename),
        description: Option.getOrUndefined(description)
      }),
      (p) => Output.record(View.project(p))
    )
})

const remove = Leaf.make("delete", {
  description: "Deletes a project with its topics and subscriptions (service admins).",
  examples: ["ams projects delete lab"],
  needs: "token",
  args: { project: projectArg },
  resources: ({ project }) => ({ project }),
  run: ({ project }) => Effect.zipRight(Project.remove(project), Output.note(`deleted project ${project}`))
})

const metrics = Leaf.make("metrics", {
  description: "Shows a project's metrics: topics, subscriptions, messages per day, per user.",
  examples: ["ams projects metrics demo"],
  needs: "token",
  args: { project: projectArg },
  resources: ({ project }) => ({ project }),
  run: ({ project }) =>
    Effect.flatMap(Project.metrics(project), (ms) => Output.list(ms.map(View.metric), View.metricColumns))
})

// --- members of the configured project ----------------------------------------------------------------

const userArg = Args.text({ name: "USER" }).pipe(Args.withDescription("the user's name"))

const roles = Options.text("role").pipe(
  Options.withDescription("a role in the project: project_admin, publisher, consumer (repeatable)"),
  Options.repeated
)

const membersList = Leaf.make("list", {
  description: "Lists the project's members and their roles.",
  examples: ["ams projects members list --project demo"],
  needs: "project",
  args: {},
  run: () =>
    Effect.flatMap(
      Project.members({ details: true }),
      (users) => Output.list(users.map(View.userRow), View.userColumns)
    )
})

const membersGet = Leaf.make("get", {
  description: "Shows a member of the project.",
  examples: ["ams projects members get publisher"],
  needs: "project",
  args: { user: userArg },
  resources: ({ user }) => ({ user }),
  run: ({ user }) => Effect.flatMap(Project.getMember(user), (u) => Output.record(View.user(u)))
})

const membersAdd = Leaf.make("add", {
  description: "Makes an existing user a member of the project, with these roles.",
  examples: ["ams projects members add alice --role publisher --role consumer"],
  needs: "project",
  args: { user: userArg, roles },
  resources: ({ user }) => ({ user }),
  run: ({ roles, user }) => Effect.flatMap(Project.addMember(user, { roles }), (u) => Output.record(View.user(u)))
})

const membersCreate = Leaf.make("create", {
  description: "Creates a user who is a member of the project (project admins can do this).",
  examples: ["ams projects members create bob --email bob@example.org --role consumer"],
  needs: "project",
  args: {
    user: userArg,
    roles,
    email: Options.text("email").pipe(Options.optional)
  },
  resources: ({ user }) => ({ user }),
  run: ({ email, roles, user }) =>
    Effect.flatMap(
      Project.createMember(user, { roles, email: Option.getOrUndefined(email) }),
      (u) => Output.record(View.user(u))
    )
})

const membersUpdate = Leaf.make("update", {
  description: "Replaces a member's roles in the project.",
  examples: ["ams projects members update alice --role consumer"],
  needs: "project",
  args: { user: userArg, roles },
  resources: ({ user }) => ({ user }),
  run: ({ roles, user }) => Effect.flatMap(Project.updateMember(user, { roles }), (u) => Output.record(View.user(u)))
})

const membersRemove = Leaf.make("remove", {
  description: "Removes a user from the project (the user stays).",
  examples: ["ams projects members remove alice"],
  needs: "project",
  args: { user: userArg },
  resources: ({ user }) => ({ user }),
  run: ({ user }) => Effect.zipRight(Project.removeMember(user), Output.note(`removed ${user} from the project`))
})

const members = Leaf.group("members", {
  description: "The members of the configured project (--project, AMS_PROJECT or the profile) and their roles.",
  examples: ["ams projects members list", "ams projects members add alice --role publisher"]
}).pipe(Command.withSubcommands([membersList, membersGet, membersAdd, membersCreate, membersUpdate, membersRemove]))

/**
 * `ams projects ...`
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Leaf.group("projects", {
  description: "Projects, and their members.",
  examples: ["ams projects list", "ams projects members list --project demo"]
}).pipe(Command.withSubcommands([list, get, create, update, remove, metrics, members]))
