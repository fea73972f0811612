import Foundation
#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// The offsets of every comma and line feed in a block of a quote-free CSV
/// file: the first of the two steps of the fast readers (the usage table's
/// parser and `CSVReader.forEachRecordInParallel`), which then walk fields
/// whose ends are already known.
struct SeparatorIndex {
    /// Bytes per block: a block's offsets stay in the core's L2 cache.
    static let blockSize = 64 << 10

    private(set) var offsets: UnsafeMutablePointer<Int32>
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        offsets = .allocate(capacity: capacity + 64)
    }

    func deallocate() { offsets.deallocate() }

    /// Whether the last block indexed holds a double quote: the fast readers
    /// handle quote-free files only, and noting quotes while the bytes are in
    /// registers anyway spares them a second pass over each block.
    private(set) var sawQuote = false

    /// Lists the separators of `block` and returns how many there are.
    ///
    /// Sixty-four bytes at a time become one bit mask (see `bits`), whose set
    /// bits become offsets: sixteen are written unconditionally (a usage row
    /// has about one separator in four bytes), so the common case costs no
    /// branch on their number.
    mutating func index(_ block: UnsafePointer<UInt8>, count: Int) -> Int {
        if count > capacity {
            offsets.deallocate()
            capacity = count
            offsets = .allocate(capacity: capacity + 64)
        }
        let out = offsets
        var n = 0, i = 0
        var quotes: UInt64 = 0
        while i + 64 <= count {
            let b0 = Self.bits(block + i), b1 = Self.bits(block + i + 16)
            let b2 = Self.bits(block + i + 32), b3 = Self.bits(block + i + 48)
            var bits = b0.separators | b1.separators << 16 | b2.separators << 32 | b3.separators << 48
            quotes |= b0.quotes | b1.quotes | b2.quotes | b3.quotes
            let found = bits.nonzeroBitCount
            // Wrapping arithmetic: `i` < `count` < 2^31 and `n + j` < capacity + 64.
            let base = Int32(truncatingIfNeeded: i)
            let o = out + n
            var j = 0
            while j < 16 { o[j] = base &+ Int32(truncatingIfNeeded: bits.trailingZeroBitCount); bits &= bits &- 1; j &+= 1 }
            while j < found { o[j] = base &+ Int32(truncatingIfNeeded: bits.trailingZeroBitCount); bits &= bits &- 1; j &+= 1 }
            n &+= found
            i += 64
        }
        while i < count {
            if block[i] == 0x2C || block[i] == 0x0A { out[n] = Int32(i); n += 1 }
            if block[i] == 0x22 { quotes = 1 }
            i += 1
        }
        sawQuote = quotes != 0
        return n
    }

    /// Bit j of `separators` set where byte j of the sixteen at `p` is ',' or
    /// '\n'; `quotes` nonzero when one of them is '"'.
    @inline(__always)
    static func bits(_ p: UnsafePointer<UInt8>) -> (separators: UInt64, quotes: UInt64) {
        #if arch(x86_64)
        // SSE2, which every x86-64 has: a byte compare per character and one
        // byte-mask instruction, against about fifteen word operations per
        // eight bytes in `bitsSWAR` (the whole usage read took 4% less time,
        // measured).
        let v = _mm_loadu_si128(UnsafeRawPointer(p).assumingMemoryBound(to: __m128i.self))
        let separators = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x2C)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0A)))
        let quotes = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x22))
        return (UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(separators))),
                UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(quotes))))
        #else
        return bitsSWAR(p)
        #endif
    }

    /// `bits` in plain 64-bit words, for other processors (and as the tests'
    /// second opinion).
    ///
    /// Per eight bytes: an exact zero-byte test on the bytes xor ',' and xor
    /// '\n' marks each hit with 0x80; one multiply gathers those eight marks
    /// into the top byte (they land in distinct bits, so nothing carries).
    @inline(__always)
    static func bitsSWAR(_ p: UnsafePointer<UInt8>) -> (separators: UInt64, quotes: UInt64) {
        let magic: UInt64 = 0x0102_0408_1020_4080
        let a = Bytes.load(p), b = Bytes.load(p + 8)
        let ma = (zeroBytes(a ^ 0x2C2C_2C2C_2C2C_2C2C) | zeroBytes(a ^ 0x0A0A_0A0A_0A0A_0A0A)) >> 7
        let mb = (zeroBytes(b ^ 0x2C2C_2C2C_2C2C_2C2C) | zeroBytes(b ^ 0x0A0A_0A0A_0A0A_0A0A)) >> 7
        let quotes = zeroBytes(a ^ 0x2222_2222_2222_2222) | zeroBytes(b ^ 0x2222_2222_2222_2222)
        return ((ma &* magic) >> 56 | ((mb &* magic) >> 56) << 8, quotes)
    }

    /// 0x80 in each byte of `x` that is zero, 0 elsewhere.
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low7) &+ low7) | x | low7)
    }

    /// The length of the next block of `available` bytes at `start`: about
    /// `blockSize`, cut after a line feed (or everything, if none follows).
    static func blockLength(_ start: UnsafePointer<UInt8>, available: Int) -> Int {
        guard available > blockSize else { return available }
        var lf = blockSize - 1
        while lf >= 0 && start[lf] != 0x0A { lf -= 1 }
        if lf >= 0 { return lf + 1 }
        guard let hit = memchr(start + blockSize, 0x0A, available - blockSize) else { return available }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(start) + 1
    }
}

