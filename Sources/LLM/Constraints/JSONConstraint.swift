/// An incremental JSON parser and schema validator over bytes: answers "can these bytes extend the
/// output so far?" and "is the value complete?" — what constrained decoding asks about each token.
///
/// The state is a set of pushdown stacks (a set because `anyOf`, `enum` and numbers can leave several
/// readings of the same prefix open). Object properties may come in any order, each at most once. Output is compact JSON: no whitespace except one optional
/// space after `:` and after `,` (models like to write one). See `JSONSchema` for what is enforced.
///
/// One departure from JSON: a string may hold a raw tab, line feed or carriage return (see
/// `StringState`). Outside strings they are refused, like any other whitespace but those spaces, so
/// escaping every one of them in accepted output (`RawControlEscaper`) gives the JSON text of the value.
public struct JSONConstraint: Sendable, Hashable {
    let schema: JSONSchema
    private var stacks: Set<[Frame]>

    /// Starts before the first byte of a value matching `schema`.
    public init(schema: JSONSchema) {
        self.schema = schema
        stacks = [[.root(done: false), .value(node: 0)]]
    }

    /// Whether no continuation is possible any more (the prefix is invalid).
    public var isDead: Bool { stacks.isEmpty }

    /// Whether the bytes so far form a complete value matching the schema.
    public var isComplete: Bool { stacks.contains { canFinish($0) } }

    /// Whether some byte could still be accepted (false once a closed value is complete).
    public var canContinue: Bool {
        stacks.contains { $0.last != .root(done: true) } && (0...255).contains { accepts([UInt8($0)]) }
    }

    /// Feeds bytes; returns false (and leaves the constraint dead) if they cannot extend the prefix.
    @discardableResult
    public mutating func advance<S: Sequence<UInt8>>(_ bytes: S) -> Bool {
        for byte in bytes {
            var next = Set<[Frame]>()
            for stack in stacks { step(stack, byte, into: &next) }
            stacks = next
            if stacks.isEmpty { return false }
        }
        return true
    }

    /// Whether `bytes` can extend the current prefix (the state is not changed).
    public func accepts<S: Sequence<UInt8>>(_ bytes: S) -> Bool {
        var copy = self
        return copy.advance(bytes)
    }

    // MARK: - Stack frames

    /// One level of the pushdown stack.
    enum Frame: Hashable, Sendable {
        /// The bottom: whether the top-level value is finished.
        case root(done: Bool)
        /// Before the first byte of a value of a schema node.
        case value(node: Int)
        /// Inside an object with known properties.
        case object(node: Int, phase: ObjectPhase)
        /// Inside an object with any keys.
        case freeObject(phase: FreeObjectPhase)
        /// Inside an array; `count` items so far.
        case array(node: Int, count: Int, phase: ArrayPhase)
        /// Inside a string's body.
        case string(StringState)
        /// Inside a number.
        case number(NumberState, integer: Bool)
        /// Inside one of fixed texts; `matched` bytes so far.
        case literal(candidates: [[UInt8]], matched: Int)
    }

    /// Where an object with known properties is; `emitted` has bit i set once property i was written.
    enum ObjectPhase: Hashable, Sendable {
        case open
        case key(emitted: UInt64, candidates: [Int], matched: Int)
        case colon(emitted: UInt64, property: Int)
        case afterColon(emitted: UInt64, property: Int, spaced: Bool)
        case inValue(emitted: UInt64, property: Int)
        case afterValue(emitted: UInt64)
        case afterComma(emitted: UInt64, spaced: Bool)
    }

    enum FreeObjectPhase: Hashable, Sendable {
        case open
        case key(StringState)
        case colon
        case afterColon(spaced: Bool)
        case inValue
        case afterValue
        case afterComma(spaced: Bool)
    }

    enum ArrayPhase: Hashable, Sendable {
        case open
        case inValue
        case afterValue
        case afterComma(spaced: Bool)
    }

    // MARK: - Stepping

    private static let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, colon: UInt8 = 0x3A, space: UInt8 = 0x20
    private static let openBrace: UInt8 = 0x7B, closeBrace: UInt8 = 0x7D, openBracket: UInt8 = 0x5B, closeBracket: UInt8 = 0x5D

