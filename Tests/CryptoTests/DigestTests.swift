import Crypto
import Testing

/// SHA-256 as Store's migration checksums use it, against the FIPS 180-2 vectors Store's own
/// SHA-256 was checked with before it went.
@Suite("SHA-256")
struct DigestTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let message: String
        let digest: String
        let reason: String
        var testDescription: String { reason }
    }

    @Test(arguments: [
        Vector(message: "", digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
               reason: "empty message: padding block only"),
        Vector(message: "abc", digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
               reason: "FIPS 180-2 one-block example"),
        Vector(message: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
               digest: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
               reason: "FIPS 180-2 448-bit example: the length no longer fits the first block"),
        Vector(message: String(repeating: "a", count: 64),
               digest: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
               reason: "exactly one block of input, padding spills into a second"),
        Vector(message: "héllo ✓", digest: "5657cdef8a85a584e0e961e6f8247cf5d3f8ed21496ed6fdbcfd43a761e94245",
               reason: "multi-byte UTF-8 is hashed as its bytes"),
    ])
    func knownVectors(_ vector: Vector) {
        #expect(Digest.hex(Digest.sha256(Array(vector.message.utf8))) == vector.digest)
    }

    @Test("one million 'a' (FIPS 180-2 long message)")
    func millionAs() {
        let digest = Digest.hex(Digest.sha256([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
        #expect(digest == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
