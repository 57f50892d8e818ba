import Crypto
import Testing

/// RFC 7914 section 12, through `Scrypt.derive`. The fourth vector (N=2^20, 1 GiB) is beyond
/// our memory cap and is checked as a refusal instead.
@Suite("scrypt RFC 7914 vectors")
struct ScryptVectorTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let password: String
        let salt: String
        let logN: Int
        let r: Int
        let p: Int
        let hex: String
        var testDescription: String { "P=\"\(password)\" S=\"\(salt)\" N=2^\(logN) r=\(r) p=\(p)" }
    }

    static let vectors: [Vector] = [
        // Empty password and salt, the smallest parameters.
        Vector(password: "", salt: "", logN: 4, r: 1, p: 1, hex: "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"),
        // p=16 exercises the parallel mixes.
        Vector(password: "password", salt: "NaCl", logN: 10, r: 8, p: 16, hex: "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"),
        // N=2^14, r=8: the memory size of our recommended parameters.
        Vector(password: "pleaseletmein", salt: "SodiumChloride", logN: 14, r: 8, p: 1, hex: "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887"),
    ]

    @Test(arguments: vectors)
    func derivesTheRFCOutput(_ vector: Vector) throws {
        let parameters = try PasswordHashParameters(logN: vector.logN, blockSize: vector.r, parallelism: vector.p)
        let derived = try Scrypt.derive(password: Array(vector.password.utf8), salt: Array(vector.salt.utf8), parameters: parameters, length: 64)
        #expect(hex(derived) == vector.hex)
    }

    @Test func theGibibyteVectorIsBeyondTheCap() {
        // RFC 7914's fourth vector: N=2^20, r=8 needs 1 GiB.
        #expect(throws: PasswordHashError.self) {
            _ = try PasswordHashParameters(logN: 20, blockSize: 8, parallelism: 1)
        }
    }

    private func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}
