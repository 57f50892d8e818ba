import HTTP
import Logging
import Store

/// The one way Gatehouse writes the audit log.
///
/// - Inside the caller's write transaction, the entry is part of the change it records: if it
///   cannot be written, the error goes to the caller and nothing of the change is committed, so
///   no link, user or session ever stands without its entry.
/// - On its own (a refusal, a failed password), it is best effort: a failing write is logged,
///   without the detail, and never turns the answer into a failure page.
struct AuditRecorder: Sendable {
    let database: Database
    let logger: Logger

    /// One entry in a transaction of its own.
    func record(
        _ event: AuditEvent, userID: Int64? = nil, requestID: String?, now: Int64, detail: String,
        actor: String? = nil, provider: String? = nil
    ) {
        do {
            try database.write { connection in
                try Self.record(
                    event, userID: userID, requestID: requestID, now: now, detail: detail, actor: actor, provider: provider, in: connection
                )
            }
        } catch {
            logFailure(event, requestID: requestID, error: error)
        }
    }

    /// One entry in the caller's write transaction, which fails with it. `actor` says who acted
    /// (`token:<name>`, `cli`, `person`; nil for the server itself), `provider` which provider
    /// the entry concerns: the admin API filters the trail by both.
    static func record(
        _ event: AuditEvent, userID: Int64? = nil, requestID: String?, now: Int64, detail: String,
        actor: String? = nil, provider: String? = nil, in connection: Connection
    ) throws {
        try AuditLogRepository(connection).append(
            event, now: now, userID: userID, requestID: requestID, detail: detail, actor: actor, provider: provider
        )
    }

    /// Failed writes of entries recorded on their own (refusals anyone can cause among them, when
    /// a flood keeps the writer busy) are one error line a minute, saying how many more failed
    /// since the last line, not one line each. Entries written in the caller's transaction
    /// fail with it instead, and are never counted here.
    private static let failureLog = RepeatedLogLine(intervalSeconds: 60)

    private func logFailure(_ event: AuditEvent, requestID: String?, error: any Error) {
        guard let heldBack = Self.failureLog.admit() else { return }
        logger.error("audit write failed", metadata: [
            "request_id": "\(requestID ?? "")", "event": "\(event.rawValue)", "error": "\(error)",
            "failed_unlogged_since_last": "\(heldBack)",
        ])
    }

    /// Text someone else chose (a typed identifier, a provider's error code) as one value of an
    /// audit detail's `key=value; …` list: control characters replaced, `%`, `;` and `=`
    /// percent-encoded (so `alice; client=10.9.9.9` stays one value and cannot add a field), at
    /// most 128 characters of it.
    static func value(_ text: String) -> String {
        // Cut before encoding, so a cut never splits an escape.
        let shown = text.count > 128 ? String(text.prefix(128)) : text
        var cleaned = ""
        for scalar in shown.unicodeScalars {
            switch scalar {
            case "%": cleaned += "%25"
            case ";": cleaned += "%3B"
            case "=": cleaned += "%3D"
            case _ where scalar.properties.generalCategory == .control: cleaned += "?"
            default: cleaned.unicodeScalars.append(scalar)
            }
        }
        return shown.count < text.count ? cleaned + "…" : cleaned
    }
}
