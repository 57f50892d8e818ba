import Crypto
import Glibc

/// A compact JWS (RFC 7515 section 7.1) that has been parsed and nothing more.
///
/// Its header has passed the checks that need no key (see `JOSEHeader`), but nothing in it is
/// trusted, and its payload is not even exposed: the only way to the payload is
/// `JWSVerifier.verify`, which returns a `VerifiedJWS`.
///
/// A class, not a struct: it is handed along (to the header rules, the verifier, the verified
/// result) and copying a struct of a header and three arrays costs a retain and a release per
/// member each time; a reference costs one.
public final class UnverifiedJWS: Sendable {
    /// The default cap on a token's size. ID tokens are a few kilobytes; 64 KiB leaves room for
    /// large claim sets while keeping a hostile token from costing much to look at.
    public static let defaultMaximumBytes = 65536

    public let header: JOSEHeader
    /// The ASCII bytes `BASE64URL(header) '.' BASE64URL(payload)`, which the signature covers.
    let signingInput: [UInt8]
    /// The decoded payload, released only through verification.
    let payload: [UInt8]
    /// The decoded signature.
    let signature: [UInt8]

    private init(header: JOSEHeader, signingInput: [UInt8], payload: [UInt8], signature: [UInt8]) {
        self.header = header
        self.signingInput = signingInput
        self.payload = payload
        self.signature = signature
    }

    /// Parses `token`, which must be exactly `header.payload.signature` in base64url with no
    /// padding, no whitespace and at most `maxBytes` bytes of UTF-8.
    public static func parse(_ token: some StringProtocol, maxBytes: Int = defaultMaximumBytes) throws(JOSEError) -> UnverifiedJWS {
        // The size check comes first, before anything is copied or decoded.
        if token.utf8.count > maxBytes { throw .tooLarge("JWS is larger than \(maxBytes) bytes") }
        return try parse(String(token), maxBytes: maxBytes)
    }

    /// Parses `token`, as `parse(_:maxBytes:)` for any `StringProtocol` does. This overload
    /// takes the usual `String` without the generic version's dispatch through `StringProtocol`
    /// and its conversion, which cost a few hundred instructions on every token.
    public static func parse(_ token: String, maxBytes: Int = defaultMaximumBytes) throws(JOSEError) -> UnverifiedJWS {
        if token.utf8.count > maxBytes { throw .tooLarge("JWS is larger than \(maxBytes) bytes") }
        var text = token
        // withUTF8 only rethrows untyped errors, so the typed error travels out in a Result.
        let result = text.withUTF8 { bytes in
            Result { () throws(JOSEError) -> UnverifiedJWS in try parse(bytes, maxBytes: maxBytes) }
        }
        return try result.get()
    }

    /// Parses the UTF-8 bytes of a compact JWS; see `parse(_:maxBytes:)`.
    public static func parse(bytes: [UInt8], maxBytes: Int = defaultMaximumBytes) throws(JOSEError) -> UnverifiedJWS {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JOSEError) -> UnverifiedJWS in try parse(buffer, maxBytes: maxBytes) }
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, maxBytes: Int) throws(JOSEError) -> UnverifiedJWS {
        if bytes.count > maxBytes { throw .tooLarge("JWS is larger than \(maxBytes) bytes") }
        // Split on '.' bytes; a String split would walk grapheme clusters for nothing.
        guard let firstDot = indexOfDot(in: bytes, from: 0),
              let secondDot = indexOfDot(in: bytes, from: firstDot + 1)
        else { throw .malformed("JWS has fewer than three segments") }
        if indexOfDot(in: bytes, from: secondDot + 1) != nil { throw .malformed("JWS has more than three segments") }
        guard firstDot > 0 else { throw .malformed("JWS header segment is empty") }

        // Headers repeat from token to token (one per provider key): see `JOSEHeaderCache`.
        let header = try JOSEHeaderCache.shared.header(forEncoded: UnsafeBufferPointer(rebasing: bytes[0..<firstDot]))
        let payload: [UInt8], signature: [UInt8]
        do {
            payload = try Base64URL.decode(UnsafeBufferPointer(rebasing: bytes[(firstDot + 1)..<secondDot]))
            signature = try Base64URL.decode(UnsafeBufferPointer(rebasing: bytes[(secondDot + 1)...]))
        } catch {
            throw .base64URL(error)
        }
        return UnverifiedJWS(
            header: header,
            signingInput: Array(UnsafeBufferPointer(rebasing: bytes[0..<secondDot])),
            payload: payload,
            signature: signature
        )
    }

    /// The index of the first '.' at or after `start`. `memchr` scans a whole token in a few
    /// dozen cycles; a byte-by-byte loop takes one per byte, and every token is scanned in full.
    private static func indexOfDot(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, start < bytes.count else { return nil }
        guard let found = memchr(base + start, Int32(UInt8(ascii: ".")), bytes.count - start) else { return nil }
        return UnsafeRawPointer(found) - UnsafeRawPointer(base)
    }
}
