/* random.h - random numbers from the kernel (getrandom), for SPIs and
 * session keys. Locking: internal; safe from any thread. */
#ifndef FWP_COMMON_RANDOM_H
#define FWP_COMMON_RANDOM_H

#include <stddef.h>
#include <stdint.h>

uint32_t fwp_random_u32(void);
void fwp_random_bytes(void *buf, size_t len);

#endif
