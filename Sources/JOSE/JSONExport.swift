/// JOSE's headers, claims and keys are `JSONValue`s (`JOSEHeader.members`,
/// `JSONWebKey(members:)`, `JWSSigningKey.publicJWK`), so whoever imports JOSE sees the JSON
/// module too, as when the type lived here.
@_exported import JSON
