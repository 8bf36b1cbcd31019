/*
 * guids.c - the library's copy of every built-in GUID of fwpmu.h
 * (FWPM_LAYER_*, FWPM_SUBLAYER_*, FWPM_CONDITION_*, FWPM_PROVIDER_*,
 * FWPM_KEYING_MODULE_*, FWPM_CALLOUT_*).
 *
 * This gives programs that never include initguid.h the storage behind the
 * extern declarations of fwpmu.h, as uuid.lib does on Windows. Here the
 * definitions are strong and exported (FWP_GUID_STRONG makes guiddef.h's
 * DEFINE_GUID drop the weak attribute and add default visibility, which the
 * library's -fvisibility=hidden would otherwise remove). A program that
 * does include initguid.h defines weak copies of its own; its executable's
 * copy then interposes on this one, which holds the same value.
 */
#define FWP_GUID_STRONG
#define INITGUID
#include <fwpmu.h>
