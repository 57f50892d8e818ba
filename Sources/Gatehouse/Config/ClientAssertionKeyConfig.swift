import JOSE

/// `providers[N].client_assertion_key`: the private key Gatehouse signs `private_key_jwt`
/// client assertions with (RFC 7523), as
/// `{"pem": <secret>, "kid": "...", "algorithm": "...", "certificate": <secret>}`.
///
/// `pem` takes any of a secret's forms, usually `{"file": "/etc/gatehouse/client-key.pem"}`;
/// `kid` is the key id the provider knows the public key by (default: its RFC 7638
/// thumbprint); `algorithm` defaults by key type (RS256, ES256/ES384/ES512 by curve, EdDSA);
/// `certificate` is the key's X.509 certificate as uploaded to the provider, whose thumbprints
/// (`x5t`, `x5t#S256`) then name the key in each assertion, as Entra ID requires.
enum ClientAssertionKeyConfig {
    static let keys = ["pem", "kid", "algorithm", "certificate"]

    static func decode(_ provider: ObjectReader) -> JWSSigningKey? {
        guard let json = provider.member("client_assertion_key") else { return nil }
        let reader = provider.decoder.object(json, at: provider.path.appending("client_assertion_key"), keys: keys)
        let pem = reader.secret("pem", required: true)
        let keyID = reader.value("kid", .nonEmptyString)
        let algorithm = reader.value("algorithm", .signatureAlgorithm)
        let certificate = reader.secret("certificate")
        guard let pem else { return nil }
        let key: JWSSigningKey
        do {
            key = try JWSSigningKey.load(pem: Array(pem.value.utf8), algorithm: algorithm, keyID: keyID)
        } catch {
            // The message says what is wrong with the key, never its bytes.
            reader.decoder.error(at: reader.path.appending("pem"), error.message)
            return nil
        }
        guard let certificate else { return key }
        do {
            return try key.withCertificate(pem: Array(certificate.value.utf8))
        } catch {
            reader.decoder.error(at: reader.path.appending("certificate"), error.message)
            return nil
        }
    }
}
