/// A number of days as the options take it (`--every`, `--horizon`, `--keep-days`):
/// `90d`, `2w` or a plain number; nil for anything else.
enum Period {
    static func days(_ text: String) -> Int? {
        let t = text.lowercased()
        if t.hasSuffix("w"), let n = Int(t.dropLast()) { return n * 7 }
        if t.hasSuffix("d"), let n = Int(t.dropLast()) { return n }
        return Int(t)
    }
}
