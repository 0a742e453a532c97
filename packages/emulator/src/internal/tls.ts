/** Throwaway PKIs made with node-forge (no openssl, no download): a CA that signs server and client certificates. */
import * as Effect from "effect/Effect"
import * as Forge from "node-forge"

// node-forge is CommonJS with no static named exports: native ESM sees only `default`, bundlers see both.
/** The node-forge module, whatever way it was loaded. */
export const forge: typeof Forge = (Forge as unknown as { readonly default?: typeof Forge }).default ?? Forge

/** PEM texts: `ca` is what a client must trust; `cert`/`key` are what the server presents. */
export interface Certificate {
  readonly ca: string
  readonly cert: string
  readonly key: string
}

/** A subject attribute, e.g. `{ name: "commonName", value: "alice" }`. */
export interface SubjectAttribute {
  readonly name?: string
  readonly shortName?: string
  readonly value: string
}

/** PEM texts of an issued certificate and its key. */
export interface Issued {
  readonly cert: string
  readonly key: string
}

/** A CA able to sign server and client certificates. */
export interface Authority {
  /** The CA certificate (PEM). */
  readonly ca: string
  readonly sign: (
    subject: ReadonlyArray<SubjectAttribute>,
    options: {
      readonly notBefore: Date
      readonly notAfter: Date
      /** A server certificate for `localhost`, `127.0.0.1` and `::1`; otherwise a client certificate. */
      readonly server?: boolean
    }
  ) => Effect.Effect<Issued, Error>
}

// node-forge hands this to node:crypto when it can, so it takes milliseconds, not seconds.
const keyPair = Effect.async<Forge.pki.rsa.KeyPair, Error>((resume) => {
  forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 }, (error: Error | null, pair: Forge.pki.rsa.KeyPair) => {
    resume(error ? Effect.fail(error) : Effect.succeed(pair))
  })
})

// A positive serial: 16 random bytes with the top bit cleared.
const serialNumber = (): string => {
  const hex = forge.util.bytesToHex(forge.random.getBytesSync(16))
  return (parseInt(hex[0]!, 16) & 0x7).toString(16) + hex.slice(1)
}

const tryForge = <A>(f: () => A): Effect.Effect<A, Error> =>
  Effect.try({ try: f, catch: (cause) => (cause instanceof Error ? cause : new Error(String(cause))) })

const day = 24 * 3600 * 1000

/**
 * Makes a CA (`cA: true`, keyCertSign) valid from yesterday for a year. Validity uses the wall clock, not
 * Effect's Clock: TLS peers check it against real time even when a test runs on `TestClock`.
 */
export const makeAuthority = (subject: ReadonlyArray<SubjectAttribute>): Effect.Effect<Authority, Error> =>
  Effect.gen(function*() {
    const caKeys = yield* keyPair
    const caSubject = subject.map((a) => ({ ...a }))
    const now = Date.now()
    const caCert = yield* tryForge(() => {
      const ca = forge.pki.createCertificate()
      ca.publicKey = caKeys.publicKey
      ca.serialNumber = serialNumber()
      ca.validity.notBefore = new Date(now - day)
      ca.validity.notAfter = new Date(now + 365 * day)
      ca.setSubject(caSubject)
      ca.setIssuer(caSubject)
      ca.setExtensions([
        { name: "basicConstraints", cA: true, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
        { name: "subjectKeyIdentifier" }
      ])
      ca.sign(caKeys.privateKey, forge.md.sha256.create())
      return ca
    })
    return {
      ca: forge.pki.certificateToPem(caCert),
      sign: (leafSubject, options) =>
        Effect.flatMap(keyPair, (keys) =>
          tryForge(() => {
            const leaf = forge.pki.createCertificate()
            leaf.publicKey = keys.publicKey
            leaf.serialNumber = serialNumber()
            leaf.validity.notBefore = options.notBefore
            leaf.validity.notAfter = options.notAfter
            leaf.setSubject(leafSubject.map((a) => ({ ...a })))
            leaf.setIssuer(caSubject)
            leaf.setExtensions([
              { name: "basicConstraints", cA: false, critical: true },
              { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
              options.server === true
                ? { name: "extKeyUsage", serverAuth: true }
                : { name: "extKeyUsage", clientAuth: true },
              ...(options.server === true
                ? [{
                  name: "subjectAltName",
                  altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }, { type: 7, ip: "::1" }]
                }]
                : []),
              { name: "subjectKeyIdentifier" },
              { name: "authorityKeyIdentifier", keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() }
            ])
            leaf.sign(caKeys.privateKey, forge.md.sha256.create())
            return { cert: forge.pki.certificateToPem(leaf), key: forge.pki.privateKeyToPem(keys.privateKey) }
          }))
    }
  })

/**
 * Generates a CA and a leaf for `localhost`, `127.0.0.1` and `::1` signed by it. A separate CA keeps strict
 * verifiers happy (OpenSSL 3 / Python 3.13 `VERIFY_X509_STRICT` reject a self-signed leaf used as its own
 * trust anchor).
 */
export const generate = (options?: { readonly commonName?: string }): Effect.Effect<Certificate, Error> =>
  Effect.gen(function*() {
    const authority = yield* makeAuthority([
      { name: "commonName", value: "AMS emulator local CA" },
      { name: "organizationName", value: "argo-ams emulator" }
    ])
    const now = Date.now()
    const leaf = yield* authority.sign([{ name: "commonName", value: options?.commonName ?? "localhost" }], {
      notBefore: new Date(now - day),
      notAfter: new Date(now + 365 * day),
      server: true
    })
    return { ca: authority.ca, ...leaf }
  })
