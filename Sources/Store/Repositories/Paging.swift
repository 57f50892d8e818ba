/// Which page of a listing to read: by keyset (the last id of the previous page), never by
/// offset, so rows inserted meanwhile neither repeat on the next page nor push rows off it.
public struct PageRequest: Sendable, Equatable {
    /// The id the previous page ended with; nil for the first page.
    public var after: Int64?
    /// Rows wanted, 1 to 10,000.
    public var limit: Int

    public init(after: Int64? = nil, limit: Int) {
        self.after = after
        self.limit = min(max(1, limit), 10_000)
    }
}

/// One page of rows, and the id to continue after when more follow.
public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    /// Pass as `PageRequest.after` for the next page; nil on the last page.
    public let nextAfter: Int64?

    public init(items: [Item], nextAfter: Int64?) {
        self.items = items
        self.nextAfter = nextAfter
    }

    public func map<Other: Sendable>(_ transform: (Item) throws -> Other) rethrows -> Page<Other> {
        Page<Other>(items: try items.map(transform), nextAfter: nextAfter)
    }
}

/// The order of a listing: by id, oldest first (users, identities, tokens) or newest first
/// (the audit trail). Ids only grow and are never given twice (AUTOINCREMENT where rows are
/// deleted), so either order is stable under concurrent inserts.
enum PageOrder {
    case oldestFirst
    case newestFirst
}

/// A `SELECT` with the conditions a filter adds, paged by id. Values are always bound, never
/// spliced into the text.
struct PagedQuery {
    private var conditions: [String] = []
    private var bindings: [SQLValue] = []

    /// Adds `condition` (with `?` placeholders, in order) and its values.
    mutating func require(_ condition: String, _ values: SQLValue...) {
        conditions.append(condition)
        bindings.append(contentsOf: values)
    }

    /// Reads one page of `columns` from `table` (whose id column is `idColumn`), asking for one
    /// row more than wanted to learn whether another page follows.
    func page<Item: Sendable>(
        _ columns: String, from table: String, idColumn: String = "id", order: PageOrder, _ request: PageRequest,
        on connection: Connection, decode: (Row) throws(StoreError) -> Item, id: (Item) -> Int64
    ) throws(StoreError) -> Page<Item> {
        var conditions = self.conditions
        var bindings = self.bindings
        if let after = request.after {
            conditions.append(order == .oldestFirst ? "\(idColumn) > ?" : "\(idColumn) < ?")
            bindings.append(.integer(after))
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let direction = order == .oldestFirst ? "ASC" : "DESC"
        bindings.append(.integer(Int64(request.limit) + 1))
        let rows = try connection.query("SELECT \(columns) FROM \(table)\(filter) ORDER BY \(idColumn) \(direction) LIMIT ?", bindings)
        var items: [Item] = []
        items.reserveCapacity(min(rows.count, request.limit))
        for row in rows.prefix(request.limit) { items.append(try decode(row)) }
        let more = rows.count > request.limit
        return Page(items: items, nextAfter: more ? items.last.map(id) : nil)
    }

    /// `text` for a `LIKE … ESCAPE '\'` pattern that matches it anywhere, its wildcards taken
    /// literally.
    static func containing(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%" + escaped + "%"
    }
}
