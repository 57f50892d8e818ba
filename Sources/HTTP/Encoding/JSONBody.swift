import Foundation

extension Request {
    /// Whether the body is declared as JSON: `application/json` or any `application/...+json`.
    public var hasJSONBody: Bool {
        guard let mediaType else { return false }
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }

    /// Decodes the body as JSON.
    ///
    /// A missing or different Content-Type is a 415 (so a cross-site form post cannot smuggle
    /// JSON in as text/plain); a body that is not valid JSON, or not the expected shape, is a
    /// 400 whose detail names the field but never echoes values.
    public func decodeJSON<T: Decodable>(
        _ type: T.Type = T.self,
        decoder: JSONDecoder = JSONDecoder()
    ) throws(HTTPError) -> T {
        guard hasJSONBody else {
            throw HTTPError.unsupportedMediaType.with(detail: "Expected application/json.")
        }
        do {
            return try decoder.decode(T.self, from: Data(body))
        } catch let error as DecodingError {
            throw HTTPError.badRequest(Self.describe(error))
        } catch {
            throw HTTPError.badRequest("The request body is not valid JSON.")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, appending key: (any CodingKey)? = nil) -> String {
            var keys = context.codingPath
            if let key { keys.append(key) }
            let text = keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            // Keys can come from the client (dictionary members); keep the detail short.
            return text.count > 100 ? String(text.prefix(100)) + "…" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "The field \"\(path(context, appending: key))\" is missing."
        case .valueNotFound(_, let context):
            return "The field \"\(path(context))\" must not be null."
        case .typeMismatch(_, let context):
            return "The field \"\(path(context))\" has the wrong type."
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return "The field \"\(path(context))\" has an invalid value."
        default:
            return "The request body is not valid JSON."
        }
    }
}
