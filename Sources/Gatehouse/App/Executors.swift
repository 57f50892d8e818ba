import HTTP

/// The bounded executors that work which may block runs on (issue 12 section 2), so that no
/// handler can starve the server: `/auth/verify`, `/healthz` and static files run inline on
/// the connections' queues and never wait behind any of these.
///
/// - `passwords`: scrypt, CPU-bound, one thread per core; a burst of wrong passwords from many
///   addresses waits here (up to `passwordQueue`) or is told to come back, and holds no thread
///   anything else needs.
/// - one per provider: discovery, the token exchange and userinfo over libcurl, so a provider
///   that hangs (until its timeout) takes only its own threads, never another provider's.
/// - `store`: the pages that write the database (sessions, links, sign-out) and so may wait on
///   its one writer.
/// - one per directory: a password attempt a directory is asked first for (its search and bind
///   over libldap), so a directory that hangs (until its total timeout) takes only its own
///   threads, never the password executor local sign-ins hash on.
/// - `admin`: the admin API and `/metrics`, apart from the pages, so a busy operator's script,
///   a scraper, or a flood of requests with wrong tokens queues behind itself and never delays a
///   person's sign-in.
final class Executors: Sendable {
    static let passwordQueue = 32
    static let providerThreads = 4
    static let providerQueue = 64
    static let storeThreads = 4
    static let storeQueue = 256
    static let adminThreads = 2
    static let adminQueue = 64

    let passwords: BoundedExecutor
    let store: BoundedExecutor
    let admin: BoundedExecutor
    private let providers: [String: BoundedExecutor]
    private let directories: [String: BoundedExecutor]
    static let directoryThreads = 4
    static let directoryQueue = 64

    /// The longest a request waits in a queue before it is told 503 rather than started: a
    /// person would rather try again than wait behind a provider that hangs.
    static let maximumWaitSeconds = 15.0

    init(providerSlugs: [String], directorySlugs: [String] = [], processorCount: Int) {
        passwords = BoundedExecutor(
            name: "passwords", threads: max(1, processorCount), queueLimit: Self.passwordQueue, maximumWaitSeconds: Self.maximumWaitSeconds
        )
        store = BoundedExecutor(name: "store", threads: Self.storeThreads, queueLimit: Self.storeQueue, maximumWaitSeconds: Self.maximumWaitSeconds)
        admin = BoundedExecutor(name: "admin", threads: Self.adminThreads, queueLimit: Self.adminQueue, maximumWaitSeconds: Self.maximumWaitSeconds)
        providers = Self.onePerSlug(providerSlugs, named: "provider", threads: Self.providerThreads, queueLimit: Self.providerQueue)
        directories = Self.onePerSlug(directorySlugs, named: "directory", threads: Self.directoryThreads, queueLimit: Self.directoryQueue)
    }

    /// An executor for each slug, named `<kind>-<slug>` in `/metrics`.
    private static func onePerSlug(_ slugs: [String], named kind: String, threads: Int, queueLimit: Int) -> [String: BoundedExecutor] {
        Dictionary(slugs.map { slug in
            (slug, BoundedExecutor(name: "\(kind)-\(slug)", threads: threads, queueLimit: queueLimit, maximumWaitSeconds: maximumWaitSeconds))
        }, uniquingKeysWith: { first, _ in first })
    }

    /// The executor of the provider the request's path names (`:provider`), or nil for a slug
    /// that names none: that request is answered at once with a 404 page.
    var providerOfRequest: ExecutorChoice {
        { [providers] request in request.pathParameters["provider"].flatMap { providers[$0] } }
    }

    /// The executor of the provider `slug`, for work of that provider outside a request.
    func provider(_ slug: String) -> BoundedExecutor? { providers[slug] }

    var passwordsChoice: ExecutorChoice { { [passwords] _ in passwords } }
    var storeChoice: ExecutorChoice { { [store] _ in store } }
    var adminChoice: ExecutorChoice { { [admin] _ in admin } }

    /// `POST /login`: the executor of the source `firstSource` names for the typed identifier
    /// (the password executor for local accounts, an identification step, or a form that is too
    /// long to read or does not parse; the directory's own for a directory). It runs on the
    /// event loop, so a form longer than any real one is not parsed here.
    func login(_ passwordSignIn: PasswordSignIn) -> ExecutorChoice {
        { [passwords, directories] request in
            guard !directories.isEmpty, request.body.count <= LoginSubmission.maximumFormBytes,
                  let form = try? request.formBody(), let identifier = form.first("identifier"),
                  !(form.first("password") ?? "").isEmpty else { return passwords }
            switch passwordSignIn.firstSource(for: String(identifier.prefix(LoginPage.maximumHintBytes))) {
            case .local: return passwords
            case .directory(let slug): return directories[slug] ?? passwords
            }
        }
    }

    /// Every executor with its name, for `/metrics`.
    var all: [BoundedExecutor] {
        [passwords, store, admin] + providers.keys.sorted().compactMap { providers[$0] } + directories.keys.sorted().compactMap { directories[$0] }
    }

    /// Lets queued work finish and ends the threads.
    func shutdown() {
        all.forEach { $0.shutdown() }
    }
}
