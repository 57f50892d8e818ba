import Crypto
import Foundation
import HTTP

/// The client credentials a token request presents, by `client_secret_basic`,
/// `client_secret_post` or `private_key_jwt` (a client assertion in `secret`'s place).
struct ClientCredentials: Sendable, Equatable {
    enum Method: String, Sendable, Equatable {
        case basic = "client_secret_basic"
        case post = "client_secret_post"
        case privateKeyJWT = "private_key_jwt"
    }

    let id: String
    let secret: String
    let method: Method

    /// Reads the credentials, refusing a request that uses both methods (RFC 6749 section 2.3:
    /// "MUST NOT use more than one authentication method in each request") or none.
    static func from(_ request: Request, form: QueryParameters) throws(OAuthErrorResponse) -> ClientCredentials {
        let authorization = request.headers["Authorization"]
        let postedSecret = form.first("client_secret")
        if form.first("client_assertion_type") != nil || form.first("client_assertion") != nil {
            guard authorization == nil, postedSecret == nil else {
                throw .invalidRequest("Use one client authentication method, not a client assertion and a secret.")
            }
            guard form.all("client_assertion_type") == [ClientAssertion.type], form.all("client_assertion").count == 1,
                  let assertion = form.first("client_assertion"), let id = form.first("client_id") else {
                throw .invalidRequest("private_key_jwt needs one client_assertion of type \(ClientAssertion.type) and the client_id.")
            }
            return ClientCredentials(id: id, secret: assertion, method: .privateKeyJWT)
        }
        if let authorization, authorization.split(separator: " ", maxSplits: 1).first?.lowercased() == "basic" {
            guard postedSecret == nil else {
                throw .invalidRequest("Use one client authentication method, not both Basic and client_secret.")
            }
            let credentials = try parseBasic(authorization)
            if let postedID = form.first("client_id"), postedID != credentials.id {
                throw .invalidRequest("client_id in the body differs from the one in the Authorization header.")
            }
            return credentials
        }
        guard let postedSecret else {
            throw .invalidClient("Client authentication is required (client_secret_basic or client_secret_post).", usedBasic: false)
        }
        guard form.all("client_id").count == 1, form.all("client_secret").count == 1, let id = form.first("client_id") else {
            throw .invalidRequest("client_secret_post needs exactly one client_id and one client_secret.")
        }
        return ClientCredentials(id: id, secret: postedSecret, method: .post)
    }

    /// RFC 6749 section 2.3.1: `Basic base64(urlencode(id) ":" urlencode(secret))`, where
    /// urlencode is application/x-www-form-urlencoded, so `+` means a space and `%3A` a colon.
    static func parseBasic(_ header: String) throws(OAuthErrorResponse) -> ClientCredentials {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2,
              let data = Data(base64Encoded: String(parts[1].trimmingASCIIWhitespace())),
              let decoded = String(data: data, encoding: .utf8),
              let colon = decoded.firstIndex(of: ":")
        else {
            throw .invalidClient("The Basic credentials are malformed.", usedBasic: true)
        }
        do {
            let id = try PercentDecoding.decode(decoded[..<colon], plusAsSpace: true)
            let secret = try PercentDecoding.decode(decoded[decoded.index(after: colon)...], plusAsSpace: true)
            return ClientCredentials(id: id, secret: secret, method: .basic)
        } catch {
            throw .invalidClient("The Basic credentials are not form-urlencoded.", usedBasic: true)
        }
    }

    /// Whether these credentials are the registered client's, by a method registered for it:
    /// the secret compared in constant time, or the assertion verified (`ClientAssertion`).
    func authenticate(
        _ client: DevClient, tokenEndpoint: String, replay: ClientAssertionReplayCache, now: Int64
    ) throws(OAuthErrorResponse) {
        let usedBasic = method == .basic
        guard client.authMethods.contains(method.rawValue) else {
            throw .invalidClient("The client is not registered for \(method.rawValue).", usedBasic: usedBasic)
        }
        switch method {
        case .basic, .post:
            let secretMatches = Digest.constantTimeEqual(Array(secret.utf8), Array(client.secret.utf8))
            guard id == client.id && secretMatches else { throw .invalidClient("Client authentication failed.", usedBasic: usedBasic) }
        case .privateKeyJWT:
            guard id == client.id else { throw .invalidClient("Client authentication failed.", usedBasic: false) }
            _ = try ClientAssertion.verify(secret, client: client, tokenEndpoint: tokenEndpoint, replay: replay, now: now)
        }
    }
}
