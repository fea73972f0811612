#ifndef TELLTALE_CZLIB_SHIM_H
#define TELLTALE_CZLIB_SHIM_H
#include <zlib.h>
#endif
