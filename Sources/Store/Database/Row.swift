/// The column names of one result set, shared by all its rows so each row does not carry its own copy.
final class ColumnLayout: Sendable {
    let names: [String]
    private let indexByName: [String: Int]

    init(names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        // The first column of a given name wins, as in SQLite's own lookups.
        for (position, name) in names.enumerated() where index[name] == nil {
            index[name] = position
        }
        indexByName = index
    }

    func index(of name: String) -> Int? { indexByName[name] }
}

/// One result row. Typed accessors throw `.typeMismatch` instead of trapping, because a schema
/// drift or a wrong query must surface as an error the caller can report, never as a crash.
public struct Row: Sendable, Equatable {
    public let values: [SQLValue]
    let layout: ColumnLayout

    init(values: [SQLValue], layout: ColumnLayout) {
        self.values = values
        self.layout = layout
    }

    public static func == (lhs: Row, rhs: Row) -> Bool {
        lhs.values == rhs.values && lhs.layout.names == rhs.layout.names
    }

    public var columnNames: [String] { layout.names }

    /// The raw value of a column, or nil when the query did not select it.
    public subscript(column: String) -> SQLValue? {
        layout.index(of: column).map { values[$0] }
    }

    /// The raw value at a position, or nil when out of range.
    public subscript(index: Int) -> SQLValue? {
        values.indices.contains(index) ? values[index] : nil
    }

    /// The raw value of a column; throws `.columnNotFound` if the query did not select it.
    public func value(_ column: String) throws(StoreError) -> SQLValue {
        guard let index = layout.index(of: column) else {
            throw StoreError(code: .columnNotFound, message: "no column named \(column) in the result")
        }
        return values[index]
    }

    /// The raw value at a position; throws `.columnNotFound` when out of range.
    public func value(at index: Int) throws(StoreError) -> SQLValue {
        guard values.indices.contains(index) else {
            throw StoreError(code: .columnNotFound, message: "no column at index \(index) (the row has \(values.count))")
        }
        return values[index]
    }

    // MARK: By column name

    public func int64(_ column: String) throws(StoreError) -> Int64 { try required(value(column), column, Self.asInt64) }
    public func optionalInt64(_ column: String) throws(StoreError) -> Int64? { try optional(value(column), column, Self.asInt64) }
    public func int(_ column: String) throws(StoreError) -> Int { try required(value(column), column, Self.asInt) }
    public func optionalInt(_ column: String) throws(StoreError) -> Int? { try optional(value(column), column, Self.asInt) }
    public func double(_ column: String) throws(StoreError) -> Double { try required(value(column), column, Self.asDouble) }
    public func optionalDouble(_ column: String) throws(StoreError) -> Double? { try optional(value(column), column, Self.asDouble) }
    public func string(_ column: String) throws(StoreError) -> String { try required(value(column), column, Self.asString) }
    public func optionalString(_ column: String) throws(StoreError) -> String? { try optional(value(column), column, Self.asString) }
    public func blob(_ column: String) throws(StoreError) -> [UInt8] { try required(value(column), column, Self.asBlob) }
    public func optionalBlob(_ column: String) throws(StoreError) -> [UInt8]? { try optional(value(column), column, Self.asBlob) }
    public func bool(_ column: String) throws(StoreError) -> Bool { try required(value(column), column, Self.asBool) }
    public func optionalBool(_ column: String) throws(StoreError) -> Bool? { try optional(value(column), column, Self.asBool) }

    // MARK: By position

    public func int64(at index: Int) throws(StoreError) -> Int64 { try required(value(at: index), "#\(index)", Self.asInt64) }
    public func optionalInt64(at index: Int) throws(StoreError) -> Int64? { try optional(value(at: index), "#\(index)", Self.asInt64) }
    public func int(at index: Int) throws(StoreError) -> Int { try required(value(at: index), "#\(index)", Self.asInt) }
    public func optionalInt(at index: Int) throws(StoreError) -> Int? { try optional(value(at: index), "#\(index)", Self.asInt) }
    public func double(at index: Int) throws(StoreError) -> Double { try required(value(at: index), "#\(index)", Self.asDouble) }
    public func optionalDouble(at index: Int) throws(StoreError) -> Double? { try optional(value(at: index), "#\(index)", Self.asDouble) }
    public func string(at index: Int) throws(StoreError) -> String { try required(value(at: index), "#\(index)", Self.asString) }
    public func optionalString(at index: Int) throws(StoreError) -> String? { try optional(value(at: index), "#\(index)", Self.asString) }
    public func blob(at index: Int) throws(StoreError) -> [UInt8] { try required(value(at: index), "#\(index)", Self.asBlob) }
    public func optionalBlob(at index: Int) throws(StoreError) -> [UInt8]? { try optional(value(at: index), "#\(index)", Self.asBlob) }
    public func bool(at index: Int) throws(StoreError) -> Bool { try required(value(at: index), "#\(index)", Self.asBool) }
    public func optionalBool(at index: Int) throws(StoreError) -> Bool? { try optional(value(at: index), "#\(index)", Self.asBool) }

    // MARK: Conversions

    /// A conversion from a non-NULL value, nil when the storage class does not fit.
    private typealias Conversion<T> = (SQLValue) -> T?

    private func required<T>(_ value: SQLValue, _ column: String, _ convert: Conversion<T>) throws(StoreError) -> T {
        guard let converted = convert(value) else {
            throw .typeMismatch("column \(column) holds \(value.typeName), expected \(T.self)")
        }
        return converted
    }

    private func optional<T>(_ value: SQLValue, _ column: String, _ convert: Conversion<T>) throws(StoreError) -> T? {
        if value == .null { return nil }
        return try required(value, column, convert)
    }

    private static func asInt64(_ value: SQLValue) -> Int64? {
        if case .integer(let number) = value { return number }
        return nil
    }

    private static func asInt(_ value: SQLValue) -> Int? {
        if case .integer(let number) = value { return Int(exactly: number) }
        return nil
    }

    /// Integers are accepted as doubles: a REAL column may hand back an integral value as INTEGER
    /// when read through an expression.
    private static func asDouble(_ value: SQLValue) -> Double? {
        switch value {
        case .real(let number): number
        case .integer(let number): Double(number)
        default: nil
        }
    }

    private static func asString(_ value: SQLValue) -> String? {
        if case .text(let text) = value { return text }
        return nil
    }

    private static func asBlob(_ value: SQLValue) -> [UInt8]? {
        if case .blob(let bytes) = value { return bytes }
        return nil
    }

    /// Only 0 and 1 are booleans; any other integer is a mismatch rather than a guess.
    private static func asBool(_ value: SQLValue) -> Bool? {
        switch value {
        case .integer(0): false
        case .integer(1): true
        default: nil
        }
    }
}
