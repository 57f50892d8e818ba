/// A migration's SQL cut at its `-- gatehouse:` directive lines.
///
/// The only directive is `-- gatehouse:rebuild-check OLD NEW`, on a line of its own between
/// two statements. SQLite cannot alter a constraint in place, so a table is rebuilt by
/// create-copy-drop-rename; a copy that loses rows (a stray WHERE, a failed conversion) would
/// make the DROP destroy data. The directive goes after the copy and before the DROP: the
/// migrator runs everything above it, then requires `SELECT count(*)` of both tables to be
/// equal, failing with `.rowCountMismatch` and rolling back the whole migration otherwise.
///
/// Directive lines are recognised anywhere, even inside a multi-line string literal, which
/// migrations therefore must not contain at the start of a line. Any other `-- gatehouse:`
/// text is an error, so a misspelt directive cannot be silently ignored.
enum MigrationStep: Equatable, Sendable {
    case sql(String)
    case rebuildCheck(oldTable: String, newTable: String)
}

extension Migration {
    /// Splits `sql` into the steps the migrator runs in order.
    func steps() throws(StoreError) -> [MigrationStep] {
        var steps: [MigrationStep] = []
        var pending: [Substring] = []
        let lines = sql.split(separator: "\n", omittingEmptySubsequences: false)
        for (offset, line) in lines.enumerated() {
            guard let directive = Self.directive(in: line) else {
                pending.append(line)
                continue
            }
            let words = directive.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count == 3, words[0] == "rebuild-check",
                  Self.isPlainIdentifier(words[1]), Self.isPlainIdentifier(words[2]), words[1] != words[2]
            else {
                throw StoreError(
                    code: .invalidMigration,
                    message: "migration \(identifier), line \(offset + 1): unknown or malformed directive; "
                        + "expected '-- gatehouse:rebuild-check OLD_TABLE NEW_TABLE'"
                )
            }
            steps.append(.sql(pending.joined(separator: "\n")))
            pending.removeAll()
            steps.append(.rebuildCheck(oldTable: String(words[1]), newTable: String(words[2])))
        }
        steps.append(.sql(pending.joined(separator: "\n")))
        return steps
    }

    /// The text after `gatehouse:` when `line` is a directive line (`--`, optional spaces,
    /// `gatehouse:`), otherwise nil.
    private static func directive(in line: Substring) -> Substring? {
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        guard trimmed.hasPrefix("--") else { return nil }
        let afterDashes = trimmed.dropFirst(2).drop(while: { $0 == " " || $0 == "\t" })
        guard afterDashes.lowercased().hasPrefix("gatehouse:") else { return nil }
        return afterDashes.dropFirst("gatehouse:".count)
            .trimmingSuffix(while: { $0 == " " || $0 == "\t" || $0 == "\r" })
    }

    /// ASCII letters, digits and underscores, not starting with a digit: safe to quote as an
    /// identifier without escaping.
    private static func isPlainIdentifier(_ word: Substring) -> Bool {
        guard let first = word.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return word.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
        }
    }
}

extension Substring {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var result = self
        while let last = result.last, predicate(last) { result = result.dropLast() }
        return result
    }
}
