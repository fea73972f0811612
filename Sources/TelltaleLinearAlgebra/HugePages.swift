import Foundation

/// Large allocations on transparent huge pages.
///
/// Scoring a million-row flat table spent about a quarter of its CPU time in
/// page faults on fresh memory: this VM zeroes and maps it 4 KB at a time.
/// glibc's malloc (2.35 and later) asks the kernel for 2 MB pages for its
/// large blocks when the tunable `glibc.malloc.hugetlb=1` is set, but reads
/// tunables only when a process starts. So, as `KernelSelection` does for
/// OpenBLAS, the process re-executes itself once with it set. Measured on
/// 2026-11-24 (benchmarks/README.md): the 1M-row flat score 1.21-1.28 s ->
/// 0.94-1.05 s, the same bytes out, peak memory +1-2%.
///
/// Nothing happens when the kernel's mode is not `madvise` (`always` needs no
/// help, `never` would ignore it), when `GLIBC_TUNABLES` already names the
/// tunable (also what stops a second re-execution, even on a glibc that does
/// not know it), or with `TELLTALE_HUGE_PAGES=off`.
public enum HugePages {
    public static let tunable = "glibc.malloc.hugetlb"

    /// The `GLIBC_TUNABLES` value to re-execute with, or nil to carry on as is.
    public static func tunables(environment: [String: String], kernelMode: String?) -> String? {
        if environment["TELLTALE_HUGE_PAGES"]?.lowercased() == "off" { return nil }
        let current = environment["GLIBC_TUNABLES"] ?? ""
        guard !current.contains(tunable), let kernelMode, kernelMode.contains("[madvise]") else { return nil }
        return (current.isEmpty ? "" : current + ":") + tunable + "=1"
    }

    /// Call first thing in `main`. May not return (it re-executes the process).
    public static func prepare() {
        let mode = try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)
        guard let value = tunables(environment: ProcessInfo.processInfo.environment, kernelMode: mode) else { return }
        setenv("GLIBC_TUNABLES", value, 1)
        ProcessRestart.again() // returns only on failure: carry on without huge pages
    }
}
