/**
 * @argo-ams/client: every ARGO Messaging Service route as a standalone Effect program.
 *
 * Node-only modules are not re-exported here: import `@argo-ams/client/X509` for certificate login and
 * `@argo-ams/client/AmsUndici` for the transport on undici's `dispatch`.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as AmsError from "./AmsError.js"

/**
 * @since 0.1.0
 */
export * as AmsHttp from "./AmsHttp.js"

/**
 * @since 0.1.0
 */
export * as Message from "./Message.js"

/**
 * @since 0.1.0
 */
export * as MessageSchema from "./MessageSchema.js"

/**
 * @since 0.1.0
 */
export * as Metric from "./Metric.js"

/**
 * @since 0.1.0
 */
export * as Project from "./Project.js"

/**
 * @since 0.1.0
 */
export * as Publisher from "./Publisher.js"

/**
 * @since 0.1.0
 */
export * as PushConfig from "./PushConfig.js"

/**
 * @since 0.1.0
 */
export * as Registration from "./Registration.js"

/**
 * @since 0.1.0
 */
export * as Retry from "./Retry.js"

/**
 * @since 0.1.0
 */
export * as Service from "./Service.js"

/**
 * @since 0.1.0
 */
export * as Subscriber from "./Subscriber.js"

/**
 * @since 0.1.0
 */
export * as Subscription from "./Subscription.js"

/**
 * @since 0.1.0
 */
export * as Topic from "./Topic.js"

/**
 * @since 0.1.0
 */
export * as User from "./User.js"
