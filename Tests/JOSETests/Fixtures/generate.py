#!/usr/bin/env python3
"""Writes tokens.json: keys and compact JWS tokens made by an independent library (joserfc).

The JOSE tests read tokens.json and check that our verifier accepts every token marked valid and
refuses every other one with the expected error code. Keys are generated afresh on each run, so the
output changes every time; commit the script and its output together.

Run from the repository root:
    python3 -m pip install joserfc   # if `python3 -c "import joserfc"` fails
    python3 Tests/JOSETests/Fixtures/generate.py
"""
import base64
import hashlib
import hmac
import json
import os
import secrets
import warnings

import joserfc
from joserfc import jws
from joserfc.jwk import ECKey, OKPKey, OctKey, RSAKey

# joserfc warns that "EdDSA" is deprecated in favour of "Ed25519" (RFC 9864); providers still
# publish "EdDSA", so that is the name we test.
warnings.filterwarnings("ignore", message="EdDSA is deprecated")
# The 1024-bit key is made on purpose, to prove our parser refuses it.
warnings.filterwarnings("ignore", message="Key size should be")

ALL_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                  "ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512"]
PAYLOAD = json.dumps({"iss": "https://issuer.example", "sub": "248289761001", "aud": "gatehouse",
                      "exp": 1900000000, "iat": 1700000000, "nonce": "n-0S6_WzA2Mj"},
                     separators=(",", ":"))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64std(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def sign(header: dict, key, payload: str = PAYLOAD) -> str:
    return jws.serialize_compact(header, payload, key, algorithms=ALL_ALGORITHMS)


def main() -> None:
    keys = {
        "rsa-2048": RSAKey.generate_key(2048, parameters={"kid": "rsa-2048", "use": "sig"}),
        "ec-p256": ECKey.generate_key("P-256", parameters={"kid": "ec-p256", "use": "sig", "alg": "ES256"}),
        "ec-p384": ECKey.generate_key("P-384", parameters={"kid": "ec-p384"}),
        "ec-p521": ECKey.generate_key("P-521", parameters={"kid": "ec-p521"}),
        "ed25519": OKPKey.generate_key("Ed25519", parameters={"kid": "ed25519"}),
    }
    attacker = RSAKey.generate_key(2048, parameters={"kid": "rsa-2048"})
    attacker_ec = ECKey.generate_key("P-256", parameters={"kid": "ec-p256"})
    attacker_der = attacker.as_der(private=False)
    weak = RSAKey.generate_key(1024, parameters={"kid": "rsa-1024"}, private=True)
    hmac_secret = secrets.token_bytes(64)
    hmac_key = OctKey.import_key(hmac_secret)

    tokens = []

    def add(name, token, expected_code=None, reason=""):
        tokens.append({"name": name, "token": token, "expectedCode": expected_code, "reason": reason})

    # Valid: one token per algorithm, each naming its key.
    for alg in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]:
        add(f"{alg.lower()}-valid", sign({"alg": alg, "kid": "rsa-2048", "typ": "JWT"}, keys["rsa-2048"]),
            reason="signed by the RSA key in the set")
    for alg, kid in [("ES256", "ec-p256"), ("ES384", "ec-p384"), ("ES512", "ec-p521")]:
        add(f"{alg.lower()}-valid", sign({"alg": alg, "kid": kid}, keys[kid]), reason="signed by the matching EC key")
    add("eddsa-valid", sign({"alg": "EdDSA", "kid": "ed25519"}, keys["ed25519"]), reason="signed by the Ed25519 key")
    for alg in ["HS256", "HS384", "HS512"]:
        add(f"{alg.lower()}-valid", sign({"alg": alg}, hmac_key), reason="HMAC with the configured secret")
    add("rs256-no-kid-valid", sign({"alg": "RS256"}, keys["rsa-2048"]),
        reason="no kid, but exactly one key in the set fits RS256")
    add("es256-no-kid-valid", sign({"alg": "ES256"}, keys["ec-p256"]),
        reason="no kid, but exactly one key in the set fits ES256")

    # Invalid.
    add("rs256-wrong-key", sign({"alg": "RS256", "kid": "rsa-2048"}, attacker), "badSignature",
        "signed by another RSA key under the real kid")
    add("es256-wrong-key", sign({"alg": "ES256", "kid": "ec-p256"}, attacker_ec), "badSignature",
        "signed by another P-256 key under the real kid")
    good = sign({"alg": "ES256", "kid": "ec-p256"}, keys["ec-p256"]).split(".")
    tampered = b64url(PAYLOAD.replace("248289761001", "248289761002").encode())
    add("es256-tampered-payload", ".".join([good[0], tampered, good[2]]), "badSignature", "payload changed after signing")
    good = sign({"alg": "RS256", "kid": "rsa-2048"}, keys["rsa-2048"]).split(".")
    add("rs256-tampered-payload", ".".join([good[0], tampered, good[2]]), "badSignature", "payload changed after signing")
    good = sign({"alg": "EdDSA", "kid": "ed25519"}, keys["ed25519"]).split(".")
    add("eddsa-tampered-payload", ".".join([good[0], tampered, good[2]]), "badSignature", "payload changed after signing")
    add("rs256-unknown-kid", sign({"alg": "RS256", "kid": "rotated-away"}, keys["rsa-2048"]), "unknownKeyID",
        "kid names no key in the set")
    add("es384-with-p256-key", sign({"alg": "ES384", "kid": "ec-p256"}, keys["ec-p384"]), "noSuitableKey",
        "kid names a P-256 key, the token says ES384")
    add("ps256-kid-names-ec-key", sign({"alg": "PS256", "kid": "ec-p256"}, keys["rsa-2048"]), "noSuitableKey",
        "kid names an EC key, the token says PS256")
    add("embedded-jwk-attacker-kid",
        sign({"alg": "RS256", "kid": "attacker", "jwk": attacker.as_dict(private=False)},
             RSAKey.import_key(attacker.as_dict(private=True) | {"kid": "attacker"})),
        "unknownKeyID", "the token carries the attacker's own key; the embedded jwk is never used")
    add("embedded-jwk-attacker-no-kid",
        sign({"alg": "RS256", "jwk": attacker.as_dict(private=False)}, attacker), "badSignature",
        "no kid: the set's one RSA key is selected, never the embedded jwk")
    add("jku-attacker", sign({"alg": "RS256", "kid": "rsa-2048", "jku": "https://attacker.example/jwks.json"}, attacker),
        "badSignature", "jku is never followed")
    add("x5u-attacker", sign({"alg": "RS256", "kid": "rsa-2048", "x5u": "https://attacker.example/cert.pem"}, attacker),
        "badSignature", "x5u is never followed")
    add("x5c-attacker", sign({"alg": "RS256", "kid": "rsa-2048", "x5c": [b64std(attacker_der)]}, attacker),
        "badSignature", "x5c is never trusted (here it is not even a certificate, only the attacker's key)")
    add("weak-rsa-1024-kid", sign({"alg": "RS256", "kid": "rsa-1024"}, weak), "unknownKeyID",
        "the 1024-bit key was skipped when the set was parsed, so its kid is unknown")

    # HS256 keyed with the RSA public key, in PEM and as JWK JSON: the classic key-confusion attack.
    public_pem = keys["rsa-2048"].as_pem(private=False)
    public_jwk_json = json.dumps(keys["rsa-2048"].as_dict(private=False)).encode()
    for label, secret in [("pem", public_pem), ("jwk", public_jwk_json)]:
        header = b64url(json.dumps({"alg": "HS256", "kid": "rsa-2048"}).encode())
        body = b64url(PAYLOAD.encode())
        tag = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
        add(f"hs256-keyed-with-rsa-public-{label}", f"{header}.{body}.{b64url(tag)}", "noSuitableKey",
            "HS256 with the RSA public key as secret; no HMAC secret is configured")

    # The weak key sits in the published set: parsing must skip it, not fail the whole set.
    jwks = {"keys": [key.as_dict(private=False) for key in keys.values()] + [weak.as_dict(private=False)]}
    output = {
        "generator": f"joserfc {joserfc.__version__}",
        "jwks": jwks,
        "hmacSecret": b64url(hmac_secret),
        "payload": PAYLOAD,
        "tokens": tokens,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tokens.json")
    with open(path, "w") as file:
        json.dump(output, file, indent=2)
        file.write("\n")
    print(f"wrote {len(tokens)} tokens to {path}")


if __name__ == "__main__":
    main()
