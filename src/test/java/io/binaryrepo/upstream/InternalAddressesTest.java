package io.binaryrepo.upstream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InternalAddressesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "0.0.0.0", "0.1.2.3", "10.1.2.3", "172.16.0.1", "172.31.255.255",
            "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.254", "224.0.0.1", "255.255.255.255",
            "240.0.0.1", "198.18.0.1", "192.0.0.8", "::1", "::", "fe80::1", "fec0::1", "fc00::1", "fd12:3456::1",
            "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "::127.0.0.1",
            "64:ff9b::a9fe:a9fe", "2002:7f00:1::1", "2002:c0a8:101::1"})
    void internal(String address) throws Exception {
        assertNotNull(InternalAddresses.reason(InetAddress.getByName(address)), address);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"203.0.113.7", "198.51.100.1", "100.63.255.255", "100.128.0.1", "172.32.0.1", "11.0.0.1",
            "2001:db8::1", "2606:4700::1111", "64:ff9b::cb00:7107", "2002:cb00:7107::1", "::ffff:203.0.113.7"})
    void publicAddress(String address) throws Exception {
        assertNull(InternalAddresses.reason(InetAddress.getByName(address)), address);
    }
}
