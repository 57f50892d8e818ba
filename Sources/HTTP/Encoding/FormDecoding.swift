extension Request {
    /// The media type of the body without parameters, lower-cased (`application/json`), or nil.
    public var mediaType: String? {
        guard let contentType = headers["Content-Type"] else { return nil }
        let type = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let trimmed = type.trimmingASCIIWhitespace()
        return trimmed.isEmpty ? nil : trimmed.lowercased()
    }

    /// The value of a Content-Type parameter such as `charset`, unquoted and lower-cased, or nil.
    func contentTypeParameter(_ name: String) -> String? {
        guard let contentType = headers["Content-Type"] else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            guard let equals = parameter.firstIndex(of: "=") else { continue }
            let key = parameter[..<equals].trimmingASCIIWhitespace()
            guard key.lowercased() == name else { continue }
            var value = parameter[parameter.index(after: equals)...].trimmingASCIIWhitespace()
            if value.count >= 2, value.first == "\"", value.last == "\"" {
                value = value.dropFirst().dropLast()
            }
            return value.lowercased()
        }
        return nil
    }

    /// The decoded `application/x-www-form-urlencoded` body.
    ///
    /// Any other Content-Type, or a charset other than UTF-8, is a 415: guessing at the
    /// encoding of a form is how a field gets read differently than it was meant.
    /// A malformed escape or non-UTF-8 content is a 400.
    public func formBody() throws(HTTPError) -> QueryParameters {
        guard mediaType == "application/x-www-form-urlencoded" else {
            throw HTTPError.unsupportedMediaType.with(detail: "Expected application/x-www-form-urlencoded.")
        }
        if let charset = contentTypeParameter("charset"), charset != "utf-8" {
            throw HTTPError.unsupportedMediaType.with(detail: "Only the UTF-8 charset is accepted.")
        }
        guard let text = String(validating: body, as: UTF8.self) else {
            throw HTTPError.badRequest("The form body is not valid UTF-8.")
        }
        do {
            return try QueryParameters(parsing: text)
        } catch {
            throw HTTPError.badRequest("The form body has a malformed percent-encoding.")
        }
    }
}