    /// All stacks that `stack` becomes after `byte` (none if the byte is not allowed).
    private func step(_ stack: [Frame], _ byte: UInt8, into out: inout Set<[Frame]>) {
        guard let top = stack.last else { return }
        var base = stack
        base.removeLast()
        switch top {
        case .root:
            return
        case let .value(node):
            startValue(base, node: node, byte, into: &out)
        case let .string(state):
            switch state.step(byte) {
            case let .inside(next): out.insert(base + [.string(next)])
            case .closed: finishChild(base, into: &out)
            case .invalid: return
            }
        case let .number(phase, integer):
            if let next = phase.step(byte, integer: integer) { out.insert(base + [.number(next, integer: integer)]) }
            if phase.isAccepting, let parent = completed(base) { step(parent, byte, into: &out) }
        case let .literal(candidates, matched):
            let alive = candidates.filter { $0.count > matched && $0[matched] == byte }
            guard !alive.isEmpty else { return }
            if alive.contains(where: { $0.count == matched + 1 }) { finishChild(base, into: &out) }
            let longer = alive.filter { $0.count > matched + 1 }
            if !longer.isEmpty { out.insert(base + [.literal(candidates: longer, matched: matched + 1)]) }
        case let .object(node, phase):
            objectStep(base, node: node, phase: phase, byte, into: &out)
        case let .freeObject(phase):
            freeObjectStep(base, phase: phase, byte, into: &out)
        case let .array(node, count, phase):
            arrayStep(base, node: node, count: count, phase: phase, byte, into: &out)
        }
    }

    /// Starts a value of `node` with its first byte on top of `base`.
    private func startValue(_ base: [Frame], node: Int, _ byte: UInt8, into out: inout Set<[Frame]>) {
        func literal(_ texts: [String]) {
            step(base + [.literal(candidates: texts.map { Array($0.utf8) }, matched: 0)], byte, into: &out)
        }
        func number(integer: Bool) {
            if let state = NumberState.start(byte) { out.insert(base + [.number(state, integer: integer)]) }
        }
        switch schema.nodes[node] {
        case .any:
            switch byte {
            case Self.openBrace: out.insert(base + [.freeObject(phase: .open)])
            case Self.openBracket: out.insert(base + [.array(node: node, count: 0, phase: .open)])
            case Self.quote: out.insert(base + [.string(StringState())])
            case 0x74, 0x66, 0x6E: literal(["true", "false", "null"])
            default: number(integer: false)
            }
        case .object:
            if byte == Self.openBrace { out.insert(base + [.object(node: node, phase: .open)]) }
        case .freeObject:
            if byte == Self.openBrace { out.insert(base + [.freeObject(phase: .open)]) }
        case .array:
            if byte == Self.openBracket { out.insert(base + [.array(node: node, count: 0, phase: .open)]) }
        case .string:
            if byte == Self.quote { out.insert(base + [.string(StringState())]) }
        case let .number(integer):
            number(integer: integer)
        case .boolean:
            literal(["true", "false"])
        case .null:
            literal(["null"])
        case let .literals(texts):
            step(base + [.literal(candidates: texts, matched: 0)], byte, into: &out)
        case let .anyOf(options):
            for option in options { startValue(base, node: option, byte, into: &out) }
        case .nothing:
            return
        }
    }

    /// The stack after the value on top of `base` is complete (the parent moves on), if it may be.
    private func completed(_ base: [Frame]) -> [Frame]? {
        guard let parent = base.last else { return nil }
        var stack = base
        stack.removeLast()
        switch parent {
        case .root(done: false): stack.append(.root(done: true))
        case let .object(node, .inValue(emitted, property)):
            stack.append(.object(node: node, phase: .afterValue(emitted: emitted | 1 << UInt64(property))))
        case .freeObject(.inValue): stack.append(.freeObject(phase: .afterValue))
        case let .array(node, count, .inValue): stack.append(.array(node: node, count: count + 1, phase: .afterValue))
        default: return nil
        }
        return stack
    }

    private func finishChild(_ base: [Frame], into out: inout Set<[Frame]>) {
        if let stack = completed(base) { out.insert(stack) }
    }

    /// Whether the value can end right here (after popping a finished number or literal).
    private func canFinish(_ stack: [Frame]) -> Bool {
        guard let top = stack.last else { return false }
        var base = stack
        base.removeLast()
        switch top {
        case .root(done: true): return true
        case let .number(phase, _): return phase.isAccepting && completed(base).map(canFinish) == true
        default: return false
        }
    }

