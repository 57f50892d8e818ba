import Crypto
import Testing
@testable import JOSE

@Suite("Compact JWS parsing")
struct CompactParsingTests {
    static let header = encodedHeader("{\"alg\":\"ES256\",\"kid\":\"k\",\"typ\":\"JWT\"}")
    static let payload = Base64URL.encode(Array("{}".utf8))
    static let signature = Base64URL.encode([UInt8](repeating: 1, count: 64))

    @Test("a well-formed token parses into its header")
    func parses() throws {
        let jws = try UnverifiedJWS.parse("\(Self.header).\(Self.payload).\(Self.signature)")
        #expect(jws.header.algorithm == "ES256")
        #expect(jws.header.keyID == "k")
        #expect(jws.header.type == "JWT")
        #expect(jws.signature.count == 64)
        #expect(jws.signingInput == Array("\(Self.header).\(Self.payload)".utf8))
    }

    @Test("structural faults are refused as malformed", arguments: [
        ("\(header).\(payload)", "two segments"),
        ("\(header).\(payload).\(signature).x", "four segments"),
        ("\(header).a.b.c.d", "five segments (a JWE)"),
        ("", "empty"),
        ("..", "empty segments"),
        (".\(payload).\(signature)", "empty header"),
        ("\(header)=.\(payload).\(signature)", "padding in the header"),
        ("\(header).\(payload).\(signature)=", "padding in the signature"),
        ("\(header).\(payload).\(signature) ", "trailing space"),
        (" \(header).\(payload).\(signature)", "leading space"),
        ("\(header).\(payload)\n.\(signature)", "newline inside"),
        ("\(encodedHeader("[\"alg\",\"ES256\"]")).\(payload).\(signature)", "header is an array"),
        ("\(encodedHeader("\"ES256\"")).\(payload).\(signature)", "header is a string"),
        ("\(encodedHeader("{\"alg\":\"ES256\"")).\(payload).\(signature)", "header JSON not closed"),
        ("\(encodedHeader("{\"alg\":\"ES256\"} x")).\(payload).\(signature)", "trailing bytes after header JSON"),
        ("\(encodedHeader("{}")).\(payload).\(signature)", "no alg"),
        ("\(encodedHeader("{\"alg\":256}")).\(payload).\(signature)", "alg is a number"),
        ("\(encodedHeader("{\"alg\":null}")).\(payload).\(signature)", "alg is null"),
        ("\(encodedHeader("{\"alg\":\"ES256\",\"typ\":1}")).\(payload).\(signature)", "typ is a number"),
        ("\(Base64URL.encode([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])).\(payload).\(signature)", "header is not UTF-8"),
    ])
    func malformed(_ token: String, _ reason: String) {
        #expect(errorCode { try UnverifiedJWS.parse(token) } == .malformed, "\(reason)")
    }

    @Test("a token over the size cap is refused before it is decoded")
    func oversized() {
        let big = Base64URL.encode([UInt8](repeating: 0x41, count: 70_000))
        #expect(errorCode { try UnverifiedJWS.parse("\(Self.header).\(big).\(Self.signature)") } == .tooLarge)
        let token = "\(Self.header).\(Self.payload).\(Self.signature)"
        #expect(errorCode { try UnverifiedJWS.parse(token, maxBytes: token.utf8.count - 1) } == .tooLarge)
        #expect(errorCode { try UnverifiedJWS.parse(token, maxBytes: token.utf8.count) } == nil)
        #expect(errorCode { try UnverifiedJWS.parse(bytes: Array(token.utf8), maxBytes: 10) } == .tooLarge)
        // The StringProtocol entry point keeps the same cap as the String one.
        let line = "Bearer \(token)"
        #expect(errorCode { try UnverifiedJWS.parse(line.dropFirst(7), maxBytes: token.utf8.count - 1) } == .tooLarge)
        #expect(errorCode { try UnverifiedJWS.parse(line.dropFirst(7), maxBytes: token.utf8.count) } == nil)
    }

    @Test("a Substring token parses the same as a String")
    func substring() throws {
        let line = "Bearer \(Self.header).\(Self.payload).\(Self.signature)"
        let jws = try UnverifiedJWS.parse(line.dropFirst(7))
        #expect(jws.header.keyID == "k")
    }
}
