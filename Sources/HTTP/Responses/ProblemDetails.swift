import Foundation

/// An RFC 9457 problem-details object, rendered as `application/problem+json`.
///
/// `type` defaults to `about:blank`, which per the RFC means "nothing more than the status";
/// `title` should then be the status's reason phrase. Extension members (`request_id`, for
/// example) sit beside the standard ones at the top level, as the RFC requires.
public struct ProblemDetails: Sendable, Equatable, Encodable {
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

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(type, forKey: DynamicKey("type"))
        try container.encode(title, forKey: DynamicKey("title"))
        try container.encode(status.code, forKey: DynamicKey("status"))
        try container.encodeIfPresent(detail, forKey: DynamicKey("detail"))
        try container.encodeIfPresent(instance, forKey: DynamicKey("instance"))
        for (name, value) in extensions where !Self.standardMembers.contains(name) {
            try container.encode(value, forKey: DynamicKey(name))
        }
    }

    /// The JSON bytes, with sorted keys so that output is stable for caches and tests.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(self) {
            return Array(data)
        }
        // Only a non-finite Double in an extension can fail; drop the extensions rather than the problem.
        var plain = self
        plain.extensions = [:]
        return (try? encoder.encode(plain)).map { Array($0) } ?? Array(#"{"status":500}"#.utf8)
    }
}
