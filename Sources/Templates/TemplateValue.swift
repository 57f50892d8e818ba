/// A value a template can show: the only shapes a page needs, so a handler cannot hand a
/// template something it would have to guess how to print.
///
/// A string is always escaped where it is interpolated. HTML that must reach the page as it is
/// travels as `.html(TrustedHTML)`, and a `TrustedHTML` only comes out of rendering a template,
/// so no request-derived string can ever be inserted unescaped.
public enum TemplateValue: Sendable, Equatable {
    case string(String)
    case bool(Bool)
    case list([TemplateValue])
    case object([String: TemplateValue])
    case html(TrustedHTML)

    /// How an error message names this kind of value.
    var kindDescription: String {
        switch self {
        case .string: "a string"
        case .bool: "a boolean"
        case .list: "a list"
        case .object: "an object"
        case .html: "trusted HTML"
        }
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        // Later duplicates win, as in a dictionary assignment; a literal never needs them.
        var object: [String: TemplateValue] = [:]
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

/// HTML produced by rendering a template: every interpolated value in it was escaped.
///
/// The initializer is internal to this module on purpose. The only way to get one is
/// `TemplateSet.render`, which is what makes `{{{name}}}` safe to allow at all.
public struct TrustedHTML: Sendable, Equatable {
    public let text: String

    /// No HTML at all: safe by construction, and what a schema uses to say "HTML goes here".
    public static let empty = TrustedHTML(text: "")

    init(text: String) {
        self.text = text
    }
}
