import Foundation

/// Decides whether web-fetch may connect to an address.
///
/// The check runs on the address libcurl is about to connect to (from `CURLOPT_OPENSOCKETFUNCTION`), at
/// every redirect hop, so a DNS answer that changes between look-ups (rebinding) cannot slip past it.
/// Non-public addresses are refused unless the hop's host name, or the address itself, is allow-listed.
struct AddressPolicy: Sendable, Equatable {
    /// Host names and IP literals the user opened, normalized (lowercase, no brackets, no trailing dot).
    let allowedHosts: Set<String>

    /// Creates a policy from allow-list entries as the user wrote them.
    init(allowedHosts: [String]) {
        self.allowedHosts = Set(allowedHosts.compactMap(AddressPolicy.normalize))
    }

    /// The verdict for connecting to `address` while fetching from `host` (the URL's host of this hop).
    func verdict(host: String, address: IPAddress) -> Verdict {
        guard let category = address.nonPublicCategory else { return .allowed }
        if let name = AddressPolicy.normalize(host), allowedHosts.contains(name) { return .allowed }
        if allowedHosts.contains(address.description) { return .allowed }
        return .refused(category: category)
    }

    /// Lowercases a host, strips IPv6 brackets and a trailing dot; nil for an empty entry.
    static func normalize(_ host: String) -> String? {
        var text = host.trimmingCharacters(in: .whitespaces).lowercased()
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text.hasSuffix(".") { text.removeLast() }
        if text.isEmpty { return nil }
        // An IP literal is compared in its canonical spelling, so `::0001` matches `::1`.
        if let address = IPAddress(text) { return address.description }
        return text
    }

    /// What the policy says about one address.
    enum Verdict: Equatable {
        /// The connection may go ahead.
        case allowed
        /// The address is non-public (of this kind) and its host is not allow-listed.
        case refused(category: String)
    }
}

/// An IPv4 or IPv6 address as raw bytes (4 or 16, network order).
struct IPAddress: Sendable, Equatable, CustomStringConvertible {
    /// The address bytes, network order.
    let bytes: [UInt8]

    /// Wraps 4 or 16 raw bytes; nil for any other length.
    init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses a dotted-quad IPv4 or an RFC 4291 IPv6 literal (with `::` and an IPv4 tail); nil otherwise.
    init?(_ text: String) {
        if let v4 = IPAddress.parseV4(Substring(text)) {
            bytes = v4
        } else if let v6 = IPAddress.parseV6(text) {
            bytes = v6
        } else {
            return nil
        }
    }

    /// Whether this is an IPv4 address.
    var isV4: Bool { bytes.count == 4 }

    /// The IPv4 address an IPv6 address carries (v4-mapped, v4-compatible, NAT64, 6to4), if any.
    var embeddedV4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        let b = bytes
        let zeros10 = b[0..<10].allSatisfy { $0 == 0 }
        if zeros10, b[10] == 0xff, b[11] == 0xff { return IPAddress(bytes: Array(b[12..<16])) }   // ::ffff:a.b.c.d
        if zeros10, b[10] == 0, b[11] == 0, b[12..<16].contains(where: { $0 != 0 }),
           !(b[12..<15].allSatisfy { $0 == 0 } && b[15] == 1) {
            return IPAddress(bytes: Array(b[12..<16]))                                             // ::a.b.c.d
        }
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xff, b[3] == 0x9b, b[4..<12].allSatisfy({ $0 == 0 }) {
            return IPAddress(bytes: Array(b[12..<16]))                                             // 64:ff9b::/96
        }
        if b[0] == 0x20, b[1] == 0x02 { return IPAddress(bytes: Array(b[2..<6])) }                // 2002::/16
        return nil
    }

    /// The kind of non-public address this is ("loopback", "private", …), or nil for a public address.
    var nonPublicCategory: String? {
        if isV4 { return IPAddress.v4Category(bytes) }
        if let v4 = embeddedV4, let inner = IPAddress.v4Category(v4.bytes) {
            return "\(inner) (inside IPv6 \(self))"
        }
        return IPAddress.v6Category(bytes)
    }

    var description: String {
        if isV4 { return bytes.map(String.init).joined(separator: ".") }
        return IPAddress.formatV6(bytes)
    }
}

