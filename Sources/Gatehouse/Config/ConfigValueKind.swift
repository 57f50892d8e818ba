import Foundation
import JSON

/// Why one value is unacceptable; the reader adds where it was found.
struct ConfigValueError: Error, Sendable, Equatable {
    let message: String
}

/// How to read one kind of configuration value: from its JSON form (reporting problems at
/// the path it is given, including inside arrays) and from the text of an environment
/// override.
struct ConfigValueKind<T> {
    let decodeJSON: (JSONValue, ConfigPath, ConfigDecoder) -> T?
    let parseText: (String) -> Result<T, ConfigValueError>
}

extension ConfigValueKind {
    /// A value written as a JSON string whose text `parse` checks; overrides use the same check.
    static func text(
        expected: String = "a string",
        _ parse: @escaping (String) -> Result<T, ConfigValueError>
    ) -> ConfigValueKind<T> {
        ConfigValueKind(
            decodeJSON: { json, path, decoder in
                guard case .string(let text) = json else {
                    decoder.error(at: path, "expected \(expected), found \(json.kindDescription)")
                    return nil
                }
                switch parse(text) {
                case .success(let value): return value
                case .failure(let problem):
                    decoder.error(at: path, problem.message)
                    return nil
                }
            },
            parseText: parse
        )
    }

    /// A JSON array of text values, each checked by `element` and reported at its index.
    /// Overrides give the list comma-separated (`10.0.0.0/8, 192.168.0.0/16`).
    /// With `allowSingle`, a lone string stands for a one-element list.
    static func list<Element>(
        of element: ConfigValueKind<Element>,
        allowSingle: Bool = false,
        allowEmpty: Bool = true
    ) -> ConfigValueKind<[Element]> where T == [Element] {
        ConfigValueKind(
            decodeJSON: { json, path, decoder in
                let items: [JSONValue]
                var single = false
                switch json {
                case .array(let values): items = values
                case .string where allowSingle:
                    items = [json]
                    single = true
                default:
                    let expected = allowSingle ? "a string or an array of strings" : "an array of strings"
                    decoder.error(at: path, "expected \(expected), found \(json.kindDescription)")
                    return nil
                }
                if items.isEmpty, !allowEmpty {
                    decoder.error(at: path, "must not be empty")
                    return nil
                }
                var values: [Element] = []
                var failed = false
                for (index, item) in items.enumerated() {
                    let itemPath = single ? path : path.appending(index: index)
                    if let value = element.decodeJSON(item, itemPath, decoder) {
                        values.append(value)
                    } else {
                        failed = true
                    }
                }
                return failed ? nil : values
            },
            parseText: { text in
                let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
                if parts.isEmpty, !allowEmpty {
                    return .failure(ConfigValueError(message: "must not be empty"))
                }
                var values: [Element] = []
                for part in parts {
                    switch element.parseText(part) {
                    case .success(let value): values.append(value)
                    case .failure(let problem): return .failure(problem)
                    }
                }
                return .success(values)
            }
        )
    }
}

extension ConfigValueKind where T == String {
    /// A non-empty string, such as a file path.
    static var nonEmptyString: ConfigValueKind<String> {
        .text { text in
            text.isEmpty ? .failure(ConfigValueError(message: "must not be empty")) : .success(text)
        }
    }
}

extension ConfigValueKind where T == Bool {
    /// A JSON boolean; overrides spell it `true` or `false`.
    static var boolean: ConfigValueKind<Bool> {
        ConfigValueKind(
            decodeJSON: { json, path, decoder in
                guard case .bool(let value) = json else {
                    decoder.error(at: path, "expected a boolean, found \(json.kindDescription)")
                    return nil
                }
                return value
            },
            parseText: { text in
                switch text {
                case "true": return .success(true)
                case "false": return .success(false)
                default: return .failure(ConfigValueError(message: "expected true or false, found \(ConfigText.quoted(text))"))
                }
            }
        )
    }
}

extension ConfigValueKind where T == Int {
    /// A whole number within `range`. `1.5`, `1.0` and `1e3` are refused: a fraction where a
    /// count is expected is a mistake, and rounding it would hide that.
    static func integer(_ range: ClosedRange<Int>) -> ConfigValueKind<Int> {
        ConfigValueKind(
            decodeJSON: { json, path, decoder in
                guard case .number(let literal) = json else {
                    decoder.error(at: path, "expected an integer, found \(json.kindDescription)")
                    return nil
                }
                switch parseInteger(literal, in: range) {
                case .success(let value): return value
                case .failure(let problem):
                    decoder.error(at: path, problem.message)
                    return nil
                }
            },
            parseText: { text in
                guard isIntegerLiteral(text) else {
                    return .failure(ConfigValueError(message: "expected an integer, found \(ConfigText.quoted(text))"))
                }
                return parseInteger(text, in: range)
            }
        )
    }

    /// An optional `-` and 1 to 30 ASCII digits.
    private static func isIntegerLiteral(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") ? text.utf8.dropFirst() : text.utf8[...]
        return !digits.isEmpty && digits.count <= 30 && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    private static func parseInteger(_ literal: String, in range: ClosedRange<Int>) -> Result<Int, ConfigValueError> {
        guard !literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
            return .failure(ConfigValueError(message: "expected an integer, found \(literal)"))
        }
        // Int(_:) returns nil past Int's range instead of trapping.
        guard let value = Int(literal), range.contains(value) else {
            return .failure(ConfigValueError(message: "must be from \(range.lowerBound) to \(range.upperBound), found \(literal)"))
        }
        return .success(value)
    }
}

extension ConfigValueKind where T: RawRepresentable & CaseIterable, T.RawValue == String {
    /// One of a fixed set of words; the message lists them all.
    static var choice: ConfigValueKind<T> {
        .text { text in
            if let value = T(rawValue: text) { return .success(value) }
            let allowed = T.allCases.map(\.rawValue)
            return .failure(ConfigValueError(message: "expected one of \(ConfigText.alternatives(allowed)), found \(ConfigText.quoted(text))"))
        }
    }
}
