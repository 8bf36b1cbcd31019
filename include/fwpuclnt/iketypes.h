/*
 * iketypes.h - IKE/AuthIP policy types (Windows SDK iketypes.h). None of them
 * is needed by the SA-context API; they arrive with the policy-object work.
 * fwpmu.h includes this header so code that names it keeps compiling.
 */
#ifndef IKETYPES_H
#define IKETYPES_H

#include "fwptypes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Intentionally empty for now. */

#ifdef __cplusplus
}
#endif

#endif /* IKETYPES_H */
