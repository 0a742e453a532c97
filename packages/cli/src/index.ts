/**
 * @argo-ams/cli: the `ams` command line, on @argo-ams/client and @effect/cli.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Config from "./Config.js"

/**
 * @since 0.1.0
 */
export * as Failure from "./Failure.js"

/**
 * @since 0.1.0
 */
export * as Main from "./Main.js"

/**
 * @since 0.1.0
 */
export * as Output from "./Output.js"

/**
 * @since 0.1.0
 */
export * as Profile from "./Profile.js"

/**
 * @since 0.1.0
 */
export * as Pull from "./Pull.js"

/**
 * @since 0.1.0
 */
export * as Subscriptions from "./Subscriptions.js"

/**
 * @since 0.1.0
 */
export * as Topics from "./Topics.js"

/**
 * @since 0.1.0
 */
export * as Projects from "./Projects.js"

/**
 * @since 0.1.0
 */
export * as Registrations from "./Registrations.js"

/**
 * @since 0.1.0
 */
export * as Schemas from "./Schemas.js"

/**
 * @since 0.1.0
 */
export * as Service from "./Service.js"

/**
 * @since 0.1.0
 */
export * as Users from "./Users.js"

/**
 * @since 0.1.0
 */
export * as Consume from "./Consume.js"

/**
 * @since 0.1.0
 */
export * as Publish from "./Publish.js"

/**
 * @since 0.1.0
 */
export * as Emulator from "./Emulator.js"
