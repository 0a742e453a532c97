/**
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
export * as Retry from "./Retry.js"
