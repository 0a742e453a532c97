// The x509 authentication service's pieces: certificate subject → DN string, its error bodies, a test PKI.
import * as Effect from "effect/Effect"
import * as Forge from "node-forge"

// node-forge is CommonJS with no static named exports: native ESM sees only `default`, bundlers see both.
const forge: typeof Forge = (Forge as unknown as { readonly default?: typeof Forge }).default ?? Forge

/** An authn error answer: status and the `{"error":{"message","code","status"}}` body (1-space indent). */
export interface AuthnAnswer {
  readonly status: number
  readonly body: string
}

/** An authn error, in argo-api-authn's key order (message, code, status). */
export const error = (code: number, message: string, status: string): AuthnAnswer => ({
  status: code,
  body: JSON.stringify({ error: { message, code, status } }, null, 1)
})

/** The token answer. */
export const token = (value: string): AuthnAnswer => ({ status: 200, body: JSON.stringify({ token: value }, null, 1) })

// Go's pkix.Name.ToRDNSequence order; String() prints it reversed (most specific first).
const rdnOrder: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
  [["C", "countryName"], "C"],
  [["ST", "stateOrProvinceName"], "ST"],
  [["L", "localityName"], "L"],
  [["streetAddress"], "STREET"],
  [["postalCode"], "POSTALCODE"],
  [["O", "organizationName"], "O"],
  [["OU", "organizationalUnitName"], "OU"],
  [["CN", "commonName"], "CN"],
  [["serialNumber"], "SERIALNUMBER"]
]

const escapeValue = (value: string): string =>
  value.replace(/[,+"\\<>;]/g, (c) => `\\${c}`).replace(/^[ #]/, (c) => `\\${c}`).replace(/ $/, "\\ ")

interface Attribute {
  readonly name?: string
  readonly shortName?: string
  readonly type?: string
  readonly value?: unknown
}

/**
 * The DN string argo-api-authn binds certificates by: Go's RDN sequence string of the standard attributes
 * (`CN=...,OU=...,O=...,L=...,ST=...,C=...`), with `E=` (email) first and `DC=a+DC=b` last when present.
 */
export const subjectDn = (attributes: ReadonlyArray<Attribute>): string => {
  const valuesOf = (names: ReadonlyArray<string>) =>
    attributes.filter((a) => names.includes(a.shortName ?? "") || names.includes(a.name ?? "")).map((a) =>
      String(a.value)
    )
  const parts: Array<string> = []
  for (const [names, label] of [...rdnOrder].reverse()) {
    for (const value of valuesOf(names).reverse()) parts.push(`${label}=${escapeValue(value)}`)
  }
  const emails = valuesOf(["E", "emailAddress"])
  const dcs = attributes.filter((a) =>
    a.type === "0.9.2342.19200300.100.1.25" || a.name === "domainComponent" || a.shortName === "DC"
  ).map((a) => String(a.value))
  return [
    ...(emails.length === 0 ? [] : [emails.map((e) => `E=${e}`).join("+")]),
    ...parts,
    ...(dcs.length === 0 ? [] : [dcs.map((d) => `DC=${d}`).join("+")])
  ].join(",")
}

/** The DN of a DER certificate (as Node's `getPeerCertificate().raw` gives it). */
export const dnOfDer = (der: Buffer): string => {
  const certificate = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString("binary"))))
  return subjectDn(certificate.subject.attributes as ReadonlyArray<Attribute>)
}

/** A subject attribute for `issue`, e.g. `{ name: "commonName", value: "alice" }`. */
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

const keyPair = Effect.async<Forge.pki.rsa.KeyPair, Error>((resume) => {
  forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 }, (err: Error | null, pair: Forge.pki.rsa.KeyPair) => {
    resume(err ? Effect.fail(err) : Effect.succeed(pair))
  })
})

const serial = (): string => {
  const hex = forge.util.bytesToHex(forge.random.getBytesSync(16))
  return (parseInt(hex[0]!, 16) & 0x7).toString(16) + hex.slice(1)
}

const tryForge = <A>(f: () => A) =>
  Effect.try({ try: f, catch: (cause) => (cause instanceof Error ? cause : new Error(String(cause))) })

/** A CA able to sign server and client certificates. */
export interface Authority {
  readonly ca: string
  readonly sign: (
    subject: ReadonlyArray<SubjectAttribute>,
    options: {
      readonly notBefore: Date
      readonly notAfter: Date
      readonly server?: boolean
    }
  ) => Effect.Effect<Issued, Error>
}

/** Makes a CA valid from yesterday for a year (wall clock: TLS peers check real time). */
export const makeAuthority = (commonName: string): Effect.Effect<Authority, Error> =>
  Effect.gen(function*() {
    const caKeys = yield* keyPair
    const now = Date.now()
    const caSubject = [{ name: "commonName", value: commonName }]
    const caCert = yield* tryForge(() => {
      const ca = forge.pki.createCertificate()
      ca.publicKey = caKeys.publicKey
      ca.serialNumber = serial()
      ca.validity.notBefore = new Date(now - 24 * 3600 * 1000)
      ca.validity.notAfter = new Date(now + 365 * 24 * 3600 * 1000)
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
      sign: (subject, options) =>
        Effect.flatMap(keyPair, (keys) =>
          tryForge(() => {
            const leaf = forge.pki.createCertificate()
            leaf.publicKey = keys.publicKey
            leaf.serialNumber = serial()
            leaf.validity.notBefore = options.notBefore
            leaf.validity.notAfter = options.notAfter
            leaf.setSubject(subject.map((a) => ({ ...a })))
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
                  altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }]
                }]
                : []),
              { name: "authorityKeyIdentifier", keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() }
            ])
            leaf.sign(caKeys.privateKey, forge.md.sha256.create())
            return { cert: forge.pki.certificateToPem(leaf), key: forge.pki.privateKeyToPem(keys.privateKey) }
          }))
    }
  })
