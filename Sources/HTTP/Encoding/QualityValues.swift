/// One member of a comma-separated list with quality values, such as `gzip;q=0.8` in
/// `Accept-Encoding` or `text/html;level=1;q=0.5` in `Accept` (RFC 9110 section 12.4.2).
struct QualityItem: Sendable, Equatable {
    /// The member without its parameters, lower-cased (`gzip`, `text/html`).
    var value: String
    /// The weight from 0 to 1; 1 when no `q` parameter is given.
    var quality: Double
}

enum QualityValues {
    /// Parses every field value in order. Members with a malformed weight are dropped,
    /// as if not listed, rather than guessed at.
    static func parse(_ fieldValues: [String]) -> [QualityItem] {
        var items: [QualityItem] = []
        for fieldValue in fieldValues {
            for member in fieldValue.split(separator: ",") {
                var parts = member.split(separator: ";").makeIterator()
                guard let head = parts.next()?.trimmingASCIIWhitespace(), !head.isEmpty else { continue }
                var quality = 1.0
                var valid = true
                while let parameter = parts.next() {
                    let trimmed = parameter.trimmingASCIIWhitespace()
                    guard trimmed.count >= 2, trimmed.first == "q" || trimmed.first == "Q",
                          trimmed.dropFirst().first == "=" else { continue }
                    if let parsed = parseWeight(trimmed.dropFirst(2)) {
                        quality = parsed
                    } else {
                        valid = false
                    }
                }
                if valid { items.append(QualityItem(value: head.lowercased(), quality: quality)) }
            }
        }
        return items
    }

    /// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`.
    static func parseWeight(_ text: Substring) -> Double? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        if bytes.count == 1 { return first == UInt8(ascii: "1") ? 1 : 0 }
        guard bytes[1] == UInt8(ascii: "."), bytes.count <= 5 else { return nil }
        var thousandths = 0
        var scale = 100
        for digit in bytes[2...] {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            thousandths += Int(digit - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        if first == UInt8(ascii: "1") { return thousandths == 0 ? 1 : nil }
        return Double(thousandths) / 1000
    }
}

/// What a client's `Accept` header says about the error format it wants.
enum AcceptPreference {
    /// True when the client weighs a JSON type above `text/html`. A bare `*/*` (curl, most
    /// libraries) ties, and a tie goes to HTML, so only clients that ask for JSON get JSON.
    static func prefersJSON(_ headers: HTTPHeaders) -> Bool {
        let items = QualityValues.parse(headers.values(of: "Accept"))
        guard !items.isEmpty else { return false }
        let json = max(
            quality(of: "application/json", in: items),
            quality(of: "application/problem+json", in: items)
        )
        return json > quality(of: "text/html", in: items)
    }

    /// The weight of the most specific range matching `mediaType` (exact, then `type/*`, then `*/*`).
    static func quality(of mediaType: String, in items: [QualityItem]) -> Double {
        if let exact = items.first(where: { $0.value == mediaType }) { return exact.quality }
        let type = mediaType.split(separator: "/").first.map(String.init) ?? mediaType
        if let range = items.first(where: { $0.value == type + "/*" }) { return range.quality }
        if let any = items.first(where: { $0.value == "*/*" }) { return any.quality }
        return 0
    }
}
