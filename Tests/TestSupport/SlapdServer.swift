import Foundation

/// A real OpenLDAP `slapd` for a test: its own temporary directory, configuration (slapd.conf,
/// the mdb backend), database loaded with `slapadd` from the test's LDIF, and a test CA's
/// certificate for StartTLS and LDAPS; listening on two free loopback ports, as whoever runs the
/// tests. Stopped with SIGTERM and its directory removed on `stop` or `deinit`.
///
/// When slapd is not installed this throws: the test fails (`make test` installs it), never skips.
public final class SlapdServer: @unchecked Sendable {
    public static let suffix = "dc=example,dc=org"
    public static let rootDN = "cn=admin,dc=example,dc=org"
    public static let rootPassword = "admin-secret"
    /// The service account Gatehouse searches as: subject to the size limit, unlike the root DN.
    public static let serviceDN = "cn=gatehouse,dc=example,dc=org"
    public static let servicePassword = "service-secret"
    public static let slapdPath = "/usr/sbin/slapd"

    public let directory: String
    public let port: UInt16
    public let tlsPort: UInt16
    private var server: ExternalServer?

    /// The CA that signed the server's certificate (for `ca_file`).
    public var caFile: String { directory + "/ca.pem" }
    /// Another CA, which signed nothing this server shows: StartTLS must be refused with it.
    public var unknownCAFile: String { directory + "/other-ca.pem" }
    public var uri: String { "ldap://127.0.0.1:\(port)" }
    public var ldapsURI: String { "ldaps://127.0.0.1:\(tlsPort)" }

    /// `ldif` is loaded under the suffix (whose entry this makes); `schema` adds attribute and
    /// object class definitions in slapd.conf syntax (the Active Directory shape);
    /// `sizeLimit` is what one unpaged search may return.
    public init(ldif: String, schema: String = "", sizeLimit: Int = 500) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.slapdPath) else {
            throw TestClient.Failure(description: "\(Self.slapdPath) is not installed: make test-deps installs slapd and ldap-utils")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-slapd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/db", withIntermediateDirectories: true)
        port = try ExternalServer.freePort()
        tlsPort = try ExternalServer.freePort()
        do {
            try makeCertificates()
            let includes = ["core", "cosine", "inetorgperson", "nis"].map { "include /etc/ldap/schema/\($0).schema" }.joined(separator: "\n")
            let config = """
            \(includes)
            \(schema)
            modulepath /usr/lib/ldap
            moduleload back_mdb
            pidfile \(directory)/slapd.pid
            TLSCACertificateFile \(directory)/ca.pem
            TLSCertificateFile \(directory)/server.pem
            TLSCertificateKeyFile \(directory)/server.key
            sizelimit size.soft=\(sizeLimit) size.hard=\(sizeLimit) size.prtotal=unlimited
            database mdb
            maxsize 268435456
            suffix "\(Self.suffix)"
            rootdn "\(Self.rootDN)"
            rootpw \(Self.rootPassword)
            directory \(directory)/db
            index objectClass eq
            index uid,mail,cn eq
            index entryUUID eq
            access to attrs=userPassword by self write by anonymous auth by * none
            access to * by * read

            """
            try config.write(toFile: directory + "/slapd.conf", atomically: true, encoding: .utf8)
            let base = """
            dn: \(Self.suffix)
            objectClass: dcObject
            objectClass: organization
            o: Example
            dc: example

            dn: \(Self.serviceDN)
            objectClass: organizationalRole
            objectClass: simpleSecurityObject
            cn: gatehouse
            userPassword: \(Self.servicePassword)


            """
            try (base + ldif).write(toFile: directory + "/data.ldif", atomically: true, encoding: .utf8)
            let loaded = try ChildProcess.run("/usr/sbin/slapadd", ["-q", "-f", directory + "/slapd.conf", "-l", directory + "/data.ldif"])
            guard loaded.status == 0 else { throw TestClient.Failure(description: "slapadd failed:\n\(loaded.output)") }
            server = try ExternalServer(
                executable: Self.slapdPath,
                arguments: ["-f", directory + "/slapd.conf", "-h", "ldap://127.0.0.1:\(port)/ ldaps://127.0.0.1:\(tlsPort)/", "-d", "0"],
                port: port, logPath: directory + "/slapd.log"
            )
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Applies an LDIF of changes (`changetype: modify`, `modrdn`, `delete`, `add`) as the
    /// root DN through `ldapmodify`, over the running server.
    public func modify(_ ldif: String) throws {
        let result = try ChildProcess.run(
            "/usr/bin/ldapmodify", ["-x", "-H", uri, "-D", Self.rootDN, "-w", Self.rootPassword], stdin: ldif
        )
        guard result.status == 0 else { throw TestClient.Failure(description: "ldapmodify failed:\n\(result.output)") }
    }

    public func stop() {
        stopServing()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops the server and keeps its files (the CA a client was configured with): an outage,
    /// not a removal.
    public func stopServing() {
        server?.stop()
        server = nil
    }

    deinit { stop() }

    /// A CA, a server certificate for 127.0.0.1 and localhost signed by it, and a second CA
    /// that signed nothing here.
    private func makeCertificates() throws {
        func openssl(_ arguments: [String]) throws {
            let result = try ChildProcess.run("/usr/bin/openssl", arguments)
            guard result.status == 0 else { throw TestClient.Failure(description: "openssl \(arguments.first ?? "") failed:\n\(result.output)") }
        }
        let at = directory + "/"
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: at + "san.cnf", atomically: true, encoding: .utf8)
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", at + "ca.key",
                     "-out", at + "ca.pem", "-days", "2", "-subj", "/CN=Gatehouse Test CA"])
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", at + "other-ca.key",
                     "-out", at + "other-ca.pem", "-days", "2", "-subj", "/CN=Gatehouse Test CA"])
        try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", at + "server.key",
                     "-out", at + "server.csr", "-subj", "/CN=localhost"])
        try openssl(["x509", "-req", "-in", at + "server.csr", "-CA", at + "ca.pem", "-CAkey", at + "ca.key", "-CAcreateserial",
                     "-out", at + "server.pem", "-days", "2", "-extfile", at + "san.cnf"])
    }
}

/// LDIF for tests: people under `ou=people`, groups under `ou=groups`.
public enum DirectoryFixture {
    public static let people = "ou=people,\(SlapdServer.suffix)"
    public static let groups = "ou=groups,\(SlapdServer.suffix)"

    public static let units = """
    dn: \(people)
    objectClass: organizationalUnit
    ou: people

    dn: \(groups)
    objectClass: organizationalUnit
    ou: groups


    """

    public static func person(_ uid: String, mail: String? = nil, password: String, name: String? = nil, under: String = people) -> String {
        var lines = ["dn: uid=\(uid),\(under)", "objectClass: inetOrgPerson", "uid: \(uid)", "cn: \(name ?? uid)", "sn: \(uid)",
                     "userPassword: \(password)"]
        if let mail { lines.append("mail: \(mail)") }
        return lines.joined(separator: "\n") + "\n\n"
    }

    public static func group(_ name: String, members: [String]) -> String {
        (["dn: cn=\(name),\(groups)", "objectClass: groupOfNames", "cn: \(name)"]
            + members.map { "member: uid=\($0),\(people)" }).joined(separator: "\n") + "\n\n"
    }
}
