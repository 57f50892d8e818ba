import HTTP
import Logging
import OIDC
import Store

/// `POST /oidc/{slug}/backchannel-logout`: OpenID Connect Back-Channel Logout 1.0, the provider
/// telling Gatehouse that a person (or one of their sessions at it) has signed out there.
///
/// The form's one `logout_token` is verified completely (`ProviderConnection.verifyLogoutToken`:
/// the ID token's signature and algorithm rules, then the logout token's own), then recorded and
/// acted on in one transaction (`BackChannelLogoutRecording`): the sessions it names are revoked,
/// and forward-auth refuses them on the very next request. 200 when carried out, even if no
/// session matched (section 2.7); 400 with an OAuth error object otherwise; `no-store` always.
///
/// Anyone can send this request. Nothing is written before the token's signature and claims have
/// passed, so a stranger's requests cost a verification and a log line, never a row; the token,
/// its `sub` and its `sid` are never logged.
struct BackChannelLogoutEndpoint: Sendable {
    let providers: [String: ProviderConnection]
    /// The providers whose configuration leaves `backchannel_logout` on.
    let enabled: Set<String>
    let recording: BackChannelLogoutRecording
    let logger: Logger
    let clock: @Sendable () -> Int64

    /// The path a provider is told to send its logout tokens to (its `backchannel_logout_uri`,
    /// under `server.public_url`'s origin, as the redirect URI is).
    static func path(for slug: String) -> String {
        "/oidc/\(slug)/backchannel-logout"
    }

    /// On the provider's own executor: verifying may fetch its discovery document or key set.
    func register(in routes: inout RouterBuilder, on executor: @escaping ExecutorChoice) {
        routes.post(Self.path(for: ":provider"), on: executor) { [self] request in respond(request) }
    }

    func respond(_ request: Request) -> Response {
        let slug = request.pathParameters["provider"] ?? ""
        guard enabled.contains(slug), let provider = providers[slug] else {
            return BackChannelLogoutAnswer.response(status: .notFound, body: ["error": "not_found"])
        }
        let now = clock()
        do throws(BackChannelLogoutRefusal) {
            let token = try logoutToken(in: request)
            let claims: LogoutTokenClaims
            do { claims = try provider.verifyLogoutToken(token, now: now) } catch { throw .tokenRefused(error) }
            // The validator guarantees a sub or a sid; a token naming nobody is refused, never
            // taken to mean everyone.
            guard let scope = ProviderLogoutScope(subject: claims.subjectNamingIdentities, sessionID: claims.sessionID) else {
                throw .tokenRefused(OIDCError(code: .missingSubjectAndSession, message: "the logout token names nobody"))
            }
            let outcome: BackChannelLogoutRecording.Outcome
            do {
                outcome = try recording.record(claims, scope: scope, provider: slug, requestID: request.requestID, now: now)
            } catch {
                logger.error("back-channel logout failed", metadata: ["request_id": "\(request.requestID)", "provider": "\(slug)", "error": "\(error)"])
                throw .storeFailed
            }
            switch outcome {
            case .replayed:
                throw .replayed
            case .replayRecordFull:
                logger.error("back-channel logout not recorded: the replay record is full", metadata: [
                    "request_id": "\(request.requestID)", "provider": "\(slug)", "capacity": "\(LogoutTokenLedger.capacityPerIssuer)",
                ])
                throw .replayRecordFull
            case .loggedOut(let revoked):
                logger.info("back-channel logout", metadata: [
                    "request_id": "\(request.requestID)", "provider": "\(slug)", "named": "\(BackChannelLogoutRecording.named(scope))",
                    "sessions_revoked": "\(revoked.count)",
                ])
                return BackChannelLogoutAnswer.success
            }
        } catch {
            logger.notice("back-channel logout refused", metadata: [
                "request_id": "\(request.requestID)", "provider": "\(slug)", "reason": "\(error.description)", "detail": "\(error.logDetail)",
            ])
            return error.response
        }
    }

    /// The form's `logout_token`, exactly once (section 2.5).
    private func logoutToken(in request: Request) throws(BackChannelLogoutRefusal) -> String {
        let form: QueryParameters
        do { form = try request.formBody() } catch {
            throw .malformedRequest("the body must be an application/x-www-form-urlencoded form in UTF-8")
        }
        let tokens = form.all("logout_token")
        guard tokens.count == 1, let token = tokens.first, !token.isEmpty else {
            throw .malformedRequest("the form must carry exactly one logout_token")
        }
        return token
    }
}
