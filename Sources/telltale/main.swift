import TelltaleCLI
import TelltaleLinearAlgebra

// Before any work: large allocations on huge pages (may re-execute the process
// once; see HugePages), then OpenBLAS kernels this CPU supports well (may
// re-execute it once more; see KernelSelection).
HugePages.prepare()
KernelSelection.prepare()
Telltale.main()
