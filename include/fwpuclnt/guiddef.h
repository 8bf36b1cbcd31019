/*
 * guiddef.h - the GUID type, its comparison helpers and DEFINE_GUID
 * (Windows SDK guiddef.h).
 *
 * DEFINE_GUID(name, l, w1, w2, b1, ..., b8) has two meanings:
 *
 *   - by default it declares `extern const GUID name;` (with C linkage
 *     under C++), so headers such as fwpmu.h only name the built-in GUIDs;
 *   - with INITGUID defined (normally through initguid.h) it defines the
 *     object. Windows marks that definition "selectany" so the same GUID
 *     may be defined by several translation units; ELF has no selectany, so
 *     the definition here is a weak symbol, which the linker folds the same
 *     way (any one copy wins, all copies are equal).
 *
 * FWP_GUID_STRONG (set only by the library's src/policy/guids.c) turns the
 * INITGUID definitions into ordinary strong, exported symbols.
 *
 * Like the SDK header, the DEFINE_GUID part is re-evaluated on every
 * inclusion: initguid.h defines INITGUID and includes this file again to
 * switch DEFINE_GUID from declaring to defining. Only the types and helpers
 * below have an include guard.
 */
#ifndef GUIDDEF_H
#define GUIDDEF_H

#include <stdint.h>
#include <string.h>

/*
 * Same declaration as in fwpbase.h; whichever header comes first defines
 * it. Data1 must be 32 bits (the SDK's "unsigned long" is 64 bits on LP64).
 */
#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
	uint32_t	Data1;
	uint16_t	Data2;
	uint16_t	Data3;
	uint8_t		Data4[8];
} GUID;
#endif

typedef GUID		*LPGUID;
typedef const GUID	*LPCGUID;
typedef GUID		IID;
typedef IID		*LPIID;
typedef GUID		CLSID;
typedef CLSID		*LPCLSID;

/*
 * REF* are references in C++ and pointers in C, as in the SDK. The C++
 * helpers keep C++ linkage even when included inside an extern "C" block.
 */
#ifdef __cplusplus
typedef const GUID	&REFGUID;
typedef const IID	&REFIID;
typedef const CLSID	&REFCLSID;

extern "C++" {
inline int IsEqualGUID(REFGUID a, REFGUID b)
{
	return memcmp(&a, &b, sizeof(GUID)) == 0;
}

inline bool operator==(REFGUID a, REFGUID b)
{
	return IsEqualGUID(a, b) != 0;
}

inline bool operator!=(REFGUID a, REFGUID b)
{
	return !(a == b);
}
}
#else
typedef const GUID	*REFGUID;
typedef const IID	*REFIID;
typedef const CLSID	*REFCLSID;

/*
 * Non-zero when both GUIDs are equal: IsEqualGUID(&a, &b). Marked unused so
 * a translation unit that never compares GUIDs gets no warning.
 */
__attribute__((unused))
static inline int IsEqualGUID(REFGUID a, REFGUID b)
{
	return memcmp(a, b, sizeof(GUID)) == 0;
}
#endif

#define IsEqualIID(a, b)	IsEqualGUID(a, b)
#define IsEqualCLSID(a, b)	IsEqualGUID(a, b)

#endif /* GUIDDEF_H */

/*
 * ---------------------------------------------------------------------
 * DEFINE_GUID: no include guard on purpose (see the top of the file).
 * ---------------------------------------------------------------------
 */
#ifdef DEFINE_GUID
#undef DEFINE_GUID
#endif
#ifdef FWP_GUID_LINKAGE
#undef FWP_GUID_LINKAGE
#endif
#ifdef FWP_GUID_EXTERN
#undef FWP_GUID_EXTERN
#endif
#ifdef FWP_GUID_DEFINITION
#undef FWP_GUID_DEFINITION
#endif
#ifdef FWP_DEFINE_GUID_DEFINES
#undef FWP_DEFINE_GUID_DEFINES
#endif

/*
 * C++: a declaration directly inside extern "C" is already extern, and a
 * definition there keeps external linkage despite const. C: a plain
 * extern declaration, and a definition without extern (extern with an
 * initialiser draws a warning).
 */
#ifdef __cplusplus
#define FWP_GUID_LINKAGE	extern "C"
#define FWP_GUID_EXTERN		extern "C"
#else
#define FWP_GUID_LINKAGE
#define FWP_GUID_EXTERN		extern
#endif

#ifdef INITGUID

/* Weak for programs; strong and exported for the library's own copy. */
#ifdef FWP_GUID_STRONG
#define FWP_GUID_DEFINITION	__attribute__((visibility("default")))
#else
#define FWP_GUID_DEFINITION	__attribute__((weak))
#endif

#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)	\
	FWP_GUID_LINKAGE FWP_GUID_DEFINITION const GUID name =		\
		{ l, w1, w2, { b1, b2, b3, b4, b5, b6, b7, b8 } }

/* Lets headers tell a defining DEFINE_GUID from a declaring one. */
#define FWP_DEFINE_GUID_DEFINES	1

#else /* !INITGUID */

#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)	\
	FWP_GUID_EXTERN const GUID name

#define FWP_DEFINE_GUID_DEFINES	0

#endif /* INITGUID */

/* The OLE GUID family shares its last eight bytes. */
#ifndef DEFINE_OLEGUID
#define DEFINE_OLEGUID(name, l, w1, w2)					\
	DEFINE_GUID(name, l, w1, w2,					\
		    0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46)
#endif
