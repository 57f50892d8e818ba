import Crypto
import Testing

/// Cheap parameters for tests that are about the format, not the cost.
let fast = try! PasswordHashParameters(logN: 4, blockSize: 1, parallelism: 1)

private func code(_ body: () throws -> Void) -> PasswordHashError.Code? {
    do {
        try body()
        return nil
    } catch let error as PasswordHashError {
        return error.code
    } catch {
        return nil
    }
}

@Suite("PasswordHash")
struct PasswordHashTests {
    @Test func recommendedParametersAreTheOWASPRow() {
        #expect(PasswordHashParameters.recommended.description == "ln=14,r=8,p=5")
    }

    @Test func roundTripWithRecommendedParameters() throws {
        let stored = try PasswordHash.make(password: "correct horse battery staple")
        #expect(stored.hasPrefix("$scrypt$ln=14,r=8,p=5$"))
        let parsed = try StoredPasswordHash(parsing: stored)
        #expect(parsed.salt.count == 16 && parsed.hash.count == 32)
        #expect(parsed.encoded == stored, "the stored string is canonical")
        #expect(try PasswordHash.verify(password: "correct horse battery staple", against: stored) == .match(needsRehash: false))
        #expect(try PasswordHash.verify(password: "correct horse battery stapl", against: stored) == .mismatch)
    }

    @Test func saltsDifferBetweenHashesOfOnePassword() throws {
        let first = try PasswordHash.make(password: "same", parameters: fast)
        let second = try PasswordHash.make(password: "same", parameters: fast)
        #expect(first != second)
    }

    @Test func wrongPasswordIsAMismatch() throws {
        let stored = try PasswordHash.make(password: "secret", parameters: fast)
        #expect(try PasswordHash.verify(password: "Secret", against: stored, current: fast) == .mismatch)
        #expect(try PasswordHash.verify(password: Array("secret".utf8), against: stored, current: fast) == .match(needsRehash: false))
    }

    @Test func tamperedSaltOrHashIsAMismatch() throws {
        let stored = try PasswordHash.make(password: "secret", parameters: fast)
        let parsed = try StoredPasswordHash(parsing: stored)
        var salt = parsed.salt
        salt[0] ^= 0x01
        var hash = parsed.hash
        hash[31] ^= 0x80
        let tamperedSalt = "$scrypt$\(parsed.parameters)$\(b64(salt))$\(b64(parsed.hash))"
        let tamperedHash = "$scrypt$\(parsed.parameters)$\(b64(parsed.salt))$\(b64(hash))"
        let tamperedParameters = "$scrypt$ln=5,r=1,p=1$\(b64(parsed.salt))$\(b64(parsed.hash))"
        #expect(try PasswordHash.verify(password: "secret", against: tamperedSalt, current: fast) == .mismatch)
        #expect(try PasswordHash.verify(password: "secret", against: tamperedHash, current: fast) == .mismatch)
        #expect(try PasswordHash.verify(password: "secret", against: tamperedParameters, current: fast) == .mismatch)
    }

    @Test func needsRehashWhenAnyStoredParameterIsWeaker() throws {
        let stored = try PasswordHash.make(password: "secret", parameters: fast)
        let raisedN = try PasswordHashParameters(logN: 5, blockSize: 1, parallelism: 1)
        let raisedR = try PasswordHashParameters(logN: 4, blockSize: 2, parallelism: 1)
        let raisedP = try PasswordHashParameters(logN: 4, blockSize: 1, parallelism: 2)
        for current in [raisedN, raisedR, raisedP] {
            #expect(try PasswordHash.verify(password: "secret", against: stored, current: current) == .match(needsRehash: true), "\(current)")
        }
        // A hash stronger than the current parameters is not downgraded.
        let strongerStored = try PasswordHash.make(password: "secret", parameters: raisedN)
        #expect(try PasswordHash.verify(password: "secret", against: strongerStored, current: fast) == .match(needsRehash: false))
        // A wrong password never reports a rehash.
        #expect(try PasswordHash.verify(password: "nope", against: stored, current: raisedN) == .mismatch)
    }

