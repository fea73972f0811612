/// One usage metric's values, a `Double` per row (NaN for an empty cell),
/// held as 32-bit floats while every value is exactly one.
///
/// Usage exports are mostly counts: every integer up to 2^24 (and halves,
/// quarters, ...) is exact in a `Float`. Holding them in half the bytes
/// matters because the first touch of a fresh column page, the kernel
/// zeroing it, was the largest cost left in reading a usage file: 5M rows x
/// 9 metrics read in 0.41-0.44 s into `Double` columns and 0.37-0.39 s into
/// `Float` ones (benchmarks/README.md). Reading gives the same `Double`
/// either way; storing a value that is not exactly a `Float` turns the whole
/// column into `Double`s, so no value is ever rounded.
public struct MetricColumn: Sendable {
    public enum Storage: Sendable {
        case float([Float])
        case double([Double])
    }

    public private(set) var storage: Storage

    public init() { storage = .float([]) }

    /// The values as given: `Float`s when every one is exactly a `Float`.
    public init(_ values: [Double]) {
        if values.allSatisfy(Self.isExactFloat) {
            storage = .float(values.map { Float($0) })
        } else {
            storage = .double(values)
        }
    }

    /// Columns built by the reader, which checked exactness as it parsed.
    public init(floats: [Float]) { storage = .float(floats) }
    public init(doubles: [Double]) { storage = .double(doubles) }

    /// Whether `value` survives a trip through `Float` (NaN included, as
    /// missing; -0 keeps its sign).
    @inlinable
    public static func isExactFloat(_ value: Double) -> Bool {
        Double(Float(value)) == value || value.isNaN
    }

    public var isFloat: Bool { if case .float = storage { true } else { false } }

    /// Bytes held by the values.
    public var byteCount: Int {
        switch storage {
        case .float(let f): f.count * MemoryLayout<Float>.stride
        case .double(let d): d.count * MemoryLayout<Double>.stride
        }
    }

    /// The values at `rows`, in that order, in the same storage.
    public func selecting(_ rows: [Int]) -> MetricColumn {
        switch storage {
        case .float(let f): MetricColumn(floats: rows.map { f[$0] })
        case .double(let d): MetricColumn(doubles: rows.map { d[$0] })
        }
    }

    /// Moves the storage out for a mutation without copying it (the enum
    /// payload would otherwise share its buffer with `storage`).
    private mutating func mutate(_ float: (inout [Float]) -> Void, _ double: (inout [Double]) -> Void) {
        switch storage {
        case .float(var f):
            storage = .float([])
            float(&f)
            storage = .float(f)
        case .double(var d):
            storage = .double([])
            double(&d)
            storage = .double(d)
        }
    }

    /// Turns a `Float` column into `Double`s, for a value that needs them,
    /// keeping its reserved room (the general reader reserves a file's rows
    /// up front and appends).
    private mutating func widen() {
        guard case .float(let f) = storage else { return }
        var d = [Double]()
        d.reserveCapacity(f.capacity)
        d.append(contentsOf: f.lazy.map { Double($0) })
        storage = .double(d)
    }
}

extension MetricColumn: RandomAccessCollection, MutableCollection, RangeReplaceableCollection {
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int {
        switch storage {
        case .float(let f): f.count
        case .double(let d): d.count
        }
    }

    public subscript(position: Int) -> Double {
        @inlinable get {
            switch storage {
            case .float(let f): Double(f[position])
            case .double(let d): d[position]
            }
        }
        set {
            if !isFloat || Self.isExactFloat(newValue) {
                mutate({ $0[position] = Float(newValue) }, { $0[position] = newValue })
            } else {
                widen()
                mutate({ _ in }, { $0[position] = newValue })
            }
        }
    }

    public mutating func replaceSubrange<C: Collection>(_ range: Range<Int>, with values: C) where C.Element == Double {
        if isFloat && !values.allSatisfy(Self.isExactFloat) { widen() }
        mutate({ $0.replaceSubrange(range, with: values.map { Float($0) }) },
               { $0.replaceSubrange(range, with: values) })
    }

    public mutating func append(_ value: Double) {
        if isFloat && !Self.isExactFloat(value) { widen() }
        mutate({ $0.append(Float(value)) }, { $0.append(value) })
    }

    public mutating func reserveCapacity(_ n: Int) {
        mutate({ $0.reserveCapacity(n) }, { $0.reserveCapacity(n) })
    }
}

extension MetricColumn: ExpressibleByArrayLiteral, Equatable {
    public init(arrayLiteral values: Double...) { self.init(values) }

    /// Equal values in the same order, whichever storage holds them.
    public static func == (a: MetricColumn, b: MetricColumn) -> Bool { a.elementsEqual(b) }
}
