import Foundation
import Testing
import TestSupport

/// The namespaces the test runs in: user, mount, network and process ids. With `--kill-child`
/// and a process-id namespace, everything the script starts ends with it, whatever ends it.
private let unshareArguments = ["-rmnpf", "--kill-child"]

/// Whether this machine lets a test make those namespaces, bring their loopback up and run
/// python3 in them.
private let namespacesAvailable: Bool = {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
    let probe = try? ChildProcess.run("/usr/bin/unshare", unshareArguments + ["sh", "-c", "ip link set lo up && command -v python3"])
    return probe?.status == 0
}()

/// Review finding: a provider's name that the resolver never answers held a back-channel
/// transfer for the resolver's own timeout, long after Gatehouse's: curl timed the transfer
/// out at 5 s, then waited for its resolver thread (30 s in the run that found it) before it
/// returned, with the browser and a thread of the provider's executor waiting too.
///
/// The resolver is made to hang for real: `gatehouse check-config` (which asks each provider's
/// discovery) runs in namespaces of its own (`unshare`: a user, mount and network namespace),
/// where `/etc/resolv.conf` names a DNS server on the namespace's loopback that takes queries
/// and never answers, and glibc waits 30 s for it, twice (`/etc/nsswitch.conf` says to ask it,
/// and an nscd's socket, if the host has one, is hidden).
@Suite(.serialized, .enabled(if: namespacesAvailable, "unshare cannot make user, mount and network namespaces here"))
struct SlowResolverTests {

    static let blackhole = """
        import signal, socket, sys
        signal.alarm(120)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 53))
        open(sys.argv[1], "w").close()
        while True:
            s.recvfrom(4096)
        """

    @Test func aResolverThatNeverAnswersHoldsATransferNoLongerThanItsTimeout() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let at = directory.path
        try Data("nameserver 127.0.0.1\noptions timeout:30 attempts:2\n".utf8).write(to: URL(fileURLWithPath: at + "/resolv.conf"))
        try Data("hosts: files dns\n".utf8).write(to: URL(fileURLWithPath: at + "/nsswitch.conf"))
        try Data(Self.blackhole.utf8).write(to: URL(fileURLWithPath: at + "/blackhole.py"))
        try Data("""
            {"server": {"listen": "127.0.0.1:18999", "public_url": "http://127.0.0.1:18999"},
             "database": {"path": "\(at)/gatehouse.sqlite3"},
             "providers": [{"slug": "slow", "name": "Slow", "issuer": "https://idp.slow-resolver.test", "client_id": "c", "client_secret": "s"}]}
            """.utf8).write(to: URL(fileURLWithPath: at + "/config.json"))
        let script = """
            set -e
            ip link set lo up
            mount --bind '\(at)/resolv.conf' /etc/resolv.conf
            if [ -e /etc/nsswitch.conf ]; then mount --bind '\(at)/nsswitch.conf' /etc/nsswitch.conf; fi
            if [ -d /var/run/nscd ]; then mount -t tmpfs none /var/run/nscd; fi
            python3 '\(at)/blackhole.py' '\(at)/listening' >/dev/null 2>&1 &
            for _ in $(seq 200); do [ -e '\(at)/listening' ] && break; sleep 0.05; done
            [ -e '\(at)/listening' ] || { echo "the DNS server did not start"; exit 3; }
            '\(CommandLineTests.binary)' check-config --config '\(at)/config.json'
            """
        let started = Date()
        let run = try ChildProcess.run("/usr/bin/unshare", unshareArguments + ["sh", "-c", script])
        let seconds = Date().timeIntervalSince(started)
        #expect(run.output.contains("Resolving timed out"), "\(run.output)")
        // The back channel's connect timeout is 5 s; the resolver alone would take 60 s.
        #expect(seconds < 30, "check-config took \(seconds) s: it waited for the resolver, not for its own timeout")
    }
}