    /// Replaces the parent's phase with "in value" and starts the child value with `byte`.
    private func startMember(_ base: [Frame], parent: Frame, node: Int, _ byte: UInt8, into out: inout Set<[Frame]>) {
        startValue(base + [parent], node: node, byte, into: &out)
    }

    private func objectStep(_ base: [Frame], node: Int, phase: ObjectPhase, _ byte: UInt8, into out: inout Set<[Frame]>) {
        guard case let .object(properties, ordered) = schema.nodes[node] else { return }
        /// The properties that may come next: any not yet written, or, in an ordered object, those after
        /// the last one written, up to the first required one.
        func remaining(_ emitted: UInt64) -> [Int] {
            guard ordered else { return properties.indices.filter { emitted & (1 << UInt64($0)) == 0 } }
            let next = emitted == 0 ? 0 : 64 - emitted.leadingZeroBitCount
            var allowed: [Int] = []
            for index in properties.indices.dropFirst(next) {
                allowed.append(index)
                if properties[index].required { break }
            }
            return allowed
        }
        func mayClose(_ emitted: UInt64) -> Bool {
            !properties.indices.contains { properties[$0].required && emitted & (1 << UInt64($0)) == 0 }
        }
        func set(_ phase: ObjectPhase) { out.insert(base + [.object(node: node, phase: phase)]) }
        switch phase {
        case .open:
            if byte == Self.quote { set(.key(emitted: 0, candidates: remaining(0), matched: 0)) }
            if byte == Self.closeBrace, mayClose(0) { finishChild(base, into: &out) }
        case let .key(emitted, candidates, matched):
            if byte == Self.quote {
                if let property = candidates.first(where: { properties[$0].key.count == matched }) {
                    set(.colon(emitted: emitted, property: property))
                }
                return
            }
            let alive = candidates.filter { properties[$0].key.count > matched && properties[$0].key[matched] == byte }
            if !alive.isEmpty { set(.key(emitted: emitted, candidates: alive, matched: matched + 1)) }
        case let .colon(emitted, property):
            if byte == Self.colon { set(.afterColon(emitted: emitted, property: property, spaced: false)) }
        case let .afterColon(emitted, property, spaced):
            if byte == Self.space && !spaced { set(.afterColon(emitted: emitted, property: property, spaced: true)) }
            startMember(base, parent: .object(node: node, phase: .inValue(emitted: emitted, property: property)),
                        node: properties[property].node, byte, into: &out)
        case .inValue:
            return
        case let .afterValue(emitted):
            if byte == Self.comma, !remaining(emitted).isEmpty { set(.afterComma(emitted: emitted, spaced: false)) }
            if byte == Self.closeBrace, mayClose(emitted) { finishChild(base, into: &out) }
        case let .afterComma(emitted, spaced):
            if byte == Self.space && !spaced { set(.afterComma(emitted: emitted, spaced: true)) }
            if byte == Self.quote { set(.key(emitted: emitted, candidates: remaining(emitted), matched: 0)) }
        }
    }

    private func freeObjectStep(_ base: [Frame], phase: FreeObjectPhase, _ byte: UInt8, into out: inout Set<[Frame]>) {
        func set(_ phase: FreeObjectPhase) { out.insert(base + [.freeObject(phase: phase)]) }
        switch phase {
        case .open:
            if byte == Self.quote { set(.key(StringState())) }
            if byte == Self.closeBrace { finishChild(base, into: &out) }
        case let .key(state):
            switch state.step(byte) {
            case let .inside(next): set(.key(next))
            case .closed: set(.colon)
            case .invalid: return
            }
        case .colon:
            if byte == Self.colon { set(.afterColon(spaced: false)) }
        case let .afterColon(spaced):
            if byte == Self.space && !spaced { set(.afterColon(spaced: true)) }
            startMember(base, parent: .freeObject(phase: .inValue), node: schema.anyNode, byte, into: &out)
        case .inValue:
            return
        case .afterValue:
            if byte == Self.comma { set(.afterComma(spaced: false)) }
            if byte == Self.closeBrace { finishChild(base, into: &out) }
        case let .afterComma(spaced):
            if byte == Self.space && !spaced { set(.afterComma(spaced: true)) }
            if byte == Self.quote { set(.key(StringState())) }
        }
    }

