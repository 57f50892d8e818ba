/// A dotted name in a tag: `user.email` is `["user", "email"]`; `.` (the current element,
/// for lists of strings) is the empty list.
struct TemplateName: Sendable, Equatable, CustomStringConvertible {
    let components: [String]

    var isCurrentElement: Bool { components.isEmpty }
    var description: String { components.isEmpty ? "." : components.joined(separator: ".") }
}

/// One piece of a parsed template. Every tag keeps its line so render errors can point at it.
indirect enum TemplateNode: Sendable, Equatable {
    case text(String)
    /// `{{name}}`: a string, escaped.
    case escaped(TemplateName, line: Int)
    /// `{{{name}}}`: trusted HTML only.
    case raw(TemplateName, line: Int)
    /// `{{#name}}…{{/name}}` (`inverted: false`) or `{{^name}}…{{/name}}` (`inverted: true`).
    case section(TemplateName, inverted: Bool, children: [TemplateNode], line: Int)
    /// `{{> name}}`: another template of the set, rendered with the current context.
    case partial(String, line: Int)
}

/// One parsed template file.
struct Template: Sendable, Equatable {
    /// The name callers render it by: the file name without `.html`.
    let name: String
    /// The file name, for messages.
    let file: String
    let nodes: [TemplateNode]

    /// Every `{{> partial}}` in the template, in reading order, with its line.
    var partialReferences: [(name: String, line: Int)] {
        var found: [(name: String, line: Int)] = []
        func walk(_ nodes: [TemplateNode]) {
            for node in nodes {
                switch node {
                case .partial(let name, let line): found.append((name, line))
                case .section(_, _, let children, _): walk(children)
                case .text, .escaped, .raw: break
                }
            }
        }
        walk(nodes)
        return found
    }
}
