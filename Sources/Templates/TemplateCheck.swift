/// The start-time check that every name a template uses exists in what its caller provides.
///
/// Parsing alone cannot know whether `{{usre.email}}` is a typo; the caller can, by describing
/// its context with an example (`schema`): every key it may ever pass, with a value of the right
/// kind, and one example element in each list. The check walks every branch of every section,
/// shown or not, and every partial, so a name the caller never provides (or one of the wrong
/// kind) is reported with its file and line when the server starts, not when a person first
/// reaches the branch that uses it.
extension TemplateSet {
    public func check(_ name: String, schema: [String: TemplateValue]) throws(TemplateError) {
        guard let template = templates[name] else {
            throw TemplateError(.unknownTemplate, file: "\(name).\(Self.fileExtension)", "there is no template called \"\(name)\"")
        }
        try Self.check(template.nodes, in: template, templates: templates, stack: [.object(schema)])
    }

    private static func check(
        _ nodes: [TemplateNode], in template: Template, templates: [String: Template], stack: [TemplateValue]
    ) throws(TemplateError) {
        for node in nodes {
            switch node {
            case .text:
                break
            case .escaped(let name, let line):
                switch TemplateRenderer.lookup(name, in: stack) {
                case .string?: break
                case nil: throw TemplateError(.unknownName, file: template.file, line: line, "{{\(name)}} is not a name this template is given")
                case let other?:
                    throw TemplateError(.wrongType, file: template.file, line: line,
                                        "{{\(name)}} interpolates strings only, but is given \(other.kindDescription)")
                }
            case .raw(let name, let line):
                switch TemplateRenderer.lookup(name, in: stack) {
                case .html?: break
                case nil: throw TemplateError(.unknownName, file: template.file, line: line, "{{{\(name)}}} is not a name this template is given")
                case let other?:
                    throw TemplateError(.wrongType, file: template.file, line: line,
                                        "{{{\(name)}}} inserts only HTML rendered from a template, but is given \(other.kindDescription)")
                }
            case .section(let name, let inverted, let children, let line):
                guard let value = TemplateRenderer.lookup(name, in: stack) else {
                    throw TemplateError(.unknownName, file: template.file, line: line,
                                        "{{\(inverted ? "^" : "#")\(name)}} is not a name this template is given")
                }
                var inner = stack
                switch value {
                case .list(let elements) where !inverted:
                    // The schema's first element stands for every element.
                    if let example = elements.first { inner.append(example) }
                case .object, .string, .html:
                    if !inverted { inner.append(value) }
                case .bool, .list:
                    break
                }
                try check(children, in: template, templates: templates, stack: inner)
            case .partial(let name, let line):
                guard let partial = templates[name] else {
                    throw TemplateError(.missingPartial, file: template.file, line: line, "{{> \(name)}} names no template")
                }
                try check(partial.nodes, in: partial, templates: templates, stack: stack)
            }
        }
    }
}
