import Foundation

/// Chooses OpenBLAS kernels the CPU supports when OpenBLAS fell back to slow
/// generic ones, by re-executing the process with `OPENBLAS_CORETYPE` set.
///
/// Rules, in order:
/// 1. A user (or the machine's administrator) who set `OPENBLAS_CORETYPE`
///    keeps that choice; so does `TELLTALE_KERNEL_SELECTION=off`.
/// 2. If OpenBLAS already runs a kernel family known to be fast, nothing happens.
/// 3. Otherwise the best family the CPU flags allow (SkylakeX for AVX-512
///    F/BW/DQ/VL, Haswell for AVX2+FMA) is chosen and the process re-executed.
/// 4. In the re-executed process a small `dgemm`/`dsyrk` self-check must pass;
///    if it fails, the process runs again with OpenBLAS's own choice.
public enum KernelSelection {
    static let markerVariable = "TELLTALE_KERNEL_REEXEC"
    static let fastFamilies: Set<String> = [
        "SkylakeX", "Cooperlake", "SapphireRapids", "Haswell", "Zen", "Skylake", "Excavator",
    ]

    /// What `prepare` decided, for `--version` and benchmark output.
    public private(set) static var note = "not checked"

    /// The family this CPU supports best, from `/proc/cpuinfo` flags.
    public static func bestSupportedFamily(cpuFlags: Set<String>) -> String? {
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(cpuFlags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(cpuFlags.contains) { return "Haswell" }
        return nil
    }

    static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// Call first thing in `main`. May not return (it re-executes the process).
    public static func prepare() {
        let env = ProcessInfo.processInfo.environment
        if let marker = env[markerVariable] {
            // We are the re-executed process: trust the kernels only if they compute right.
            if marker == "fallback" {
                note = "\(BLASRuntime.coreName) (OpenBLAS default; selected kernels failed self-check)"
                return
            }
            if BLASRuntime.selfCheckPasses() {
                note = "\(BLASRuntime.coreName) (selected by telltale, self-check passed)"
                return
            }
            unsetenv("OPENBLAS_CORETYPE")
            reexec(marker: "fallback")
            return
        }
        if env["OPENBLAS_CORETYPE"] != nil {
            note = "\(BLASRuntime.coreName) (OPENBLAS_CORETYPE from the environment)"
            return
        }
        if env["TELLTALE_KERNEL_SELECTION"]?.lowercased() == "off" {
            note = "\(BLASRuntime.coreName) (selection turned off)"
            return
        }
        let current = BLASRuntime.coreName
        if fastFamilies.contains(current) {
            note = "\(current) (OpenBLAS default)"
            return
        }
        guard let family = bestSupportedFamily(cpuFlags: cpuFlags()) else {
            note = "\(current) (OpenBLAS default; no faster family supported)"
            return
        }
        setenv("OPENBLAS_CORETYPE", family, 1)
        reexec(marker: "selected")
        note = "\(current) (re-exec failed)"
    }

    private static func reexec(marker: String) {
        setenv(markerVariable, marker, 1)
        ProcessRestart.again() // returns only on failure: carry on with the current kernels
    }
}
