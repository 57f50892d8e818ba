import Foundation

/// Every template of a directory, parsed and cross-checked once, at start.
///
/// Loading fails on the first problem in any file (a malformed tag, an unclosed section, a
/// partial that names no file, partials that include each other in a loop), so a broken
/// template stops the server when it starts rather than failing a person's request later.
/// After loading the set is immutable and shared by every request without locks.
public struct TemplateSet: Sendable {
    /// The file extension of templates; other files in the directory are ignored.
    public static let fileExtension = "html"
    /// A template is a page, not a data file: anything bigger is a mistake.
    public static let maximumFileBytes = 256 * 1024

    let templates: [String: Template]

    /// The names callers may render (file names without `.html`), sorted.
    public var names: [String] { templates.keys.sorted() }

    /// Loads every `*.html` file directly inside `directory`.
    public init(directory: String) throws(TemplateError) {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw TemplateError(.unreadableDirectory, file: directory, "cannot list the template directory: \(error.localizedDescription)")
        }
        var sources: [String: String] = [:]
        for entry in entries.sorted() where entry.hasSuffix("." + Self.fileExtension) {
            let name = String(entry.dropLast(Self.fileExtension.count + 1))
            guard TemplateParser.isPartialName(name) else {
                throw TemplateError(.invalidFileName, file: entry,
                                    "a template file name must be 1 to 64 letters, digits, _ or - before .html")
            }
            sources[name] = try Self.read((directory as NSString).appendingPathComponent(entry), file: entry)
        }
        try self.init(sources: sources)
    }

    /// A set from template texts keyed by name (`"login"` for `login.html`), for tests and
    /// for callers that embed their templates.
    public init(sources: [String: String]) throws(TemplateError) {
        var templates: [String: Template] = [:]
        for name in sources.keys.sorted() {
            let file = "\(name).\(Self.fileExtension)"
            guard TemplateParser.isPartialName(name), let source = sources[name] else {
                throw TemplateError(.invalidFileName, file: file, "a template name must be 1 to 64 letters, digits, _ or -")
            }
            templates[name] = try TemplateParser.parse(source, name: name, file: file)
        }
        try Self.checkPartials(templates)
        self.templates = templates
    }

    /// Renders template `name` with `context` as the outermost object.
    ///
    /// Fails when `name` is not in the set, a `{{name}}` finds nothing or something other than
    /// a string, or a `{{{name}}}` finds anything other than trusted HTML.
    public func render(_ name: String, _ context: [String: TemplateValue]) throws(TemplateError) -> TrustedHTML {
        guard let template = templates[name] else {
            throw TemplateError(.unknownTemplate, file: "\(name).\(Self.fileExtension)",
                                "there is no template called \"\(name)\" (known: \(names.joined(separator: ", ")))")
        }
        var renderer = TemplateRenderer(templates: templates, stack: [.object(context)])
        try renderer.render(template)
        return TrustedHTML(text: renderer.output)
    }

    private static func read(_ path: String, file: String) throws(TemplateError) -> String {
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? Int, size > maximumFileBytes {
                throw TemplateError(.fileTooLarge, file: file, "is \(size) bytes; a template may be at most \(maximumFileBytes)")
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as TemplateError {
            throw error
        } catch {
            throw TemplateError(.unreadableFile, file: file, "cannot read the template: \(error.localizedDescription)")
        }
        guard data.count <= maximumFileBytes else {
            throw TemplateError(.fileTooLarge, file: file, "is \(data.count) bytes; a template may be at most \(maximumFileBytes)")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw TemplateError(.notUTF8, file: file, "is not valid UTF-8")
        }
        return text
    }

    /// Every partial names a template of the set, and no template includes itself, directly
    /// or through others (rendering would never end).
    private static func checkPartials(_ templates: [String: Template]) throws(TemplateError) {
        for name in templates.keys.sorted() {
            guard let template = templates[name] else { continue }
            for reference in template.partialReferences where templates[reference.name] == nil {
                throw TemplateError(.missingPartial, file: template.file, line: reference.line,
                                    "{{> \(reference.name)}} names no template: there is no \(reference.name).\(fileExtension)")
            }
        }
        var finished: Set<String> = []
        for name in templates.keys.sorted() where !finished.contains(name) {
            var path: [String] = []
            try visit(name, templates: templates, path: &path, finished: &finished)
        }
    }

    /// Depth-first walk; `path` holds the chain of templates being included right now.
    private static func visit(
        _ name: String, templates: [String: Template], path: inout [String], finished: inout Set<String>
    ) throws(TemplateError) {
        guard let template = templates[name] else { return }
        path.append(name)
        for reference in template.partialReferences where !finished.contains(reference.name) {
            if let start = path.firstIndex(of: reference.name) {
                let chain = (path[start...] + [reference.name]).joined(separator: " → ")
                throw TemplateError(.partialCycle, file: template.file, line: reference.line,
                                    "{{> \(reference.name)}} makes partials include each other forever: \(chain)")
            }
            try visit(reference.name, templates: templates, path: &path, finished: &finished)
        }
        path.removeLast()
        finished.insert(name)
    }
}
