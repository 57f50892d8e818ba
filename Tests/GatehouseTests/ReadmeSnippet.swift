import Foundation

/// The README's configuration snippets, checked against the configurations the end-to-end
/// tests run, so what an operator copies is what was tested.
enum ReadmeSnippet {
    static var readme: String {
        get throws { try String(contentsOfFile: "\(packageRoot)/README.md", encoding: .utf8) }
    }

    /// Whether `text` holds `snippet` as consecutive lines, each indented by the same extra
    /// prefix: a block nested one level deeper in a test's full configuration than in the
    /// README still matches, while a changed line, a missing line or a different relative
    /// indentation does not. Blank lines match blank lines.
    static func contains(_ text: String, _ snippet: String) -> Bool {
        let wanted = dedented(snippet.components(separatedBy: "\n"))
        guard let first = wanted.first, !first.isEmpty else { return false }
        let lines = text.components(separatedBy: "\n")
        for start in lines.indices where lines[start].hasSuffix(first) {
            let prefix = String(lines[start].dropLast(first.count))
            guard prefix.allSatisfy({ $0 == " " }), start + wanted.count <= lines.count else { continue }
            let matches = zip(lines[start...], wanted).allSatisfy { line, want in
                want.isEmpty ? line.allSatisfy(\.isWhitespace) : line == prefix + want
            }
            if matches { return true }
        }
        return false
    }

    /// The lines without the indentation they all share, and without leading and trailing blank lines.
    static func dedented(_ lines: [String]) -> [String] {
        var lines = lines
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        let indent = lines.filter { !$0.allSatisfy(\.isWhitespace) }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return lines.map { $0.allSatisfy(\.isWhitespace) ? "" : String($0.dropFirst(indent)) }
    }
}
