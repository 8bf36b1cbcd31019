/*
 * initguid.h - include before a header full of DEFINE_GUIDs (fwpmu.h) to
 * get the GUID objects defined in this translation unit rather than only
 * declared (Windows SDK initguid.h). The definitions are weak, so several
 * translation units may do this; see guiddef.h.
 *
 * No include guard: each inclusion re-arms DEFINE_GUID.
 */
#ifndef INITGUID
#define INITGUID
#endif
#include "guiddef.h"