enum Bytes {
    /// How many line feeds the `count` bytes at `p` hold, and whether any of
    /// them is a decimal point (which tells the usage reader whether its
    /// numbers can be decimals, see `MetricColumn`): sixty-four bytes per
    /// step as one bit mask and a population count (SSE2 on x86-64), where a
    /// `memchr` per line paid a call for every forty-byte usage row.
    static func countLineFeeds(_ p: UnsafePointer<UInt8>, _ count: Int) -> (lineFeeds: Int, sawPoint: Bool) {
        var total = 0, i = 0, sawPoint = false
        #if arch(x86_64)
        let lf = _mm_set1_epi8(0x0A), point = _mm_set1_epi8(0x2E)
        var points = _mm_setzero_si128()
        func mask(_ q: UnsafePointer<UInt8>) -> UInt64 {
            let v = _mm_loadu_si128(UnsafeRawPointer(q).assumingMemoryBound(to: __m128i.self))
            points = _mm_or_si128(points, _mm_cmpeq_epi8(v, point))
            return UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(_mm_cmpeq_epi8(v, lf))))
        }
        while i + 64 <= count {
            let bits = mask(p + i) | mask(p + i + 16) << 16 | mask(p + i + 32) << 32 | mask(p + i + 48) << 48
            total += bits.nonzeroBitCount
            i += 64
        }
        sawPoint = _mm_movemask_epi8(points) != 0
        #endif
        while i < count {
            if p[i] == 0x0A { total += 1 }
            if p[i] == 0x2E { sawPoint = true }
            i += 1
        }
        return (total, sawPoint)
    }

    /// The eight bytes at `p` as a little-endian word (first byte lowest).
    @inline(__always)
    static func load(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// The value of the eight ASCII digits of a word (first byte lowest, and
    /// the most significant digit), or nil when a byte is not a digit: a nibble
    /// test for the digits and three multiplies that combine digit pairs, quads
    /// and octets (the SWAR conversion of simdjson and fast_float), instead of
    /// a loop over the digits.
    @inline(__always)
    static func eightDigits(_ word: UInt64) -> UInt64? {
        // A byte is a digit when its high nibble is 3 both before and after adding 6
        // (0x30...0x39); a carry out of a byte >= 0xFA only disturbs later bytes,
        // and that byte already fails.
        let nibbles = (word & 0xF0F0_F0F0_F0F0_F0F0) | (((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4)
        guard nibbles == 0x3333_3333_3333_3333 else { return nil }
        var v = word & 0x0F0F_0F0F_0F0F_0F0F
        v = (v &* (10 << 8 + 1)) >> 8 & 0x00FF_00FF_00FF_00FF
        v = (v &* (100 << 16 + 1)) >> 16 & 0x0000_FFFF_0000_FFFF
        return (v &* (10000 << 32 + 1)) >> 32
    }
}
