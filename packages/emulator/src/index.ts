/**
 * The ARGO Messaging Service emulator: in-memory AMS, in-process HttpClient layer, HTTP(S) server, fault plans.
 *
 * @since 0.1.0
 */

/**
 * The adapters: the in-process `HttpClient` layer and the HTTP(S) server.
 * @since 0.1.0
 */
export * as AmsEmulator from "./AmsEmulator.js"

/**
 * The in-memory AMS itself: `make(seed, config)` and its `handle`.
 * @since 0.1.0
 */
export * as Emulator from "./Emulator.js"

/**
 * Deterministic fault plans: balancer errors, delays, dropped and truncated answers.
 * @since 0.1.0
 */
export * as Faults from "./Faults.js"

/**
 * Seed data and the default demo seed.
 * @since 0.1.0
 */
export * as Seed from "./Seed.js"

/**
 * The x509 authentication service (argo-api-authn) for the certificate flow, and a test PKI.
 * @since 0.1.0
 */
export * as Authn from "./Authn.js"
