import HTTP
import JSON

/// A JSON request body of the admin API, read strictly: `application/json` only (415
/// otherwise), RFC 8259 syntax with no repeated member (400 `malformed_json`), an object whose
/// every member is known. Accessors collect every problem with its JSON Pointer; `finish()`
/// throws them together as one 422, so a client learns all that is wrong at once.
struct APIRequestBody {
    private let members: [String: JSONValue]
    private let path: String
    private(set) var problems: [AdministrationError.FieldProblem] = []

    /// Reads the body of `request` as an object whose members are among `keys`.
    init(_ request: Request, keys: [String]) throws {
        guard request.hasJSONBody else { throw APIProblem.unsupportedMediaType }
        let document: JSONValue
        do {
            document = try JSONValue.parse(request.body, options: .configuration)
        } catch {
            throw APIProblem.malformedJSON("The request body is not valid JSON: \(error.description).")
        }
        self.init(document, path: "", keys: keys)
        if case .orderedObject = document {} else { throw AdministrationError.invalid(problems) }
    }

    private init(_ value: JSONValue, path: String, keys: [String]) {
        self.path = path
        guard case .orderedObject(let list) = value else {
            members = [:]
            problems.append(.init(path, "must be an object, not \(value.kindDescription)"))
            return
        }
        var members: [String: JSONValue] = [:]
        var unknown: [String] = []
        for member in list {
            if keys.contains(member.name) { members[member.name] = member.value } else { unknown.append(member.name) }
        }
        self.members = members
        for key in unknown { problems.append(.init(field(key), "unknown field")) }
    }

    /// Throws every problem found so far as one validation failure, with those `rules` finds
    /// in what could be read (the services' own checks), so a client learns all at once.
    func finish(_ rules: @autoclosure () -> [AdministrationError.FieldProblem] = []) throws {
        guard problems.isEmpty else { throw AdministrationError.invalid(problems + rules().filter { !problems.contains($0) }) }
    }

    func contains(_ key: String) -> Bool { members[key] != nil }

    /// Adds a problem of a member the accessors cannot see alone (two members that exclude
    /// each other, a member required only with another).
    mutating func reject(_ key: String, _ reason: String) {
        problems.append(.init(field(key), reason))
    }

    mutating func string(_ key: String, required: Bool = false) -> String? {
        switch members[key] {
        case nil:
            if required { problems.append(.init(field(key), "is required")) }
            return nil
        case .string(let text)?:
            return text
        case let other?:
            problems.append(.init(field(key), "must be a string, not \(other.kindDescription)"))
            return nil
        }
    }

    /// A member that may be absent (keep), null (remove) or a string (set).
    mutating func change(_ key: String) -> MemberChange<String> {
        switch members[key] {
        case nil: return .keep
        case .null?: return .remove
        case .string(let text)?: return .set(text)
        case let other?:
            problems.append(.init(field(key), "must be a string or null, not \(other.kindDescription)"))
            return .keep
        }
    }

    mutating func bool(_ key: String) -> Bool? {
        switch members[key] {
        case nil: return nil
        case .bool(let flag)?: return flag
        case let other?:
            problems.append(.init(field(key), "must be true or false, not \(other.kindDescription)"))
            return nil
        }
    }

    /// A whole number in `range`, written without a fraction or an exponent.
    mutating func integer(_ key: String, in range: ClosedRange<Int64>) -> Int64? {
        switch members[key] {
        case nil: return nil
        case .number(let literal)?:
            guard let value = Int64(literal), range.contains(value) else {
                problems.append(.init(field(key), "must be a whole number from \(range.lowerBound) to \(range.upperBound)"))
                return nil
            }
            return value
        case let other?:
            problems.append(.init(field(key), "must be a number, not \(other.kindDescription)"))
            return nil
        }
    }

    /// An array of strings of at most `most` items; a longer one is one problem, its items unread.
    mutating func strings(_ key: String, required: Bool = false, most: Int) -> [String]? {
        switch members[key] {
        case nil:
            if required { problems.append(.init(field(key), "is required")) }
            return nil
        case .array(let items)? where items.count > most:
            problems.append(.init(field(key), "must have at most \(most) items, not \(items.count)"))
            return nil
        case .array(let items)?:
            var strings: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    problems.append(.init(field(key) + "/\(index)", "must be a string, not \(item.kindDescription)"))
                    continue
                }
                strings.append(text)
            }
            return strings
        case let other?:
            problems.append(.init(field(key), "must be an array, not \(other.kindDescription)"))
            return nil
        }
    }

    /// An array of at most `most` objects, each read with `keys`; their problems join this
    /// body's. A longer array is one problem, its items unread: a small body of many tiny items
    /// must not cost a problem, and an answer, per item.
    mutating func objects(_ key: String, keys: [String], most: Int) -> [APIRequestBody]? {
        switch members[key] {
        case nil:
            return nil
        case .array(let items)? where items.count > most:
            problems.append(.init(field(key), "must have at most \(most) items, not \(items.count)"))
            return nil
        case .array(let items)?:
            let bodies = items.enumerated().map { index, item in APIRequestBody(item, path: field(key) + "/\(index)", keys: keys) }
            return bodies
        case let other?:
            problems.append(.init(field(key), "must be an array, not \(other.kindDescription)"))
            return nil
        }
    }

    /// Takes in the problems a nested body found.
    mutating func absorb(_ nested: APIRequestBody) {
        problems += nested.problems
    }

    /// An object member as claims are read (objects as dictionaries at every level, as JOSE
    /// makes them; numbers keep their literal text).
    mutating func jsonObject(_ key: String, required: Bool = false) -> [String: JSONValue]? {
        switch members[key] {
        case nil:
            if required { problems.append(.init(field(key), "is required")) }
            return nil
        case .orderedObject(let list)?:
            var object: [String: JSONValue] = [:]
            for member in list { object[member.name] = Self.unordered(member.value) }
            return object
        case let other?:
            problems.append(.init(field(key), "must be an object, not \(other.kindDescription)"))
            return nil
        }
    }

    /// Where `key` sits, as JSON Pointer reference tokens (RFC 6901: `~` and `/` escaped).
    private func field(_ key: String) -> String {
        let token = key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        return path.isEmpty ? token : path + "/" + token
    }

    /// `value` with every object as a dictionary (the parser refused repeated names).
    private static func unordered(_ value: JSONValue) -> JSONValue {
        switch value {
        case .orderedObject(let list): .object(Dictionary(list.map { ($0.name, unordered($0.value)) }, uniquingKeysWith: { _, last in last }))
        case .object(let members): .object(members.mapValues(unordered))
        case .array(let items): .array(items.map(unordered))
        case .string, .number, .bool, .null: value
        }
    }
}
