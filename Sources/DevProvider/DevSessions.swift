import Crypto
import JOSE
import Synchronization

/// The provider's sessions: one `sid` per sign-in at the authorize page (OIDC Front-Channel and
/// Back-Channel Logout's session identifier), carried in the ID token, so a relying party can be
/// told later which of its sessions a logout ends. In memory and bounded: the newest
/// `capacity` sign-ins are remembered.
final class DevSessions: Sendable {
    struct Entry: Sendable, Equatable {
        let subject: String
        let sessionID: String
    }

    private let entries = Mutex<[Entry]>([])
    private let capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// A new session of `subject`: 128 random bits, base64url.
    func start(subject: String) throws(SecureRandom.Failure) -> String {
        let sessionID = Base64URL.encode(try SecureRandom.bytes(16))
        entries.withLock { entries in
            entries.append(Entry(subject: subject, sessionID: sessionID))
            if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        }
        return sessionID
    }

    /// The `sid`s of `subject`'s sign-ins, oldest first.
    func sessionIDs(of subject: String) -> [String] {
        entries.withLock { $0.filter { $0.subject == subject }.map(\.sessionID) }
    }
}