    private func arrayStep(_ base: [Frame], node: Int, count: Int, phase: ArrayPhase, _ byte: UInt8,
                           into out: inout Set<[Frame]>) {
        let (items, minItems, maxItems): (Int, Int, Int?)
        if case let .array(i, lo, hi) = schema.nodes[node] { (items, minItems, maxItems) = (i, lo, hi) } else { (items, minItems, maxItems) = (schema.anyNode, 0, nil) }
        func set(_ phase: ArrayPhase) { out.insert(base + [.array(node: node, count: count, phase: phase)]) }
        let inValue = Frame.array(node: node, count: count, phase: .inValue)
        switch phase {
        case .open:
            if byte == Self.closeBracket, minItems == 0 { finishChild(base, into: &out) }
            if maxItems.map({ $0 > 0 }) ?? true { startMember(base, parent: inValue, node: items, byte, into: &out) }
        case .inValue:
            return
        case .afterValue:
            if byte == Self.comma, maxItems.map({ count < $0 }) ?? true { set(.afterComma(spaced: false)) }
            if byte == Self.closeBracket, count >= minItems { finishChild(base, into: &out) }
        case let .afterComma(spaced):
            if byte == Self.space && !spaced { set(.afterComma(spaced: true)) }
            startMember(base, parent: inValue, node: items, byte, into: &out)
        }
    }
}

extension JSONConstraint {
    /// The bytes tried when searching for a completion: structure first, then printable ASCII.
    private static let completionAlphabet: [UInt8] = Array("\"}]0,:[{".utf8) + (0x20...0x7E).map(UInt8.init).filter { !"\"}]0,:[{".utf8.contains($0) }

    /// The shortest bytes that make the output so far a complete value (empty if it already is), or nil
    /// if none is found within `maxLength` bytes and `maxStates` explored states.
    ///
    /// Used when the token budget is about to run out: appending this closes whatever is open (a string
    /// that never ended, a missing required property) so the output still parses and validates.
    public func shortestCompletion(maxLength: Int = 512, maxStates: Int = 50_000) -> [UInt8]? {
        if isComplete { return [] }
        var seen: Set<Set<[Frame]>> = [stacks]
        var layer: [(Set<[Frame]>, [UInt8])] = [(stacks, [])]
        for _ in 0..<maxLength {
            var next: [(Set<[Frame]>, [UInt8])] = []
            for (states, path) in layer {
                for byte in Self.completionAlphabet {
                    var after = Set<[Frame]>()
                    for stack in states { step(stack, byte, into: &after) }
                    guard !after.isEmpty, seen.insert(after).inserted else { continue }
                    if after.contains(where: { canFinish($0) }) { return path + [byte] }
                    next.append((after, path + [byte]))
                    if seen.count > maxStates { return nil }
                }
            }
            if next.isEmpty { return nil }
            layer = next
        }
        return nil
    }
}

extension JSONConstraint {
    /// Rewrites output the constraint accepted into JSON text: a raw tab, line feed or carriage return
    /// inside a string becomes `\t`, `\n` or `\r`; everything else is passed on unchanged.
    ///
    /// It reads the text as it streams, piece by piece (a piece may end anywhere, even inside an
    /// escape), tracking only whether it is inside a string and after a backslash, so it also does the
    /// right thing with text that has whitespace around the value. Text without raw control characters
    /// in strings, which is all the constraint accepted before it allowed them, comes out unchanged.
    public struct RawControlEscaper: Sendable {
        private var inString = false
        private var afterBackslash = false

        /// Starts outside any string.
        public init() {}

        /// The JSON form of the next piece of output.
        public mutating func escape(_ piece: String) -> String {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(piece.utf8.count)
            for byte in piece.utf8 {
                guard inString else {
                    if byte == 0x22 { inString = true }
                    bytes.append(byte)
                    continue
                }
                if afterBackslash {
                    afterBackslash = false
                    bytes.append(byte)
                    continue
                }
                switch byte {
                case 0x09: bytes += [0x5C, 0x74]  // \t
                case 0x0A: bytes += [0x5C, 0x6E]  // \n
                case 0x0D: bytes += [0x5C, 0x72]  // \r
                default:
                    if byte == 0x5C { afterBackslash = true } else if byte == 0x22 { inString = false }
                    bytes.append(byte)
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        /// `text` in JSON form, read from the start.
        public static func escape(_ text: String) -> String {
            var escaper = RawControlEscaper()
            return escaper.escape(text)
        }
    }
}
