/// An RFC 9457 problem-details object, rendered as `application/problem+json`.
///
/// `type` defaults to `about:blank`, which per the RFC means "nothing more than the status";
/// `title` should then be the status's reason phrase. Extension members (`request_id`, for
/// example) sit beside the standard ones at the top level, as the RFC requires.
public struct ProblemDetails: Sendable, Equatable {
    public static let mediaType = "application/problem+json"

    public var type: String
    public var title: String
    public var status: HTTPStatus
    public var detail: String?
    public var instance: String?
    /// Extra top-level members. A name that collides with a standard member is ignored when
    /// encoding, so an extension can never overwrite `status` or `type`.
    public var extensions: [String: JSONValue]

    public init(
        type: String = "about:blank",
        title: String? = nil,
        status: HTTPStatus,
        detail: String? = nil,
        instance: String? = nil,
        extensions: [String: JSONValue] = [:]
    ) {
        self.type = type
        self.title = title ?? status.reasonPhrase
        self.status = status
        self.detail = detail
        self.instance = instance
        self.extensions = extensions
    }

    static let standardMembers: Set<String> = ["type", "title", "status", "detail", "instance"]

    /// The problem as one JSON object: the standard members (`detail` and `instance` only when
    /// set) beside the extensions.
    public var jsonValue: JSONValue {
        var members = extensions.filter { !Self.standardMembers.contains($0.key) }
        members["type"] = .string(type)
        members["title"] = .string(title)
        members["status"] = .int(status.code)
        if let detail { members["detail"] = .string(detail) }
        if let instance { members["instance"] = .string(instance) }
        return .object(members)
    }

    /// The JSON bytes, with sorted keys so that output is stable for caches and tests.
    public func encoded() -> [UInt8] {
        if let bytes = try? jsonValue.serialized() {
            return bytes
        }
        // Only a `.number` whose text is no JSON number can fail; drop the extensions rather than the problem.
        var plain = self
        plain.extensions = [:]
        return (try? plain.jsonValue.serialized()) ?? Array(#"{"status":500}"#.utf8)
    }
}
