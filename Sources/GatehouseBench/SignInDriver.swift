import TestSupport

/// Walks one complete sign-in the way a browser does, with TestSupport's cookie-keeping client:
/// GET /oidc/dev/authorize (302 to the provider), GET the provider's page, POST its form with
/// the person filled in (hidden fields copied), 303 back to the callback, GET the callback at
/// Gatehouse, which must answer with a redirect and a session cookie.
struct SignInDriver {
    let origin: String
    let sessionCookie: String

    /// Returns the session cookie the sign-in ended with.
    @discardableResult
    func signIn(subject: String) throws -> BrowserClient.Cookie {
        // A new browser per sign-in: its own flow cookie, no session carried over.
        let browser = BrowserClient()
        let start = try browser.get("\(origin)/oidc/dev/authorize?next=%2F")
        guard start.status == 302, let toProvider = start.location else {
            throw BenchFailure("authorize answered \(start.status): \(start.text)")
        }
        let page = try browser.get(toProvider)
        guard page.status == 200, var form = HTMLForm.all(in: page.text).first(where: { $0.method == "POST" }) else {
            throw BenchFailure("the provider's page answered \(page.status)")
        }
        form.set("subject", subject)
        form.set("email", "\(subject)@example.com")
        form.fields.removeAll { $0.0 == "email_verified" }
        form.set("email_verified", "true")
        form.set("name", "Bench Person")
        form.set("preferred_username", subject)
        form.set("fault", "none")
        let answer = try browser.postForm(BrowserClient.resolve(form.action, against: toProvider), form.fields)
        guard (300..<400).contains(answer.status), let callback = answer.location else {
            throw BenchFailure("the provider answered \(answer.status): \(answer.text)")
        }
        let finished = try browser.get(callback)
        guard finished.status == 303, let cookie = browser.cookie(named: sessionCookie) else {
            throw BenchFailure("the callback answered \(finished.status) without a session: \(finished.text)")
        }
        return cookie
    }
}
