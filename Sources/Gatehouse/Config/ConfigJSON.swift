/// A JSON document as read from a configuration file.
///
/// Our own tree rather than `JSONSerialization`'s `Any`: booleans stay booleans (Foundation
/// hands back `NSNumber` for `true`), object members keep their order for stable error
/// reports, and numbers keep their literal text so `1.5` or `1e3` can be refused where an
/// integer is expected instead of being rounded.
enum ConfigJSON: Sendable, Equatable {
    case object([JSONMember])
    case array([ConfigJSON])
    case string(String)
    /// The number's literal text as written, already checked against the JSON grammar.
    case number(String)
    case bool(Bool)
    case null

    /// "a string", "an object" ...: the phrase used after "found" in problem messages.
    var kindDescription: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}

/// One `"key": value` pair of a JSON object, in document order.
struct JSONMember: Sendable, Equatable {
    let key: String
    let value: ConfigJSON
}
