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

    @Test("text that is no address counts as itself")
    func notAnAddress() {
        #expect(ClientBlock.key(for: "unix") == "unix")
        #expect(ClientBlock.key(for: "") == "")
    }
}
