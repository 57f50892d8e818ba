import Foundation
import Store
import Testing

/// Issue 11 section 3: audit events are one typed vocabulary, not strings spread over eight files.
@Suite struct AuditVocabularyTests {
    /// Every event the code can write, written out: adding one is a decision someone makes here.
    @Test func everyEventTheCodeCanWrite() {
        #expect(AuditEvent.allCases.map(\.rawValue) == [
            "sign_in.success", "sign_in.refused", "sign_in.userinfo_discarded",
            "login.failed", "login.rate_limited", "login.identified",
            "sign_out", "sign_out.back_channel", "sign_out.back_channel_unmatched",
            "identity.linked", "identity.subject_filled", "identity.unlinked", "identities.issuer_rekeyed",
            "user.created", "user.password_set",
            "user.updated", "user.deactivated", "user.deleted", "session.revoked", "sessions.revoked",
            "api_token.created", "api_token.revoked", "api.authentication_failed", "api.authentication_rate_limited",
            "user.provisioned",
            "directory.synced", "directory.sync_stopped", "directory.sync_failed",
            "migration.key_collision", "migration.username_verifier_unknown", "migration.verified_email_duplicate",
        ])
    }

    /// No Swift source but the vocabulary itself spells an event's name, so none can be written
    /// around it; and the migrations write only events of the vocabulary.
    @Test func noEventIsSpelledOutsideTheVocabulary() throws {
        let sources = URL(fileURLWithPath: packageRoot + "/Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" && $0.lastPathComponent != "AuditEvent.swift" } ?? []
        #expect(files.count > 100)
        for file in files where file.lastPathComponent != "EmbeddedMigrations.swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for event in AuditEvent.allCases {
                #expect(!text.contains("\"\(event.rawValue)\""), "\(file.lastPathComponent) spells \(event.rawValue)")
            }
        }
        let migrations = URL(fileURLWithPath: packageRoot + "/migrations")
        let known = Set(AuditEvent.allCases.map(\.rawValue))
        for file in try FileManager.default.contentsOfDirectory(at: migrations, includingPropertiesForKeys: nil) where file.pathExtension == "sql" {
            let text = try String(contentsOf: file, encoding: .utf8)
            guard text.contains("INSERT INTO audit_log") else { continue }
            let written = text.split(separator: "'").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
                .filter { $0.contains(".") && !$0.contains(" ") && !$0.contains("=") && !$0.contains("%") && !$0.contains(":") }
            #expect(!written.isEmpty)
            for name in written { #expect(known.contains(name), "\(file.lastPathComponent) writes \(name)") }
        }
    }
}
