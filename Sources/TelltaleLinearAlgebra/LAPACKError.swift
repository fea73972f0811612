/// A LAPACK routine reported failure through its `info` code.
///
/// LAPACK signals both argument errors (`info < 0`: the |info|-th argument was
/// illegal, a programming error) and numerical failures (`info > 0`, e.g. a
/// matrix that is not positive definite) through the same integer. We keep the
/// routine and the code so a caller can turn the numerical cases into a message
/// about the data ("columns are collinear") instead of a crash.
public struct LAPACKError: Error, Equatable, CustomStringConvertible {
    public var routine: String
    public var info: Int

    public init(routine: String, info: Int) {
        self.routine = routine
        self.info = info
    }

    /// True when LAPACK rejected an argument: a bug in the caller, not the data.
    public var isArgumentError: Bool { info < 0 }

    public var description: String {
        if info < 0 {
            return "\(routine): argument \(-info) had an illegal value (internal error)"
        }
        switch routine {
        case "dpotrf", "spotrf":
            return "\(routine): the leading minor of order \(info) is not positive definite"
        case "dpotri":
            return "\(routine): the factor has a zero diagonal element at \(info); the matrix is singular"
        default:
            return "\(routine) failed with info = \(info)"
        }
    }
}

@inline(__always)
func check(_ routine: String, _ info: Int32) throws {
    if info != 0 { throw LAPACKError(routine: routine, info: Int(info)) }
}
