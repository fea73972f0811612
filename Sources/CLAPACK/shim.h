#ifndef TELLTALE_CLAPACK_SHIM_H
#define TELLTALE_CLAPACK_SHIM_H
/* Debian ships cblas.h under /usr/include/x86_64-linux-gnu (found through
   pkg-config "openblas") and lapacke.h under /usr/include. */
#include <cblas.h>
#include <lapacke.h>

/* lapack_int is a macro and invisible to Swift: re-export it as a type. */
typedef lapack_int clapack_int;
#endif
