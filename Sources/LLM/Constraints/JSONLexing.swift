/// The inside of a JSON string: escapes and UTF-8 well-formedness, one byte at a time.
///
/// A raw tab, line feed or carriage return is accepted, although JSON wants them escaped: a model
/// writing code into a string prefers a token holding a real newline, and forbidding it leaves a space
/// as the best choice, so the code comes out on one line. `JSONConstraint.RawControlEscaper` turns
/// such output into JSON. Other control characters are refused.
///
/// A `\uXXXX` escape of a UTF-16 surrogate must come in a pair, high (D800–DBFF) then low (DC00–DFFF):
/// JSON parsers (Foundation's among them) refuse a lone one, so the constraint must never allow it.
struct StringState: Hashable, Sendable {
    /// Where a `\u` escape stands with respect to surrogate pairs.
    private enum Surrogate: UInt8, Hashable, Sendable {
        /// Not in a pair.
        case none
        /// The escape's first hex digit was D: the second decides (0–7 plain, 8–B high, C–F a lone low).
        case afterD
        /// A high surrogate is complete: a backslash must follow.
        case needBackslash
        /// Then a `u`.
        case needU
        /// Then the low surrogate's first digit, D.
        case needLowD
        /// Then its second digit, C–F.
        case needLowSecond
    }

    /// 0: plain; 1: after a backslash; 2...5: that many hex digits of `\uXXXX` still due, plus one.
    private var escape: UInt8 = 0
    private var surrogate = Surrogate.none
    /// Continuation bytes still due for the current UTF-8 sequence.
    private var continuation: UInt8 = 0
    /// Allowed range of the next continuation byte (narrower after E0, ED, F0, F4).
    private var low: UInt8 = 0x80, high: UInt8 = 0xBF

    enum Step { case inside(StringState), closed, invalid }

    func step(_ byte: UInt8) -> Step {
        var next = self
        if continuation > 0 {
            guard (low...high).contains(byte) else { return .invalid }
            next.continuation -= 1
            next.low = 0x80
            next.high = 0xBF
            return .inside(next)
        }
        switch escape {
        case 1:
            if surrogate == .needU {
                guard byte == 0x75 else { return .invalid }
                (next.escape, next.surrogate) = (5, .needLowD)
                return .inside(next)
            }
            switch byte {
            case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: next.escape = 0  // " \ / b f n r t
            case 0x75: next.escape = 5  // u
            default: return .invalid
            }
            return .inside(next)
        case 2...5:
            guard let digit = Self.hexValue(byte) else { return .invalid }
            switch (escape, surrogate) {
            case (5, .needLowD):
                guard digit == 0xD else { return .invalid }
                next.surrogate = .needLowSecond
            case (5, _):
                if digit == 0xD { next.surrogate = .afterD }
            case (4, .needLowSecond):
                guard digit >= 0xC else { return .invalid }
                next.surrogate = .none
            case (4, .afterD):
                guard digit < 0xC else { return .invalid }  // a low surrogate without a high one
                next.surrogate = digit >= 0x8 ? .needBackslash : .none
            default:
                break
            }
            next.escape = escape == 2 ? 0 : escape - 1
            return .inside(next)
        default:
            break
        }
        if surrogate == .needBackslash {
            guard byte == 0x5C else { return .invalid }
            (next.escape, next.surrogate) = (1, .needU)
            return .inside(next)
        }
        switch byte {
        case 0x22: return .closed
        case 0x5C: next.escape = 1
        case 0x09, 0x0A, 0x0D: break  // raw tab, line feed, carriage return: escaped on output
        case 0x00..<0x20: return .invalid
        case 0x20..<0x80: break
        case 0xC2...0xDF: next.continuation = 1
        case 0xE0: (next.continuation, next.low) = (2, 0xA0)
        case 0xE1...0xEC, 0xEE, 0xEF: next.continuation = 2
        case 0xED: (next.continuation, next.high) = (2, 0x9F)
        case 0xF0: (next.continuation, next.low) = (3, 0x90)
        case 0xF1...0xF3: next.continuation = 3
        case 0xF4: (next.continuation, next.high) = (3, 0x8F)
        default: return .invalid
        }
        return .inside(next)
    }

    /// The value of an ASCII hex digit.
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}

/// Where a JSON number is: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, with at most
/// 15 integer digits, 15 fraction digits and a two-digit exponent, so every accepted number is a
/// finite double that any JSON parser reads.
struct NumberState: Hashable, Sendable {
    enum Phase: Hashable, Sendable { case minus, zero, int, dot, fraction, e, exponentSign, exponent }

    var phase: Phase
    /// Digits in the current part (integer, fraction or exponent).
    var digits: UInt8 = 0

    static let maximumDigits: UInt8 = 15
    static let maximumExponentDigits: UInt8 = 2

    /// The state after the first byte of a number, or nil if `byte` cannot start one.
    static func start(_ byte: UInt8) -> NumberState? {
        switch byte {
        case 0x2D: return NumberState(phase: .minus)
        case 0x30: return NumberState(phase: .zero, digits: 1)
        case 0x31...0x39: return NumberState(phase: .int, digits: 1)
        default: return nil
        }
    }

    /// Whether the number may end here.
    var isAccepting: Bool {
        switch phase {
        case .zero, .int, .fraction, .exponent: return true
        default: return false
        }
    }

    /// The state after `byte`, or nil if it cannot continue the number.
    func step(_ byte: UInt8, integer: Bool) -> NumberState? {
        let digit = (0x30...0x39).contains(byte)
        let isE = byte == 0x65 || byte == 0x45
        func more(_ phase: Phase, limit: UInt8 = NumberState.maximumDigits) -> NumberState? {
            phase == self.phase ? (digits < limit ? NumberState(phase: phase, digits: digits + 1) : nil)
                : NumberState(phase: phase, digits: 1)
        }
        switch phase {
        case .minus:
            return byte == 0x30 ? NumberState(phase: .zero, digits: 1) : digit ? NumberState(phase: .int, digits: 1) : nil
        case .zero, .int:
            if digit { return phase == .int ? more(.int) : nil }
            if integer { return nil }
            if byte == 0x2E { return NumberState(phase: .dot) }
            return isE ? NumberState(phase: .e) : nil
        case .dot:
            return digit ? NumberState(phase: .fraction, digits: 1) : nil
        case .fraction:
            if digit { return more(.fraction) }
            return isE ? NumberState(phase: .e) : nil
        case .e:
            if digit { return NumberState(phase: .exponent, digits: 1) }
            return byte == 0x2B || byte == 0x2D ? NumberState(phase: .exponentSign) : nil
        case .exponentSign:
            return digit ? NumberState(phase: .exponent, digits: 1) : nil
        case .exponent:
            return digit ? more(.exponent, limit: Self.maximumExponentDigits) : nil
        }
    }
}
