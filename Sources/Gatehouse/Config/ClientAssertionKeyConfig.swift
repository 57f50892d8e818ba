import JOSE

/// `providers[N].client_assertion_key`: the private key Gatehouse signs `private_key_jwt`
/// client assertions with (RFC 7523), as `{"pem": <secret>, "kid": "...", "algorithm": "..."}`.
///
/// `pem` takes any of a secret's forms, usually `{"file": "/etc/gatehouse/client-key.pem"}`;
/// `kid` is the key id the provider knows the public key by (default: its RFC 7638
/// thumbprint); `algorithm` defaults by key type (RS256, ES256/ES384/ES512 by curve, EdDSA).
enum ClientAssertionKeyConfig {
    static let keys = ["pem", "kid", "algorithm"]

    static func decode(_ provider: ObjectReader) -> JWSSigningKey? {
        guard let json = provider.member("client_assertion_key") else { return nil }
        let reader = provider.decoder.object(json, at: provider.path.appending("client_assertion_key"), keys: keys)
        let pem = reader.secret("pem", required: true)
        let keyID = reader.value("kid", .nonEmptyString)
        let algorithm = reader.value("algorithm", .signatureAlgorithm)
        guard let pem else { return nil }
        do {
            return try JWSSigningKey.load(pem: Array(pem.value.utf8), algorithm: algorithm, keyID: keyID)
        } catch {
            // The message says what is wrong with the key, never its bytes.
            reader.decoder.error(at: reader.path.appending("pem"), error.message)
            return nil
        }
    }
}