    @Test func shortSaltOrHashNeedsRehash() throws {
        // A hash written with a 16-byte output (older writer) still verifies but is upgraded.
        let salt = [UInt8](repeating: 7, count: 16)
        let short = try Scrypt.derive(password: Array("pw".utf8), salt: salt, parameters: fast, length: 16)
        let stored = "$scrypt$ln=4,r=1,p=1$\(b64(salt))$\(b64(short))"
        #expect(try PasswordHash.verify(password: "pw", against: stored, current: fast) == .match(needsRehash: true))
    }

    @Test(arguments: [0, 1025])
    func passwordLengthIsBounded(_ length: Int) throws {
        let password = [UInt8](repeating: 0x61, count: length)
        #expect(code { _ = try PasswordHash.make(password: password, parameters: fast) } == .passwordLength)
        let stored = try PasswordHash.make(password: "x", parameters: fast)
        #expect(code { _ = try PasswordHash.verify(password: password, against: stored, current: fast) } == .passwordLength)
    }

    @Test func longestPasswordIsAccepted() throws {
        let password = [UInt8](repeating: 0x61, count: 1024)
        let stored = try PasswordHash.make(password: password, parameters: fast)
        #expect(try PasswordHash.verify(password: password, against: stored, current: fast) == .match(needsRehash: false))
    }

    @Test func dummyVerifyAlwaysFailsAndRunsScrypt() {
        #expect(PasswordHash.dummyVerify(password: "anything", parameters: fast) == .mismatch)
        #expect(PasswordHash.dummyVerify(password: [UInt8](repeating: 1, count: 5000), parameters: fast) == .mismatch)
        #expect(PasswordHash.dummyVerify(password: "") == .mismatch)
    }

    @Test func errorsNeverContainThePassword() throws {
        let secret = String(repeating: "hunter2", count: 200)
        do {
            _ = try PasswordHash.make(password: secret, parameters: fast)
            Issue.record("expected a length error")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
    }
}

@Suite("Stored hash parsing")
struct StoredHashParsingTests {
    static let salt = b64([UInt8](repeating: 1, count: 16))
    static let hash = b64([UInt8](repeating: 2, count: 32))

    struct Case: Sendable, CustomTestStringConvertible {
        let stored: String
        let code: PasswordHashError.Code
        let reason: String
        var testDescription: String { reason }
    }

