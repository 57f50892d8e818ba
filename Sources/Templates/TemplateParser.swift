/// Parses the Mustache subset Gatehouse's pages use, from text to nodes, without touching the
/// file system (so tests feed it literal strings).
///
/// Supported tags: `{{name}}`, `{{a.b}}`, `{{.}}`, `{{{name}}}`, `{{#name}}`, `{{^name}}`,
/// `{{/name}}`, `{{> partial}}` and `{{! comment}}`. Everything else that Mustache knows
/// (`{{&name}}`, delimiter changes, inheritance) is refused by name, so a template written for
/// full Mustache fails at start instead of rendering something else than its author meant.
/// Whitespace around tags is kept as written: HTML does not care, and the rule stays simple.
enum TemplateParser {
    private static let open: [UInt8] = Array("{{".utf8)
    private static let close: [UInt8] = Array("}}".utf8)
    private static let tripleClose: [UInt8] = Array("}}}".utf8)
    private static let newline = UInt8(ascii: "\n")

    /// A section being read: what opened it and what it holds so far.
    private struct OpenSection {
        let name: TemplateName
        let inverted: Bool
        let line: Int
        var children: [TemplateNode] = []
    }

    static func parse(_ source: String, name: String, file: String) throws(TemplateError) -> Template {
        let bytes = Array(source.utf8)
        var stack: [OpenSection] = [OpenSection(name: TemplateName(components: []), inverted: false, line: 0)]
        var position = 0
        var line = 1

        func append(_ node: TemplateNode) {
            stack[stack.count - 1].children.append(node)
        }
        func fail(_ code: TemplateError.Code, at line: Int, _ message: String) -> TemplateError {
            TemplateError(code, file: file, line: line, message)
        }

        while position < bytes.count {
            guard let tagStart = find(open, in: bytes, from: position) else {
                append(.text(String(decoding: bytes[position...], as: UTF8.self)))
                break
            }
            if tagStart > position {
                append(.text(String(decoding: bytes[position..<tagStart], as: UTF8.self)))
                line += count(newline, in: bytes[position..<tagStart])
            }
            let tagLine = line
            let isTriple = tagStart + 2 < bytes.count && bytes[tagStart + 2] == UInt8(ascii: "{")
            let contentStart = tagStart + (isTriple ? 3 : 2)
            guard let contentEnd = find(isTriple ? tripleClose : close, in: bytes, from: contentStart) else {
                throw fail(.unclosedTag, at: tagLine, "a tag opened here is never closed with \(isTriple ? "}}}" : "}}")")
            }
            let content = bytes[contentStart..<contentEnd]
            line += count(newline, in: content)
            position = contentEnd + (isTriple ? 3 : 2)
            let text = String(decoding: content, as: UTF8.self)
            let trimmed = trim(text)

            if isTriple {
                append(.raw(try variableName(trimmed, file: file, line: tagLine), line: tagLine))
                continue
            }
            guard let sigil = trimmed.first else {
                throw fail(.invalidName, at: tagLine, "an empty tag {{}} names nothing")
            }
            let rest = trim(String(trimmed.dropFirst()))
            switch sigil {
            case "!":
                continue
            case "#", "^":
                let name = try variableName(rest, file: file, line: tagLine)
                stack.append(OpenSection(name: name, inverted: sigil == "^", line: tagLine))
            case "/":
                let name = try variableName(rest, file: file, line: tagLine)
                guard stack.count > 1, let section = stack.popLast() else {
                    throw fail(.unexpectedClose, at: tagLine, "{{/\(name)}} closes a section that was never opened")
                }
                guard section.name == name else {
                    throw fail(.mismatchedClose, at: tagLine,
                               "{{/\(name)}} does not match the open section {{\(section.inverted ? "^" : "#")\(section.name)}} from line \(section.line)")
                }
                append(.section(section.name, inverted: section.inverted, children: section.children, line: section.line))
            case ">":
                guard isPartialName(rest) else {
                    throw fail(.invalidName, at: tagLine,
                               "partial name \"\(rest)\" must be 1 to 64 letters, digits, _ or - (a template file name without .html)")
                }
                append(.partial(rest, line: tagLine))
            case "&", "=", "<", "$", "{", "}":
                throw fail(.unsupportedTag, at: tagLine,
                           "{{\(sigil)…}} is not supported here; use {{name}} for text and {{{name}}} for trusted HTML")
            default:
                append(.escaped(try variableName(trimmed, file: file, line: tagLine), line: tagLine))
            }
        }

        if stack.count > 1, let innermost = stack.last {
            throw fail(.unclosedSection, at: innermost.line,
                       "{{\(innermost.inverted ? "^" : "#")\(innermost.name)}} is never closed with {{/\(innermost.name)}}")
        }
        return Template(name: name, file: file, nodes: stack[0].children)
    }

    /// `.` or dot-separated components of a letter or `_` followed by letters, digits and `_`.
    static func variableName(_ text: String, file: String, line: Int) throws(TemplateError) -> TemplateName {
        if text == "." { return TemplateName(components: []) }
        let components = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let valid = text.utf8.count <= 128 && components.allSatisfy { component in
            guard let first = component.utf8.first, isLetter(first) || first == UInt8(ascii: "_") else { return false }
            return component.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
        }
        guard valid else {
            throw TemplateError(.invalidName, file: file, line: line,
                                "\"\(text)\" is not a name: use letters, digits and _ in dot-separated parts, or . for the current element")
        }
        return TemplateName(components: components)
    }

    /// A template name as files give it: letters, digits, `_` and `-`.
    static func isPartialName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func trim(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard needle.count <= bytes.count else { return nil }
        var index = start
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0] && bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    private static func count(_ byte: UInt8, in bytes: ArraySlice<UInt8>) -> Int {
        bytes.reduce(0) { $0 + ($1 == byte ? 1 : 0) }
    }
}
