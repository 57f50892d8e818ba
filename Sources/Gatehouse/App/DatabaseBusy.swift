/// The answer when Gatehouse's own database stayed busy: another process (an operator's
/// command, a migration) held its writer past `database.busy_timeout_ms`. That passes by
/// itself, so the request is told to come back (503 with `Retry-After`), never a server fault.
enum DatabaseBusy {
    static let retryAfterSeconds = 5
}
