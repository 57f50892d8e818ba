/// Decoded name/value pairs from a query string or an `application/x-www-form-urlencoded` body.
///
/// Pairs keep their order and repeated names are all kept, because `a=1&a=2` is a list to some
/// clients; `first(_:)` is what a handler usually wants, `all(_:)` the rest. Names compare exactly
/// (case-sensitive), as the form encoding does.
public struct QueryParameters: Sendable, Equatable, Sequence {
    public struct Pair: Sendable, Equatable {
        public let name: String
        public let value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var pairs: [Pair]

    public init(_ pairs: [Pair] = []) {
        self.pairs = pairs
    }

    /// Parses `name=value&name2=value2` (WHATWG URL "application/x-www-form-urlencoded parsing"):
    /// empty members are skipped, a member without `=` has an empty value, `+` is a space, and a
    /// malformed `%` escape or non-UTF-8 result is an error rather than a guess.
    public init(parsing text: Substring) throws(PercentDecodingError) {
        var pairs: [Pair] = []
        for member in text.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let equals = member.firstIndex(of: "=") {
                name = member[..<equals]
                value = member[member.index(after: equals)...]
            } else {
                name = member
                value = ""
            }
            pairs.append(Pair(
                name: try PercentDecoding.decode(name, plusAsSpace: true),
                value: try PercentDecoding.decode(value, plusAsSpace: true)
            ))
        }
        self.pairs = pairs
    }

    public init(parsing text: String) throws(PercentDecodingError) {
        try self.init(parsing: text[...])
    }

    /// The first value given for `name`, or nil.
    public func first(_ name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// Every value given for `name`, in order.
    public func all(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    public func contains(_ name: String) -> Bool {
        pairs.contains { $0.name == name }
    }

    public var isEmpty: Bool { pairs.isEmpty }
    public var count: Int { pairs.count }

    public func makeIterator() -> IndexingIterator<[Pair]> { pairs.makeIterator() }
}

extension Request {
    /// The decoded query string; empty when the target has none.
    /// A malformed escape is a 400, so handlers never see a half-decoded value.
    public var query: QueryParameters {
        get throws(HTTPError) {
            guard let rawQuery else { return QueryParameters() }
            do {
                return try QueryParameters(parsing: rawQuery)
            } catch {
                throw HTTPError.badRequest("The query string has a malformed percent-encoding.")
            }
        }
    }
}
