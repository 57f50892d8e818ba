import Accounts
import HTTP
import OIDC
import Store

/// Why a sign-in did not finish, as the person sees it and as the audit log records it.
///
/// Each case has its own status, title and plain sentence; none carries a token, code,
/// state or nonce value, so the page and the log line can be shown as they are.
struct SignInFailure: Error, Sendable, Equatable {
    /// A stable name for logs, the audit trail and tests (`flow_replayed`, `id_token_rejected`, ...).
    let reason: String
    let status: HTTPStatus
    let title: String
    let sentence: String
    /// Detail for the log and audit trail only (never shown: it may name internals).
    let detail: String?
    /// Whether the refusal writes a `sign_in.refused` audit entry and a notice line. False only
    /// for refusals anyone can cause in a flood, so a flood writes neither: a made-up provider
    /// path (the request line still has it), a start refused for a full flow table (a warning
    /// at most once a minute), a start past the client's share, and a callback past the
    /// client's share of refused ones.
    let isRecorded: Bool
    /// Sent as `Retry-After` when the refusal passes by itself.
    let retryAfterSeconds: Int?

    init(
        _ reason: String, status: HTTPStatus, title: String, _ sentence: String, detail: String? = nil,
        isRecorded: Bool = true, retryAfterSeconds: Int? = nil
    ) {
        self.reason = reason
        self.status = status
        self.title = title
        self.sentence = sentence
        self.detail = detail
        self.isRecorded = isRecorded
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The path names no configured provider. The page does not repeat the name: it is the
    /// requester's own text, up to a URL's length.
    static func unknownProvider(_ slug: String) -> SignInFailure {
        SignInFailure("unknown_provider", status: .notFound, title: "Unknown sign-in provider",
                      "There is no such sign-in provider here. Go back and choose one of the offered providers.",
                      isRecorded: false)
    }

    /// `database.max_pending_sign_in_flows` flows are stored: the start writes nothing. It
    /// passes once older flows expire, so the page asks for a minute.
    static let tooManyPending = SignInFailure(
        "too_many_pending_sign_ins", status: .serviceUnavailable, title: "Too many sign-ins in progress",
        "Gatehouse is in the middle of more sign-ins than it keeps at once. Please try again in a minute.",
        isRecorded: false, retryAfterSeconds: 60)

    /// One client started `database.max_sign_in_starts_per_client` sign-ins in ten minutes: the
    /// start writes nothing, and the page says when the next one is accepted.
    static func tooManyStarts(retryAfterSeconds: Int64) -> SignInFailure {
        SignInFailure(
            "too_many_sign_in_starts", status: .tooManyRequests, title: "Too many sign-ins started",
            "Your network started more sign-ins than Gatehouse accepts in ten minutes. Please try again in \(waitPhrase(retryAfterSeconds)).",
            isRecorded: false, retryAfterSeconds: Int(retryAfterSeconds))
    }

    /// One client sent `database.max_sign_in_starts_per_client` callbacks in ten minutes that
    /// were refused (made up, replayed, expired): its next ones are refused unread, writing
    /// nothing, and the page says when they are read again.
    static func tooManyRefusedCallbacks(retryAfterSeconds: Int64) -> SignInFailure {
        SignInFailure(
            "too_many_refused_callbacks", status: .tooManyRequests, title: "Too many sign-ins failed",
            "Your network sent more sign-in answers that could not be accepted than Gatehouse reads in ten minutes. Please try again in \(waitPhrase(retryAfterSeconds)).",
            isRecorded: false, retryAfterSeconds: Int(retryAfterSeconds))
    }

    /// "a minute", or the wait rounded up to whole minutes.
    private static func waitPhrase(_ seconds: Int64) -> String {
        seconds <= 60 ? "a minute" : "\((seconds + 59) / 60) minutes"
    }

    /// The provider's back-channel logout ended the session this sign-in came from while it was
    /// being finished (section 2 of the OIDC back-channel logout; migration 0017).
    static let providerSignedOut = SignInFailure(
        "provider_signed_out", status: .forbidden, title: "You were signed out at the provider",
        "Your sign-in at the provider ended while Gatehouse was finishing it, so you were not signed in here. Please sign in again.")

    static func providerUnavailable(detail: String) -> SignInFailure {
        SignInFailure("provider_unavailable", status: .badGateway, title: "The sign-in provider cannot be reached",
                      "Gatehouse could not talk to the sign-in provider just now. Please try again in a minute.", detail: detail)
    }

    /// Gatehouse's own database failed a step of the sign-in: busy (another process held the
    /// writer past the busy timeout, as an operator's command or a migration may), or worse.
    /// Review finding: this was told as "the sign-in provider cannot be reached", a 502 that sent
    /// people and operators to look at the provider.
    static func storeUnavailable(_ what: String, _ error: any Error) -> SignInFailure {
        guard (error as? StoreError)?.code == .busy else {
            return SignInFailure(
                "store_failed", status: .serviceUnavailable, title: "Something went wrong on our side",
                "Gatehouse could not save your sign-in. Please start again; if it keeps happening, tell your administrator.",
                detail: "\(what): \(error)")
        }
        return SignInFailure(
            "store_busy", status: .serviceUnavailable, title: "Gatehouse is busy",
            "Gatehouse could not save your sign-in just now. Please start again in a moment.",
            detail: "\(what): \(error)", retryAfterSeconds: DatabaseBusy.retryAfterSeconds)
    }

    static func providerError(code: String, description: String?) -> SignInFailure {
        let said = description.map { " It said: “\($0)”." } ?? ""
        return SignInFailure("provider_error", status: .badRequest, title: "The sign-in provider did not sign you in",
                             "The provider answered with “\(code)”.\(said) You can start again.", detail: "error=\(AuditRecorder.value(code))")
    }

    static func badCallback(detail: String) -> SignInFailure {
        SignInFailure("malformed_callback", status: .badRequest, title: "This sign-in link is not valid",
                      "The answer from the sign-in provider was incomplete or malformed. Please start again.", detail: detail)
    }

    static let flowUnknown = SignInFailure(
        "flow_unknown", status: .badRequest, title: "This sign-in was not started here",
        "Gatehouse has no record of starting this sign-in. Links from elsewhere cannot sign you in, and a sign-in is cut short "
            + "when very many are under way at once; please start again.")
    static let flowReplayed = SignInFailure(
        "flow_replayed", status: .badRequest, title: "This sign-in link was already used",
        "Each sign-in link works once. If you pressed back or reloaded the page, start again.")
    static let flowExpired = SignInFailure(
        "flow_expired", status: .badRequest, title: "This sign-in took too long",
        "A sign-in must finish within ten minutes of starting. Please start again.")
    static let flowOtherBrowser = SignInFailure(
        "flow_other_browser", status: .badRequest, title: "This sign-in was started in another browser",
        "Finish a sign-in in the browser that started it (with cookies enabled). Please start again here.")
    static let flowProviderMismatch = SignInFailure(
        "flow_provider_mismatch", status: .badRequest, title: "This sign-in link is not valid",
        "The answer came back to a different provider than the one the sign-in started with. Please start again.")

    static func issuerParameter(detail: String) -> SignInFailure {
        SignInFailure("issuer_mismatch", status: .badRequest, title: "This sign-in link is not valid",
                      "The answer did not come from the provider the sign-in started with. Please start again.", detail: detail)
    }

    static func tokenExchange(detail: String) -> SignInFailure {
        SignInFailure("token_exchange_failed", status: .badGateway, title: "The sign-in provider refused to finish",
                      "The provider did not hand over your sign-in. Please start again; if it keeps failing, tell your administrator.",
                      detail: detail)
    }

    /// A provider without ID tokens (GitHub) would not say who signed in.
    static func accountUnavailable(detail: String) -> SignInFailure {
        SignInFailure("account_unavailable", status: .badGateway, title: "The sign-in provider did not say who you are",
                      "The provider finished the sign-in but would not tell Gatehouse which account it was. Please start again; if it keeps failing, tell your administrator.",
                      detail: detail)
    }

    static func idTokenRejected(detail: String) -> SignInFailure {
        SignInFailure("id_token_rejected", status: .badRequest, title: "The sign-in could not be verified",
                      "The provider’s answer did not pass Gatehouse’s checks, so you were not signed in. Please start again; if it keeps failing, tell your administrator.",
                      detail: detail)
    }

    /// The OIDC layer's refusal of a callback, as the person sees it: the one place its steps
    /// map to pages.
    init(_ failure: CodeFlowFailure) {
        switch failure {
        case .providerUnavailable(let error): self = .providerUnavailable(detail: error.description)
        case .issuerParameter(let error): self = .issuerParameter(detail: error.description)
        case .providerError(let code, let description): self = .providerError(code: code, description: description)
        case .tokenExchange(let error): self = .tokenExchange(detail: error.description)
        case .idTokenRejected(let error): self = .idTokenRejected(detail: error.description)
        case .accountUnavailable(let error): self = .accountUnavailable(detail: error.description)
        }
    }

    /// The linking engine refused the sign-in: 403, with the reason's own plain sentence. The
    /// detail (for the audit trail only) names the rule, and the previous issuer after an
    /// issuer change so the operator knows to run `gatehouse identities rekey-issuer`.
    static func denied(_ reason: DenyReason) -> SignInFailure {
        var detail = "rule=\(reason.rule.name)"
        if case .issuerChanged(let previous)? = reason.cause { detail += "; previous_issuer=\(previous)" }
        return SignInFailure(reason.code.rawValue, status: .forbidden, title: deniedTitle(reason.code), reason.message, detail: detail)
    }

    /// An account-page link came back to a browser no longer signed in as the user who started it.
    static let linkSessionEnded = SignInFailure(
        "link_session_ended", status: .forbidden, title: "Sign in again to link an account",
        "You were signed out (or signed in as someone else) while linking. Sign in again, then link from your account page.")

    /// The linking engine refused an account-page link: 403, with the reason's sentence.
    static func linkRefused(_ reason: DenyReason) -> SignInFailure {
        SignInFailure(reason.code.rawValue, status: .forbidden, title: "The account was not linked", reason.message,
                      detail: "rule=\(reason.rule.name)")
    }

    private static func deniedTitle(_ code: DenyCode) -> String {
        switch code {
        case .userInactive: "This account is disabled"
        case .signupDisabled, .noMatchingAccount: "No account here for this sign-in"
        case .ambiguousMatch: "More than one account matches"
        case .emailNotVerified: "Your email address is not verified"
        case .accountNotVerified: "This account cannot be linked automatically"
        case .identityConflict: "This sign-in conflicts with a linked account"
        case .accountExists: "You already have an account here"
        case .domainNotAllowed: "This email domain is not allowed"
        case .unsafePolicy: "Sign-in with this provider is turned off"
        case .identityOwnedByAnotherUser, .oneIdentityPerUser: "The account was not linked"
        }
    }

    /// The HTML page for a browser (`error.html`), with the request id as a reference for support.
    func page(requestID: String, pages: PageRenderer) -> Response {
        var page = pages.errorPage(ErrorPageContext(heading: title, message: sentence, reference: requestID), status: status)
        if let retryAfterSeconds { page.headers.set("Retry-After", String(retryAfterSeconds)) }
        return page
    }
}
