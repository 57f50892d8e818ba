import Foundation
import HTTP
import OIDC
import Store
import Templates

/// The start page: who is signed in, a way to sign in, and a button per provider.
struct Pages: Sendable {
    let config: GatehouseConfig
    let sessions: SessionManager
    let database: Database
    let pages: PageRenderer
    let clock: @Sendable () -> Int64

    func register(in routes: inout RouterBuilder, on executor: @escaping ExecutorChoice) {
        routes.get("/", on: executor) { [self] request in try landing(request) }
    }

    private func landing(_ request: Request) throws -> Response {
        let session = try sessions.current(request, now: clock())
        let user = try session?.record.userID.flatMap { id in try database.read { try UserRepository($0).find(id: id) } }
        let context = LandingPageContext(
            user: user.map { (name: $0.displayName ?? $0.username, email: $0.email ?? $0.username) },
            providers: ProviderButton.all(for: config.providers, next: NextPath.fallback)
        )
        return try pages.page(context)
    }
}

/// `landing.html`.
struct LandingPageContext: PageContext {
    static let template = "landing"
    /// Who is signed in, or nil.
    var user: (name: String, email: String)?
    var providers: [ProviderButton]

    var title: String { "Gatehouse" }

    var values: [String: TemplateValue] {
        [
            "signed_in": .bool(user != nil),
            "user": ["name": .string(user?.name ?? ""), "email": .string(user?.email ?? "")],
            "login_href": "/login",
            "has_providers": .bool(!providers.isEmpty),
            "providers": .list(providers.map(\.value)),
        ]
    }

    static var schema: [String: TemplateValue] {
        LandingPageContext(user: (name: "n", email: "e"), providers: [ProviderButton.example]).values
    }
}
