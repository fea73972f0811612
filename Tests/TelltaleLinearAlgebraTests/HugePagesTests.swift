import Testing
import TelltaleLinearAlgebra

/// When `telltale` re-executes itself with glibc's huge-page tunable, and with what.
@Suite struct HugePagesTests {
    static let madvise = "always [madvise] never\n"

    @Test func theTunableIsAddedOnceWhenTheKernelWantsToBeAsked() {
        #expect(HugePages.tunables(environment: [:], kernelMode: Self.madvise) == "glibc.malloc.hugetlb=1")
        // A user's own tunables are kept, the new one appended.
        #expect(HugePages.tunables(environment: ["GLIBC_TUNABLES": "glibc.malloc.arena_max=2"], kernelMode: Self.madvise)
                == "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1")
        // Already named (by the user, or by the first execution): no second re-execution, whatever its value.
        #expect(HugePages.tunables(environment: ["GLIBC_TUNABLES": "glibc.malloc.hugetlb=0"], kernelMode: Self.madvise) == nil)
        #expect(HugePages.tunables(environment: ["GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"], kernelMode: Self.madvise) == nil)
    }

    @Test func nothingHappensWhenTheKernelDecidesAloneOrTheUserSaysOff() {
        #expect(HugePages.tunables(environment: [:], kernelMode: "[always] madvise never\n") == nil, "every allocation is on huge pages already")
        #expect(HugePages.tunables(environment: [:], kernelMode: "always madvise [never]\n") == nil, "the kernel would ignore it")
        #expect(HugePages.tunables(environment: [:], kernelMode: nil) == nil, "no transparent huge pages at all")
        #expect(HugePages.tunables(environment: ["TELLTALE_HUGE_PAGES": "OFF"], kernelMode: Self.madvise) == nil)
    }
}
