import Crypto

/// The protected header of a compact JWS (RFC 7515 section 4), already checked for the rules
/// that make a token unusable whatever the key: `alg` present and a string, `kid`/`typ`/`cty`
/// strings when present, no `crit`.
///
/// `jku`, `x5u`, `jwk` and `x5c` stay in `parameters` only: this library never fetches them and
/// never takes a key from them. A token that carries its own key proves nothing about who signed
/// it, and a URL in a token would let its author choose where our server connects to. Keys come
/// only from the `JSONWebKeySet` the caller got from the provider it trusts.
public struct JOSEHeader: Sendable, Equatable {
    /// The `alg` member exactly as written; `JWSAlgorithm(rawValue:)` says whether we implement it.
    public let algorithm: String
    /// The `kid` member, compared byte for byte against the keys' `kid`.
    public let keyID: String?
    /// The `typ` member (the OIDC layer refuses `at+jwt` for ID tokens).
    public let type: String?
    /// The `cty` member.
    public let contentType: String?
    /// Every member as parsed, in document order, including those we ignore. Nothing here is
    /// trusted before verification.
    public let members: [JSONObjectMember]

    /// Every member as parsed, by name. Built on each use: the verifier reads the few members it
    /// needs once, in `init`, and a dictionary per token would cost it hashing nobody uses.
    public var parameters: [String: JSONValue] { members.dictionary }

    /// Decodes the header's base64url text, as it stands in a token, and parses and checks it.
    /// The decoded bytes are parsed once and dropped: decoded into a temporary buffer (on the
    /// stack when small, as headers are), not an array allocated and freed for every token.
    init(encoded text: UnsafeBufferPointer<UInt8>) throws(JOSEError) {
        self = try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Base64URL.decodedCount(text.count)) {
            (buffer) throws(JOSEError) -> JOSEHeader in
            let count: Int
            do throws(Base64URLError) { count = try Base64URL.decode(text, into: buffer) } catch { throw .base64URL(error) }
            return try JOSEHeader(json: UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Parses and checks the decoded header bytes.
    init(json: UnsafeBufferPointer<UInt8>) throws(JOSEError) {
        // A header that is not a JSON object fails here as `malformed`, like any other bad JSON.
        let members: [JSONObjectMember]
        do { members = try JSONValue.parseObjectMembers(json) } catch { throw .malformedJSON(error) }
        // One pass picks out the members we read (a header has a handful, and five hashed lookups
        // cost more than walking them); the checks then run in a fixed order, so a header with
        // several faults always gets the same error.
        var alg, kid, typ, cty, crit: JSONValue?
        for member in members {
            let value = member.value
            switch member.name {
            case "alg": alg = value
            case "kid": kid = value
            case "typ": typ = value
            case "cty": cty = value
            case "crit": crit = value
            default: continue
            }
        }
        guard let alg else { throw .malformed("JWS header has no alg") }
        guard case .string(let algorithm) = alg else { throw .malformed("JWS header alg is not a string") }
        self.algorithm = algorithm
        self.keyID = try Self.optionalString(kid, named: "kid")
        self.type = try Self.optionalString(typ, named: "typ")
        self.contentType = try Self.optionalString(cty, named: "cty")
        try Self.checkCritical(crit)
        self.members = members
    }

    private static func optionalString(_ value: JSONValue?, named name: String) throws(JOSEError) -> String? {
        guard let value else { return nil }
        guard case .string(let text) = value else { throw .malformed("JWS header \(name) is not a string") }
        return text
    }

    /// RFC 7515 section 4.1.11: `crit` lists extensions the recipient must understand, or refuse
    /// the token. We implement none, so a well-formed `crit` means refusal (`criticalHeader`); a
    /// malformed one (not an array, empty, non-strings) is refused as `malformed`.
    private static func checkCritical(_ crit: JSONValue?) throws(JOSEError) {
        guard let crit else { return }
        guard case .array(let names) = crit, !names.isEmpty else {
            throw .malformed("JWS header crit is not a non-empty array")
        }
        for name in names {
            guard case .string(let text) = name, !text.isEmpty else {
                throw .malformed("JWS header crit holds something other than a non-empty string")
            }
        }
        throw .criticalHeader("JWS header crit names \(names.count) extension(s) this verifier does not implement")
    }
}
