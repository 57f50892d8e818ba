import OIDC

/// Whether a configured provider can sign anyone in, as far as its discovery document says:
/// asked by `check-config` (which prints it) and at start (which logs it), so an operator
/// learns of an unusable client authentication before the first person does.
struct ProviderReadiness: Sendable {
    enum Verdict: Sendable, Equatable {
        /// Discovery answered and is compatible; `chosen` when the method came from discovery
        /// rather than the configuration, `warning` when the configured one is not advertised.
        case ready(method: TokenEndpointAuthMethod, chosen: Bool, warning: String?)
        /// Discovery could not be fetched: nothing to judge by yet.
        case unreachable(String)
        /// Discovery answered, and these settings cannot work with it.
        case unusable(String)
    }

    let slug: String
    /// The provider's JSON path in the configuration, `$.providers[N]`.
    let path: String
    let verdict: Verdict

    static func check(_ connection: ProviderConnection, path: String, now: Int64) -> ProviderReadiness {
        let settings = connection.settings
        let verdict: Verdict
        do throws(OIDCError) {
            let document = try connection.discovery(now: now)
            let advertised = document.tokenEndpointAuthMethodsSupported
            verdict = .ready(
                method: try ClientAuthentication.method(for: settings, advertised: advertised),
                chosen: settings.tokenEndpointAuthMethod == nil,
                warning: ClientAuthentication.unadvertisedWarning(for: settings, advertised: advertised)
            )
        } catch where error.code == .transportFailed || error.code == .unexpectedResponse {
            verdict = .unreachable(error.message)
        } catch {
            verdict = .unusable(error.message)
        }
        return ProviderReadiness(slug: settings.slug, path: path, verdict: verdict)
    }

    /// One line for `check-config`.
    var line: String {
        switch verdict {
        case .ready(let method, let chosen, let warning):
            let how = chosen ? "chosen from discovery" : "configured"
            let line = "\(path) (\(slug)): client authentication \(method.rawValue), \(how)"
            return warning.map { "\(line)\n\(path).token_endpoint_auth_method: warning: \($0)" } ?? line
        case .unreachable(let why):
            return "\(path) (\(slug)): warning: discovery could not be fetched, so client authentication was not checked: \(why)"
        case .unusable(let why):
            return "\(path) (\(slug)): \(why)"
        }
    }
}
