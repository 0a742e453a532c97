import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import fc from "fast-check"
import * as Base64 from "../../src/internal/base64.js"

// Any UTF-16 code unit, lone surrogates included: what a JavaScript string can hold.
const anyString = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) })
const bytes = fc.uint8Array({ maxLength: 3000 })
// Texts near base64: its alphabet, padding in any place, line breaks, the URL-safe letters, spaces, and
// characters whose low byte is a letter of the alphabet (`ａ` U+FF41, `Ł` U+0141, `İ` U+0130).
const nearBase64 = fc.string({
  unit: fc.constantFrom(..."ABCXYZabcxyz0189+/=\n\r-_ .\uff41\u0141\u0130".split("")),
  maxLength: 40
})
const base64Text = fc.oneof(
  bytes.map((b) => Encoding.encodeBase64(b)),
  // Valid encodings with line breaks, as MIME writes them, and with unused bits set in the last character.
  bytes.map((b) => Encoding.encodeBase64(b).replace(/(.{76})/g, "$1\r\n")),
  bytes.filter((b) => b.length % 3 !== 0).map((b) => Encoding.encodeBase64(b).replace(/[AQgw](=+)$/, "B$1")),
  nearBase64,
  anyString
)

const effectDecode = (text: string) => Either.getOrUndefined(Encoding.decodeBase64(text))

const plainBytes = (value: Uint8Array | undefined) => {
  expect(value === undefined || Object.getPrototypeOf(value) === Uint8Array.prototype).toBe(true)
  expect(value === undefined || value.buffer.byteLength === value.length).toBe(true)
}

describe("internal/base64", () => {
  it("encodes bytes as effect/Encoding does, natively and portably", () => {
    fc.assert(
      fc.property(bytes, fc.nat(8), (data, offset) => {
        const view = data.subarray(Math.min(offset, data.length))
        expect(Base64.encode(view)).toBe(Encoding.encodeBase64(view))
        expect(Base64.encodePortable(view)).toBe(Encoding.encodeBase64(view))
      }),
      { numRuns: 300 }
    )
  })

  it("encodes strings as their UTF-8 bytes, lone surrogates included", () => {
    fc.assert(
      fc.property(anyString, (text) => {
        expect(Base64.encode(text)).toBe(Encoding.encodeBase64(text))
        expect(Base64.encodePortable(text)).toBe(Encoding.encodeBase64(text))
      }),
      { numRuns: 300 }
    )
  })

  it("knows the length of an encoding without encoding, and a string's UTF-8 length without Buffer", () => {
    const utf8 = new TextEncoder()
    fc.assert(
      fc.property(fc.oneof(anyString, fc.fullUnicodeString(), bytes), (data) => {
        expect(Base64.encodedLength(data)).toBe(Base64.encode(data).length)
        if (typeof data === "string") expect(Base64.utf8LengthPortable(data)).toBe(utf8.encode(data).byteLength)
      }),
      { numRuns: 1_000 }
    )
  })

  it("decodes exactly what effect/Encoding decodes, and refuses what it refuses", () => {
    fc.assert(
      fc.property(base64Text, (text) => {
        const expected = effectDecode(text)
        const native = Base64.decode(text)
        const portable = Base64.decodePortable(text)
        expect(native).toEqual(expected)
        expect(portable).toEqual(expected)
        plainBytes(native)
        plainBytes(portable)
      }),
      { numRuns: 2000 }
    )
  })

  it("decodes into slabs the same bytes, each payload in its own part of a slab", () => {
    fc.assert(
      fc.property(
        fc.array(base64Text, { maxLength: 40 }),
        fc.integer({ min: 16, max: 4096 }),
        fc.nat({ max: 8192 }),
        (texts, size, expected) => {
          // Whatever was expected (too little, too much), every payload gets its bytes.
          const allocate = Base64.slabs(expected, size)
          const decoded = texts.map((text) => [Base64.decode(text, allocate), Base64.decodePortable(text, allocate)])
          decoded.forEach(([native, portable], i) => {
            expect(native).toEqual(effectDecode(texts[i]!))
            expect(portable).toEqual(effectDecode(texts[i]!))
          })
          // Writing every byte of one payload changes no other one.
          const all = decoded.flat().filter((bytes): bytes is Uint8Array => bytes !== undefined)
          all.forEach((bytes, i) => bytes.fill(i % 256))
          all.forEach((bytes, i) => expect(bytes.every((byte) => byte === i % 256)).toBe(true))
        }
      ),
      { numRuns: 300 }
    )
  })

  it("makes slabs no larger than the bytes expected, and at most the slab size", () => {
    // One payload of 3 bytes, expected: a slab of 3 bytes, not 64 KiB.
    expect(Base64.decode("aGk=", Base64.slabs(3))!.buffer.byteLength).toBe(3)
    // 100 payloads of 768 bytes in slabs of at most 64 KiB: 85 fit in the first, the rest in a second
    // slab the size of what is left.
    const text = "A".repeat(1024)
    const allocate = Base64.slabs(100 * 768)
    const decoded = Array.from({ length: 100 }, () => Base64.decode(text, allocate)!)
    expect(new Set(decoded.map((bytes) => bytes.buffer)).size).toBe(2)
    expect(decoded[0]!.buffer.byteLength).toBe(64 * 1024)
    expect(decoded[99]!.buffer.byteLength).toBe(15 * 768)
  })

  it("agrees on the edge cases", () => {
    for (
      const text of ["", "=", "==", "A", "AA", "AAA", "AA==", "AAA=", "A===", "AA=A", "====", "QR==", "\r\n", "AA\n=="]
    ) {
      expect([text, Base64.decode(text)]).toEqual([text, effectDecode(text)])
      expect([text, Base64.decodePortable(text)]).toEqual([text, effectDecode(text)])
    }
  })
})
