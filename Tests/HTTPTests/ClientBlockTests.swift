import HTTP
import Testing

/// The key per-client limits count under (`ClientBlock`).
@Suite struct ClientBlockTests {
    @Test("an IPv4 address counts whole, and a dual-stack socket's mapped form counts as it")
    func ipv4() {
        #expect(ClientBlock.key(for: "192.0.2.7") == "192.0.2.7")
        #expect(ClientBlock.key(for: "::ffff:192.0.2.7") == "192.0.2.7")
        #expect(ClientBlock.key(for: "192.0.2.8") != ClientBlock.key(for: "192.0.2.7"))
    }

    /// Review finding: keyed by exact address, a host of one IPv6 network had 2^64 fresh counters.
    @Test("an IPv6 address counts by its /64, however it is written")
    func ipv6() {
        let key = ClientBlock.key(for: "2001:db8:1:2::1")
        #expect(key == "2001:db8:1:2::/64")
        #expect(ClientBlock.key(for: "2001:0db8:0001:0002:ffff:ffff:ffff:ffff") == key)
        #expect(ClientBlock.key(for: "2001:db8:1:3::1") != key, "the next /64 is another client")
    }

    /// Review finding: a proxy that appends the port would have given every source port a fresh
    /// budget, and behind NAT64 every IPv4 client would have shared one /64.
    @Test("a port is not part of the client; NAT64's IPv4 clients count as themselves")
    func portsAndNAT64() {
        #expect(ClientBlock.key(for: "192.0.2.7:5678") == "192.0.2.7")
        #expect(ClientBlock.key(for: "[2001:db8:1:2::1]:443") == "2001:db8:1:2::/64")
        #expect(ClientBlock.key(for: "64:ff9b::192.0.2.7") == "192.0.2.7")
        #expect(ClientBlock.key(for: "64:ff9b::192.0.2.8") != ClientBlock.key(for: "64:ff9b::192.0.2.7"))
    }

    /// Review finding: sharing out stored sign-in flows by /64 let one party spread its flows
    /// over the /64s of a free /48 and look as small as a person.
    @Test("for what is stored, an IPv6 address counts by its /48, an IPv4 address whole")
    func sites() {
        #expect(ClientBlock.siteKey(for: "2001:db8:1:2::1") == "2001:db8:1::/48")
        #expect(ClientBlock.siteKey(for: "2001:db8:1:ffff::9") == "2001:db8:1::/48")
        #expect(ClientBlock.siteKey(for: "2001:db8:2::1") != ClientBlock.siteKey(for: "2001:db8:1::1"), "the next /48 is another site")
        #expect(ClientBlock.siteKey(for: "::ffff:192.0.2.7") == "192.0.2.7")
    }

    @Test("text that is no address counts as itself")
    func notAnAddress() {
        #expect(ClientBlock.key(for: "unix") == "unix")
        #expect(ClientBlock.key(for: "") == "")
    }
}

/// A log line a flood could repeat, let through once per interval with the count held back.
@Suite struct RepeatedLogLineTests {
    @Test func oncePerIntervalWithTheCountHeldBack() {
        let line = RepeatedLogLine(intervalSeconds: 60)
        let second: UInt64 = 1_000_000_000
        #expect(line.admit(now: 10 * second) == 0)
        #expect(line.admit(now: 11 * second) == nil)
        #expect(line.admit(now: 69 * second) == nil)
        #expect(line.admit(now: 70 * second) == 2, "two were held back")
        #expect(line.admit(now: 200 * second) == 0)
        #expect(line.admit(now: 199 * second) == nil, "a time read before the last one's is no time elapsed")
    }
}
