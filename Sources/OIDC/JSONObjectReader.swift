import JOSE

/// Reads the members of one JSON object document (a discovery document, a token response, a
/// userinfo response) with typed accessors that fail with the document's own error code.
///
/// A member that is present with the wrong type is an error, never "absent": a provider that
/// writes `"authorization_response_iss_parameter_supported": "false"` has said something we do
/// not understand, and guessing is how a check gets skipped.
struct JSONObjectReader {
    let members: [String: JSONValue]
    let code: OIDCError.Code
    /// What the document is, for messages ("discovery document").
    let what: String

    init(bytes: [UInt8], maximumBytes: Int, code: OIDCError.Code, what: String) throws(OIDCError) {
        guard bytes.count <= maximumBytes else {
            throw .make(.responseTooLarge, "\(what) is larger than \(maximumBytes) bytes")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw .make(code, "\(what) is not valid JSON: \(error.message)")
        }
        guard case .object(let members) = value else { throw .make(code, "\(what) is not a JSON object") }
        self.members = members
        self.code = code
        self.what = what
    }

    func requiredString(_ name: String) throws(OIDCError) -> String {
        guard let value = try optionalString(name) else { throw .make(code, "\(what) has no \(name)") }
        return value
    }

    func optionalString(_ name: String) throws(OIDCError) -> String? {
        guard let value = members[name] else { return nil }
        guard case .string(let text) = value else { throw .make(code, "\(what) member \(name) is not a string") }
        return text
    }

    func optionalStringArray(_ name: String) throws(OIDCError) -> [String]? {
        guard let value = members[name] else { return nil }
        guard case .array(let elements) = value else { throw .make(code, "\(what) member \(name) is not an array") }
        var strings: [String] = []
        for element in elements {
            guard case .string(let text) = element else { throw .make(code, "\(what) member \(name) holds a non-string") }
            strings.append(text)
        }
        return strings
    }

    func optionalBool(_ name: String) throws(OIDCError) -> Bool? {
        guard let value = members[name] else { return nil }
        guard case .bool(let flag) = value else { throw .make(code, "\(what) member \(name) is not a JSON boolean") }
        return flag
    }

    /// A non-negative integer, as `expires_in` must be.
    func optionalNonNegativeInteger(_ name: String) throws(OIDCError) -> Int64? {
        guard let value = members[name] else { return nil }
        guard let number = value.int64Value, number >= 0 else {
            throw .make(code, "\(what) member \(name) is not a non-negative integer")
        }
        return number
    }
}
