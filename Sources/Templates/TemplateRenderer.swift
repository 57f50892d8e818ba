import HTTP

/// Renders parsed templates against a context stack, innermost context last.
///
/// Names resolve as in Mustache: the first component is looked up from the innermost context
/// outwards, the rest strictly inside what it found. The partial graph was checked for cycles
/// when the set was loaded, so recursion through partials ends.
struct TemplateRenderer {
    let templates: [String: Template]
    var stack: [TemplateValue]
    var output = ""

    mutating func render(_ template: Template) throws(TemplateError) {
        try render(template.nodes, in: template)
    }

    private mutating func render(_ nodes: [TemplateNode], in template: Template) throws(TemplateError) {
        for node in nodes {
            switch node {
            case .text(let text):
                output += text
            case .escaped(let name, let line):
                switch lookup(name) {
                case .string(let text)?:
                    output += HTMLEscaping.escape(text)
                case nil:
                    throw TemplateError(.unknownName, file: template.file, line: line, "{{\(name)}} has no value in the context")
                case let other?:
                    throw TemplateError(.wrongType, file: template.file, line: line,
                                        "{{\(name)}} interpolates strings only, found \(other.kindDescription)")
                }
            case .raw(let name, let line):
                switch lookup(name) {
                case .html(let trusted)?:
                    output += trusted.text
                case nil:
                    throw TemplateError(.unknownName, file: template.file, line: line, "{{{\(name)}}} has no value in the context")
                case let other?:
                    throw TemplateError(.wrongType, file: template.file, line: line,
                                        "{{{\(name)}}} inserts only HTML rendered from a template, found \(other.kindDescription)")
                }
            case .section(let name, let inverted, let children, _):
                let value = lookup(name)
                if inverted {
                    if !Self.isTruthy(value) { try render(children, in: template) }
                    continue
                }
                switch value {
                case .list(let elements)?:
                    for element in elements { try render(children, in: template, within: element) }
                case .bool(true)?:
                    try render(children, in: template)
                case let other? where Self.isTruthy(other):
                    try render(children, in: template, within: other)
                default:
                    break
                }
            case .partial(let name, let line):
                guard let partial = templates[name] else {
                    throw TemplateError(.missingPartial, file: template.file, line: line, "{{> \(name)}} names no template")
                }
                try render(partial)
            }
        }
    }

    private mutating func render(_ nodes: [TemplateNode], in template: Template, within context: TemplateValue) throws(TemplateError) {
        stack.append(context)
        defer { stack.removeLast() }
        try render(nodes, in: template)
    }

    /// False, missing, an empty list or an empty string hide a section (and show an inverted one).
    static func isTruthy(_ value: TemplateValue?) -> Bool {
        switch value {
        case nil, .bool(false)?: false
        case .list(let elements)?: !elements.isEmpty
        case .string(let text)?: !text.isEmpty
        case .html(let html)?: !html.text.isEmpty
        case .bool(true)?, .object?: true
        }
    }

    func lookup(_ name: TemplateName) -> TemplateValue? {
        Self.lookup(name, in: stack)
    }

    static func lookup(_ name: TemplateName, in stack: [TemplateValue]) -> TemplateValue? {
        guard let first = name.components.first else { return stack.last }
        var found: TemplateValue?
        for context in stack.reversed() {
            if case .object(let members) = context, let value = members[first] {
                found = value
                break
            }
        }
        for component in name.components.dropFirst() {
            guard case .object(let members)? = found else { return nil }
            found = members[component]
        }
        return found
    }
}
