import Crypto
import JOSE

/// The secret a session cookie carries: 256 random bits from OpenSSL, base64url-encoded.
///
/// Only `hash` (SHA-256 of the raw bytes) is ever stored, so a copy of the database does not
/// yield a live session; the raw value exists only in the browser's cookie and in this value.
public struct SessionToken: Sendable, Equatable {
    public let bytes: [UInt8]

    public static let byteCount = 32

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    public static func generate() throws(SecureRandom.Failure) -> SessionToken {
        SessionToken(bytes: try SecureRandom.bytes(byteCount))
    }

    /// Parses a cookie value; anything that is not exactly 32 bytes of strict base64url is no token.
    public init?(cookieValue: some StringProtocol) {
        guard cookieValue.utf8.count == 43, let bytes = try? Base64URL.decode(cookieValue), bytes.count == Self.byteCount else {
            return nil
        }
        self.bytes = bytes
    }

    public var cookieValue: String { Base64URL.encode(bytes) }

    /// What the database stores and looks up by.
    public var hash: [UInt8] { Digest.sha256(bytes) }
}
