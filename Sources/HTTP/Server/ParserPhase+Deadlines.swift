extension RequestParser.Phase {
    /// The parser's phase in the terms the deadline state machine uses.
    var hint: ParserPhaseHint {
        switch self {
        case .idle: .idle
        case .head: .head
        case .body: .body
        }
    }
}

extension RequestParser {
    var hasBufferedBytes: Bool { bufferedByteCount > 0 }
}
