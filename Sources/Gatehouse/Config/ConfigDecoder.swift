import JSON

extension JSONParseOptions {
    /// How the configuration file is read, and the admin API's request bodies with it: objects
    /// in document order (problems are reported in the order they were written), room for 64
    /// levels of nesting, a leading byte order mark skipped.
    static let configuration = JSONParseOptions(maximumDepth: 64, keepsMemberOrder: true, allowsByteOrderMark: true)
}

/// Walks a parsed configuration, collecting every problem instead of stopping at the first,
/// and applying `GATEHOUSE_*` environment overrides on top of the file.
///
/// The environment is a parameter, never read from the process here, so validation is a pure
/// function of (file, environment) and tests can give any environment they like.
///
/// Every section is visited even when the file leaves it out or gives it the wrong type (it is
/// then read as empty), so every key's override is seen and each problem is reported once.
final class ConfigDecoder {
    let environment: [String: String]
    private(set) var errors: [ConfigProblem] = []
    private(set) var warnings: [ConfigProblem] = []
    /// Every override variable the schema offers (whether set or not), for spotting typos.
    private(set) var offeredOverrides: [String] = []
    /// Variables named by secret references (`{"env": "NAME"}`): not overrides, but expected.
    private(set) var referencedVariables: Set<String> = []

    init(environment: [String: String]) {
        self.environment = environment
    }

    func error(at path: ConfigPath, _ message: String) {
        errors.append(ConfigProblem(path: path.description, message: message))
    }

    func error(variable name: String, _ message: String) {
        errors.append(ConfigProblem(path: name, message: message))
    }

    func warning(at path: ConfigPath, _ message: String) {
        warnings.append(ConfigProblem(path: path.description, message: message, severity: .warning))
    }

    /// Reads `value` (the document root or a section) as an object with exactly `keys`.
    func object(_ value: JSONValue?, at path: ConfigPath, keys: [String]) -> ObjectReader {
        ObjectReader(decoder: self, path: path, value: value, keys: keys)
    }

    func offerOverride(_ name: String) {
        offeredOverrides.append(name)
    }

    func noteReferencedVariable(_ name: String) {
        referencedVariables.insert(name)
    }

    /// Any `GATEHOUSE_*` variable that is neither an override nor a secret reference nor one of
    /// `reserved` is an error: a misspelled override would otherwise be silently ignored.
    func reportUnknownOverrides(reserved: Set<String>) {
        let offered = Set(offeredOverrides)
        let unknown = environment.keys
            .filter { $0.hasPrefix("GATEHOUSE_") && !offered.contains($0) && !referencedVariables.contains($0) && !reserved.contains($0) }
            .sorted()
        // A warning, not a refusal: Kubernetes gives every pod of a namespace with a Service
        // named `gatehouse` GATEHOUSE_PORT, GATEHOUSE_SERVICE_HOST and friends, and Gatehouse must
        // start there. `check-config` and `serve` still list each one, with a close override.
        for name in unknown {
            var message = "not a configuration override, ignored"
            if let close = ConfigText.suggestion(for: name, among: offeredOverrides) {
                message += "; did you mean \(close)?"
            }
            warnings.append(ConfigProblem(path: name, message: message, severity: .warning))
        }
    }
}

/// Reads the members of one JSON object at a known path. Unknown keys are reported when the
/// reader is made; each accessor then reports its own key's problems.
struct ObjectReader {
    let decoder: ConfigDecoder
    let path: ConfigPath
    private let members: [String: JSONValue]

    /// A missing value reads as an empty object (every key defaulted); a value of another
    /// type is reported and then also read as empty, so overrides below it still apply.
    init(decoder: ConfigDecoder, path: ConfigPath, value: JSONValue?, keys: [String]) {
        self.decoder = decoder
        self.path = path
        var members: [String: JSONValue] = [:]
        switch value {
        case nil:
            break
        case .orderedObject(let list):
            for member in list {
                if keys.contains(member.name) {
                    members[member.name] = member.value
                } else {
                    var message = "unknown key"
                    if let close = ConfigText.suggestion(for: member.name, among: keys) {
                        message += "; did you mean \(ConfigText.quoted(close))?"
                    }
                    decoder.error(at: path.appending(member.name), message)
                }
            }
        case .some(let other):
            decoder.error(at: path, "expected an object, found \(other.kindDescription)")
        }
        self.members = members
    }

    /// The raw member, for shapes the value kinds do not cover (such as `providers`).
    func member(_ key: String) -> JSONValue? { members[key] }

    /// A nested section such as `server.limits`.
    func section(_ key: String, keys: [String]) -> ObjectReader {
        ObjectReader(decoder: decoder, path: path.appending(key), value: members[key], keys: keys)
    }

    /// Reads `key` as `kind`, then applies its environment override if one is set.
    ///
    /// The file's value is checked even when an override replaces it, so a broken file does
    /// not surface later, the day the override is removed. Returns `nil` when the key is
    /// absent everywhere or invalid (the problem is then recorded); callers default it.
    func value<T>(_ key: String, _ kind: ConfigValueKind<T>, required: Bool = false) -> T? {
        let keyPath = path.appending(key)
        var result: T?
        if let json = members[key] {
            result = kind.decodeJSON(json, keyPath, decoder)
        }
        if let name = keyPath.environmentName {
            decoder.offerOverride(name)
            if let text = decoder.environment[name] {
                switch kind.parseText(text) {
                case .success(let value):
                    return value
                case .failure(let problem):
                    decoder.error(variable: name, "\(problem.message) (overrides \(keyPath))")
                    return nil
                }
            }
        }
        if members[key] == nil, required {
            let override = keyPath.environmentName.map { " (or set \($0))" } ?? ""
            decoder.error(at: keyPath, "required key is missing\(override)")
        }
        return result
    }
}
