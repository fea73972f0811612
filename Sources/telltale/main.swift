import TelltaleCLI
import TelltaleLinearAlgebra

// Before any work: make sure OpenBLAS runs kernels this CPU supports well
// (may re-execute the process once; see KernelSelection).
KernelSelection.prepare()
Telltale.main()