    static let cases: [Case] = [
        Case(stored: "", code: .unknownScheme, reason: "empty string"),
        Case(stored: "$2b$12$abcdefghijklmnopqrstuv", code: .unknownScheme, reason: "bcrypt, another scheme"),
        Case(stored: "$argon2id$v=19$m=19456,t=2,p=1$\(salt)$\(hash)", code: .unknownScheme, reason: "argon2id, another scheme"),
        Case(stored: "$SCRYPT$ln=14,r=8,p=5$\(salt)$\(hash)", code: .unknownScheme, reason: "scheme is case-sensitive"),
        Case(stored: "scrypt$ln=14,r=8,p=5$\(salt)$\(hash)", code: .unknownScheme, reason: "missing leading $"),
        Case(stored: "$scrypt$ln=14,r=8,p=5$\(salt)", code: .malformedHash, reason: "hash field missing"),
        Case(stored: "$scrypt$ln=14,r=8,p=5$\(salt)$\(hash)$", code: .malformedHash, reason: "trailing field"),
        Case(stored: "$scrypt$ln=14,r=8,p=5$$\(hash)", code: .malformedHash, reason: "empty salt"),
        Case(stored: "$scrypt$ln=14,r=8,p=5$\(salt)$", code: .malformedHash, reason: "empty hash"),
        Case(stored: "$scrypt$ln=14,r=8,p=5$\(salt)==$\(hash)", code: .malformedHash, reason: "padding is not part of PHC base64"),
        Case(stored: "$scrypt$ln=14,r=8,p=5$\(salt)$\(hash.dropLast())_", code: .malformedHash, reason: "base64url character"),
        Case(stored: "$scrypt$ln=14,r=8,p=5$AQEBAQEBAQEBAQEBAQEBAR$\(hash)", code: .malformedHash, reason: "non-zero trailing bits"),
        Case(stored: "$scrypt$ln=14,r=8,p=5$\(b64([UInt8](repeating: 1, count: 8)))$\(hash)", code: .malformedHash, reason: "salt shorter than 16 bytes"),
        Case(stored: "$scrypt$ln=14,r=8,p=5$\(salt)$\(b64([UInt8](repeating: 2, count: 65)))", code: .malformedHash, reason: "hash longer than 64 bytes"),
        Case(stored: "$scrypt$ln=14,r=8,p=5$\(salt)$" + String(repeating: "A", count: 600), code: .malformedHash, reason: "over the length cap"),
        Case(stored: "$scrypt$r=8,ln=14,p=5$\(salt)$\(hash)", code: .badParameters, reason: "parameters out of order"),
        Case(stored: "$scrypt$ln=14,r=8$\(salt)$\(hash)", code: .badParameters, reason: "p missing"),
        Case(stored: "$scrypt$ln=14,r=8,p=5,x=1$\(salt)$\(hash)", code: .badParameters, reason: "extra parameter"),
        Case(stored: "$scrypt$ln=014,r=8,p=5$\(salt)$\(hash)", code: .badParameters, reason: "leading zero"),
        Case(stored: "$scrypt$ln=+14,r=8,p=5$\(salt)$\(hash)", code: .badParameters, reason: "sign"),
        Case(stored: "$scrypt$ln=,r=8,p=5$\(salt)$\(hash)", code: .badParameters, reason: "empty value"),
        Case(stored: "$scrypt$ln=99999999999999999999,r=8,p=5$\(salt)$\(hash)", code: .badParameters, reason: "huge number does not overflow"),
        Case(stored: "$scrypt$ln=14,r=8,p=5 $\(salt)$\(hash)", code: .badParameters, reason: "stray space"),
        Case(stored: "$scrypt$ln=0,r=8,p=5$\(salt)$\(hash)", code: .parametersOutOfRange, reason: "N=1 is no work"),
        Case(stored: "$scrypt$ln=40,r=8,p=1$\(salt)$\(hash)", code: .parametersOutOfRange, reason: "N=2^40 would allocate terabytes"),
        Case(stored: "$scrypt$ln=20,r=8,p=1$\(salt)$\(hash)", code: .parametersOutOfRange, reason: "1 GiB: over the memory cap"),
        Case(stored: "$scrypt$ln=18,r=8,p=1$\(salt)$\(hash)", code: .parametersOutOfRange, reason: "256 MiB: over the memory cap"),
        Case(stored: "$scrypt$ln=14,r=9999,p=1$\(salt)$\(hash)", code: .parametersOutOfRange, reason: "r beyond its cap"),
        Case(stored: "$scrypt$ln=14,r=8,p=9999$\(salt)$\(hash)", code: .parametersOutOfRange, reason: "p beyond its cap"),
        Case(stored: "$scrypt$ln=17,r=8,p=16$\(salt)$\(hash)", code: .parametersOutOfRange, reason: "within memory but over the work cap"),
        Case(stored: "$scrypt$ln=14,r=8,p=0$\(salt)$\(hash)", code: .parametersOutOfRange, reason: "p=0"),
    ]

    @Test(arguments: cases)
    func refusesBeforeDeriving(_ testCase: Case) {
        #expect(code { _ = try StoredPasswordHash(parsing: testCase.stored) } == testCase.code)
        #expect(code { _ = try PasswordHash.verify(password: "pw", against: testCase.stored) } == testCase.code)
    }

    @Test func acceptsTheHeaviestOWASPRow() throws {
        // N=2^17, r=8, p=1 (128 MiB) is within the caps; parsing only, no derivation.
        let parsed = try StoredPasswordHash(parsing: "$scrypt$ln=17,r=8,p=1$\(Self.salt)$\(Self.hash)")
        #expect(parsed.parameters.n == 1 << 17)
    }
}

/// Unpadded standard base64, written independently of the code under test.
func b64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    var bits = 0
    var count = 0
    var out = ""
    for byte in bytes {
        bits = bits << 8 | Int(byte)
        count += 8
        while count >= 6 {
            count -= 6
            out.append(alphabet[(bits >> count) & 0x3F])
        }
    }
    if count > 0 { out.append(alphabet[(bits << (6 - count)) & 0x3F]) }
    return out
}
