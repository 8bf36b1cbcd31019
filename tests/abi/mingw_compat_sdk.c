/* mingw_compat_sdk.c - the headers' own values of the names that
 * FWPUCLNT_MINGW_COMPAT leaves out (see test_mingw_compat.c). */
#include <fwpmu.h>

#include "mingw_names.h"

#define AS_VALUE(name, value) (unsigned long long)(name),
const unsigned long long sdk_values[] = { MINGW_LACKS(AS_VALUE) };
const unsigned sdk_count = sizeof(sdk_values) / sizeof(sdk_values[0]);
