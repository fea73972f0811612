/// A dense row-major matrix of `Double`.
///
/// Row-major because Telltale's data matrices are observations x features and
/// the hot loops walk blocks of consecutive rows (one account after another);
/// a block of rows is then one contiguous slice that a BLAS call can take as is.
public struct Matrix: Equatable, Sendable {
    public private(set) var rows: Int
    public private(set) var columns: Int
    /// Row `i`, column `j` lives at `storage[i * columns + j]`.
    public var storage: [Double]

    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    public init(rows: Int, columns: Int, storage: [Double]) {
        precondition(storage.count == rows * columns, "storage has \(storage.count) values, expected \(rows * columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// Builds a matrix from an array of equally long rows.
    public init(_ rowArrays: [[Double]]) {
        let r = rowArrays.count
        let c = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == c }, "rows differ in length")
        self.init(rows: r, columns: c, storage: rowArrays.flatMap { $0 })
    }

    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    @inlinable
    public subscript(row: Int, column: Int) -> Double {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    public func row(_ i: Int) -> ArraySlice<Double> {
        storage[(i * columns)..<((i + 1) * columns)]
    }

    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        for i in 0..<rows { for j in 0..<columns { t[j, i] = self[i, j] } }
        return t
    }

    public var diagonal: [Double] {
        (0..<Swift.min(rows, columns)).map { self[$0, $0] }
    }

    /// Copies the upper triangle into the lower one (BLAS `syrk` and LAPACK
    /// `potri` fill only one triangle).
    public mutating func symmetrizeFromUpper() {
        precondition(rows == columns)
        for i in 0..<rows { for j in 0..<i { self[i, j] = self[j, i] } }
    }
}
