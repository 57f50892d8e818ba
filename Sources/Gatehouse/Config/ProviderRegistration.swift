/// What an operator registers at each provider for sign-out, as `check-config` prints it: the
/// back-channel logout URI (when `backchannel_logout` is on) and the post-logout redirect URI,
/// under `server.public_url`'s origin, spelt by the code that serves them so the printed URL is
/// the one that answers.
enum ProviderRegistration {
    static func lines(_ config: GatehouseConfig) -> [String] {
        let origin = config.server.publicURL.origin
        return config.providers.flatMap { provider in
            let slug = provider.slug
            var lines: [String] = []
            if provider.backChannelLogout {
                lines.append("provider \(slug): backchannel_logout_uri \(origin)\(BackChannelLogoutEndpoint.path(for: slug))")
            }
            lines.append("provider \(slug): post_logout_redirect_uri \(origin)\(SignOut.signedOutPath)")
            return lines
        }
    }
}
