/// A JWK Set (RFC 7517 section 5): the keys a provider publishes.
///
/// A key that cannot be parsed or is not supported (an encryption-only key type, a weak RSA key,
/// a point off its curve) is skipped and recorded in `skipped`, not fatal: providers publish keys
/// for other purposes beside the ones we need, and one odd key must not lock every user out.
/// Only a document that is not a key set at all is an error.
public struct JSONWebKeySet: Sendable {
    /// A key left out of `keys`, with why, for diagnostics. Holds no key material.
    public struct SkippedKey: Sendable, Equatable {
        /// The key's position in the document's `keys` array.
        public let index: Int
        /// The key's `kid`, when it had a string one.
        public let keyID: String?
        public let code: JOSEError.Code
        public let reason: String
    }

    /// The default cap on a JWKS document's size.
    public static let defaultMaximumBytes = 1 << 20

    public let keys: [JSONWebKey]
    public let skipped: [SkippedKey]

    /// Parses a JWKS document: a JSON object whose `keys` member is an array of JWKs.
    public init(json: [UInt8], maxBytes: Int = defaultMaximumBytes) throws(JOSEError) {
        if json.count > maxBytes { throw .tooLarge("JWKS is larger than \(maxBytes) bytes") }
        let value: JSONValue
        do { value = try JSONValue.parse(json) } catch { throw .malformedJSON(error) }
        guard case .object(let document) = value else { throw .malformed("JWKS is not a JSON object") }
        guard case .array(let entries)? = document["keys"] else { throw .malformed("JWKS has no keys array") }
        var keys: [JSONWebKey] = []
        var skipped: [SkippedKey] = []
        for (index, entry) in entries.enumerated() {
            guard case .object(let members) = entry else {
                skipped.append(SkippedKey(index: index, keyID: nil, code: .malformed, reason: "entry is not a JSON object"))
                continue
            }
            do {
                keys.append(try JSONWebKey(members: members))
            } catch {
                skipped.append(SkippedKey(index: index, keyID: members["kid"]?.stringValue, code: error.code, reason: error.message))
            }
        }
        self.keys = keys
        self.skipped = skipped
    }

    /// A set of keys built by the caller.
    public init(keys: [JSONWebKey]) {
        self.keys = keys
        self.skipped = []
    }
}