extension IPAddress {
    /// IPv4 ranges that are not the public internet (RFC 6890 special-purpose registry), first match wins.
    private static let v4Ranges: [(prefix: [UInt8], bits: Int, category: String)] = [
        ([0, 0, 0, 0], 8, "'this network' (0.0.0.0/8)"),
        ([10, 0, 0, 0], 8, "private (10.0.0.0/8)"),
        ([100, 64, 0, 0], 10, "carrier-grade NAT (100.64.0.0/10)"),
        ([127, 0, 0, 0], 8, "loopback (127.0.0.0/8)"),
        ([169, 254, 0, 0], 16, "link-local (169.254.0.0/16)"),
        ([172, 16, 0, 0], 12, "private (172.16.0.0/12)"),
        ([192, 0, 0, 0], 24, "IETF protocol assignments (192.0.0.0/24)"),
        ([192, 0, 2, 0], 24, "documentation (192.0.2.0/24)"),
        ([192, 88, 99, 0], 24, "6to4 relay anycast (192.88.99.0/24)"),
        ([192, 168, 0, 0], 16, "private (192.168.0.0/16)"),
        ([198, 18, 0, 0], 15, "benchmarking (198.18.0.0/15)"),
        ([198, 51, 100, 0], 24, "documentation (198.51.100.0/24)"),
        ([203, 0, 113, 0], 24, "documentation (203.0.113.0/24)"),
        ([224, 0, 0, 0], 4, "multicast (224.0.0.0/4)"),
        ([240, 0, 0, 0], 4, "reserved (240.0.0.0/4)"),
    ]

    /// IPv6 ranges that are not the public internet; checked after the embedded-IPv4 forms.
    private static let v6Ranges: [(prefix: [UInt8], bits: Int, category: String)] = [
        ([0xfc, 0], 7, "unique local (fc00::/7)"),
        ([0xfe, 0x80], 10, "link-local (fe80::/10)"),
        ([0xfe, 0xc0], 10, "site-local (fec0::/10)"),
        ([0xff, 0], 8, "multicast (ff00::/8)"),
        ([0x20, 0x01, 0x0d, 0xb8], 32, "documentation (2001:db8::/32)"),
        ([0x20, 0x01, 0x00, 0x00], 32, "Teredo (2001::/32)"),
        ([0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, "discard-only (100::/64)"),
    ]

    private static func matches(_ bytes: [UInt8], prefix: [UInt8], bits: Int) -> Bool {
        var remaining = bits
        for (index, byte) in prefix.enumerated() where remaining > 0 {
            let take = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - take))
            if bytes[index] & mask != byte & mask { return false }
            remaining -= take
        }
        return true
    }

    private static func v4Category(_ bytes: [UInt8]) -> String? {
        if bytes == [255, 255, 255, 255] { return "broadcast (255.255.255.255)" }
        return v4Ranges.first { matches(bytes, prefix: $0.prefix, bits: $0.bits) }?.category
    }

    private static func v6Category(_ bytes: [UInt8]) -> String? {
        if bytes.allSatisfy({ $0 == 0 }) { return "unspecified (::)" }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return "loopback (::1)" }
        if bytes[0..<12].allSatisfy({ $0 == 0 }) { return "IPv4-compatible (::/96)" }
        return v6Ranges.first { matches(bytes, prefix: $0.prefix, bits: $0.bits) }?.category
    }

    private static func parseV4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit), let value = UInt8(part) else {
                return nil
            }
            out.append(value)
        }
        return out
    }

    private static func parseV6(_ text: String) -> [UInt8]? {
        // Drop a zone (`fe80::1%eth0`); the zone does not change which range the address is in.
        let address = text.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard address.contains(":") else { return nil }
        let halves = address.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseV4(piece) else { return nil }
                    out += v4
                } else {
                    guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                    out += [UInt8(value >> 8), UInt8(value & 0xff)]
                }
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    /// RFC 5952 text: lowercase hex, the longest run of two or more zero groups as `::`, v4-mapped as dotted.
    private static func formatV6(_ bytes: [UInt8]) -> String {
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        if groups[0..<5].allSatisfy({ $0 == 0 }), groups[5] == 0xffff {
            return "::ffff:" + bytes[12..<16].map(String.init).joined(separator: ".")
        }
        var bestStart = -1, bestLength = 0, index = 0
        while index < 8 {
            guard groups[index] == 0 else { index += 1; continue }
            var end = index
            while end < 8, groups[end] == 0 { end += 1 }
            if end - index > bestLength { bestStart = index; bestLength = end - index }
            index = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestLength >= 2 else { return hex.joined(separator: ":") }
        let head = hex[0..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
