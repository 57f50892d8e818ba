import Glibc

/// Member names that JOSE headers, JWKs and ID tokens nearly always carry, handed out as `String`
/// literals instead of building a new `String` for each.
///
/// Why: every token repeats the same dozen names (`alg`, `kid`, `iss`, `aud`, `exp`...), and
/// building a `String` from bytes costs a validation pass (and, past 15 bytes, an allocation),
/// several times what finding the name here costs; a literal is made at compile time. Only a
/// name written as plain ASCII without escapes is looked up, by its raw bytes, so the string
/// handed out is always exactly the one decoding would have built; any other spelling
/// (`"\u0069ss"`) is decoded as before, and compares equal to the literal anyway.
enum KnownMemberName {
    /// The literal whose UTF-8 bytes are exactly `raw`, when there is one. `head` is `raw`'s
    /// first eight bytes (fewer when it is shorter) as `head(of:)` packs them.
    ///
    /// Each case is a name's bytes read as a little-endian integer ("alg" is 0x67_6C61: g, l,
    /// a); names longer than eight bytes are then compared in full. The tests check every name.
    static func string(for raw: UnsafeBufferPointer<UInt8>, head: UInt64) -> String? {
        let name: String
        switch raw.count {
        case 1:
            switch head {
            case 0x6E: name = "n"
            case 0x65: name = "e"
            case 0x78: name = "x"
            case 0x79: name = "y"
            default: return nil
            }
        case 2:
            switch head {
            case 0x6468: name = "hd"
            default: return nil
            }
        case 3:
            switch head {
            case 0x67_6C61: name = "alg"
            case 0x64_696B: name = "kid"
            case 0x70_7974: name = "typ"
            case 0x79_7463: name = "cty"
            case 0x75_6B6A: name = "jku"
            case 0x6B_776A: name = "jwk"
            case 0x75_3578: name = "x5u"
            case 0x63_3578: name = "x5c"
            case 0x74_3578: name = "x5t"
            case 0x70_697A: name = "zip"
            case 0x34_3662: name = "b64"
            case 0x73_7369: name = "iss"
            case 0x64_7561: name = "aud"
            case 0x70_7865: name = "exp"
            case 0x74_6169: name = "iat"
            case 0x62_7573: name = "sub"
            case 0x70_7A61: name = "azp"
            case 0x66_626E: name = "nbf"
            case 0x69_746A: name = "jti"
            case 0x64_6973: name = "sid"
            case 0x72_6361: name = "acr"
            case 0x72_6D61: name = "amr"
            case 0x79_746B: name = "kty"
            case 0x65_7375: name = "use"
            case 0x76_7263: name = "crv"
            default: return nil
            }
        case 4:
            switch head {
            case 0x7469_7263: name = "crit"
            case 0x656D_616E: name = "name"
            case 0x7379_656B: name = "keys"
            default: return nil
            }
        case 5:
            switch head {
            case 0x65_636E_6F6E: name = "nonce"
            case 0x6C_6961_6D65: name = "email"
            default: return nil
            }
        case 6:
            switch head {
            case 0x6873_6168_5F63: name = "c_hash"
            case 0x7265_646E_6567: name = "gender"
            case 0x656C_6163_6F6C: name = "locale"
            default: return nil
            }
        case 7:
            switch head {
            case 0x68_7361_685F_7461: name = "at_hash"
            case 0x65_6C69_666F_7270: name = "profile"
            case 0x65_7275_7463_6970: name = "picture"
            case 0x65_7469_7362_6577: name = "website"
            case 0x73_7365_7264_6461: name = "address"
            case 0x73_706F_5F79_656B: name = "key_ops"
            default: return nil
            }
        case 8:
            switch head {
            case 0x3635_3253_2374_3578: name = "x5t#S256"
            case 0x656D_616E_6B63_696E: name = "nickname"
            case 0x6F66_6E69_656E_6F7A: name = "zoneinfo"
            default: return nil
            }
        case 9:
            switch head {
            case 0x6D69_745F_6874_7561: name = "auth_time"
            case 0x7461_6468_7472_6962: name = "birthdate"
            default: return nil
            }
        case 10:
            switch head {
            case 0x616E_5F6E_6576_6967: name = "given_name"
            case 0x5F64_6574_6164_7075: name = "updated_at"
            default: return nil
            }
        case 11:
            switch head {
            case 0x6E5F_796C_696D_6166: name = "family_name"
            case 0x6E5F_656C_6464_696D: name = "middle_name"
            default: return nil
            }
        case 12:
            switch head {
            case 0x756E_5F65_6E6F_6870: name = "phone_number"
            default: return nil
            }
        case 14:
            switch head {
            case 0x6576_5F6C_6961_6D65: name = "email_verified"
            default: return nil
            }
        case 18:
            switch head {
            case 0x6572_7265_6665_7270: name = "preferred_username"
            default: return nil
            }
        case 21:
            switch head {
            case 0x756E_5F65_6E6F_6870: name = "phone_number_verified"
            default: return nil
            }
        default:
            return nil
        }
        if raw.count <= 8 { return name }
        // A longer name matched on its first eight bytes: compare the rest.
        let same = name.utf8.withContiguousStorageIfAvailable { literal in
            guard let rawBase = raw.baseAddress, let literalBase = literal.baseAddress else { return false }
            return memcmp(rawBase, literalBase, raw.count) == 0
        }
        return same == true ? name : nil
    }

    /// The first eight bytes of `bytes` (fewer if it is shorter), little-endian, in one word.
    static func head(of bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var word: UInt64 = 0
        for index in 0..<min(8, bytes.count) {
            word |= UInt64(bytes[index]) << (8 * UInt64(index))
        }
        return word
    }
}
