import JSON

/// Small text helpers for problem messages.
enum ConfigText {
    /// `value` quoted as every message of the configuration and of the JSON parser quotes text
    /// (`JSONError.quoted`: escaped, cut after 80 characters). Never use it on a secret.
    static func quoted(_ value: String) -> String {
        JSONError.quoted(value)
    }

    /// `'a', 'b' or 'c'`: the allowed values of an enumeration, for messages.
    static func alternatives(_ values: [String]) -> String {
        let quoted = values.map { "\"\($0)\"" }
        guard let last = quoted.last else { return "" }
        if quoted.count == 1 { return last }
        return quoted.dropLast().joined(separator: ", ") + " or " + last
    }

    /// The candidate closest to `word` if it is close enough to be a likely typo
    /// (edit distance at most 2, and less than half the word), else `nil`.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        guard word.count <= 64 else { return nil }
        let lowered = word.lowercased()
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(Array(lowered), Array(candidate.lowercased()))
            if distance <= 2, distance * 2 < max(candidate.count, 2), distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// Levenshtein distance; inputs are configuration keys, so a few dozen characters at most.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
