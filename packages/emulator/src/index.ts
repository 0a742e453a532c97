/** The ARGO Messaging Service emulator: in-memory AMS, in-process HttpClient layer, HTTP(S) server, fault plans. */

/** @since 0.1.0 */
export * as AmsEmulator from "./AmsEmulator.js"

/** @since 0.1.0 */
export * as Emulator from "./Emulator.js"

/** @since 0.1.0 */
export * as Faults from "./Faults.js"

/** @since 0.1.0 */
export * as Seed from "./Seed.js"

/**
 * @since 0.1.0
 */
export * as Authn from "./Authn.js"
