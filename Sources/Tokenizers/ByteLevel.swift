/// GPT-2's byte-level alphabet: every byte has a printable stand-in character, so a vocabulary of
/// strings can hold arbitrary bytes (a space shows as `Ġ` U+0120, a newline as `Ċ` U+010A).
///
/// Mirrors `bytes_to_unicode()` of GPT-2's `encoder.py` and llama.cpp `unicode_byte_to_utf8_map`:
/// the printable bytes `!`…`~`, `¡`…`¬`, `®`…`ÿ` stand for themselves; the other 68 bytes map, in
/// increasing order, to U+0100, U+0101, ….
enum ByteLevel {
    /// The stand-in scalar of each byte.
    static let scalarOfByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(byte) {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The byte each stand-in scalar encodes, indexed by scalar value (0 ..< 324); -1 where none.
    static let byteOfScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (byte, scalar) in scalarOfByte.enumerated() { table[Int(scalar)] = Int16(byte) }
        return table
    }()

    /// Whether a byte stands for itself.
    private static func isPrintable(_ byte: Int) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    /// Appends the UTF-8 of each byte's stand-in character (the vocabulary spelling of raw bytes).
    static func encode(_ bytes: some Sequence<UInt8>, into out: inout [UInt8]) {
        for byte in bytes { appendUTF8(of: scalarOfByte[Int(byte)], to: &out) }
    }

    /// Decodes a vocabulary spelling back to raw bytes. Characters outside the alphabet are kept
    /// as their own UTF-8 (llama.cpp writes a placeholder there; keeping the text loses less).
    static func decode(utf8 text: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var i = 0
        while i < text.count {
            let lead = text[i]
            let length = UTF8Scalars.sequenceLength(lead)
            guard i + length <= text.count, let scalar = UTF8Scalars.decode(text, at: i, length: length) else {
                out.append(lead)
                i += 1
                continue
            }
            if scalar < 324, byteOfScalar[Int(scalar)] >= 0 {
                out.append(UInt8(byteOfScalar[Int(scalar)]))
            } else {
                out.append(contentsOf: text[i..<(i + length)])
            }
            i += length
        }
    }

    /// Appends the UTF-8 encoding of a scalar below U+0800 (all stand-ins are below U+0144).
    private static func appendUTF8(of scalar: UInt32, to out: inout [UInt8]) {
        if scalar < 0x80 {
            out.append(UInt8(scalar))
        } else {
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}

/// Minimal UTF-8 helpers over byte buffers (the tokenizer works on bytes, not `String` indices).
enum UTF8Scalars {
    /// The length of the sequence a lead byte announces (1 for a stray continuation byte).
    @inline(__always)
    static func sequenceLength(_ lead: UInt8) -> Int {
        if lead < 0x80 { return 1 }
        if lead & 0xE0 == 0xC0 { return 2 }
        if lead & 0xF0 == 0xE0 { return 3 }
        if lead & 0xF8 == 0xF0 { return 4 }
        return 1
    }

    /// Decodes the scalar at `i` of the given length, or nil if the bytes are not well-formed.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, length: Int) -> UInt32? {
        let lead = UInt32(bytes[i])
        switch length {
        case 1: return lead < 0x80 ? lead : nil
        case 2:
            let b1 = UInt32(bytes[i + 1])
            guard b1 & 0xC0 == 0x80 else { return nil }
            let v = (lead & 0x1F) << 6 | (b1 & 0x3F)
            return v >= 0x80 ? v : nil
        case 3:
            let b1 = UInt32(bytes[i + 1]), b2 = UInt32(bytes[i + 2])
            guard b1 & 0xC0 == 0x80, b2 & 0xC0 == 0x80 else { return nil }
            let v = (lead & 0x0F) << 12 | (b1 & 0x3F) << 6 | (b2 & 0x3F)
            return v >= 0x800 && !(0xD800...0xDFFF).contains(v) ? v : nil
        case 4:
            let b1 = UInt32(bytes[i + 1]), b2 = UInt32(bytes[i + 2]), b3 = UInt32(bytes[i + 3])
            guard b1 & 0xC0 == 0x80, b2 & 0xC0 == 0x80, b3 & 0xC0 == 0x80 else { return nil }
            let v = (lead & 0x07) << 18 | (b1 & 0x3F) << 12 | (b2 & 0x3F) << 6 | (b3 & 0x3F)
            return v >= 0x10000 && v <= 0x10FFFF ? v : nil
        default: return nil
        }
    }
}
