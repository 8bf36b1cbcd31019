/* layers.h - the built-in layers and IPsec callouts as the Windows structs
 * FwpmLayer* and FwpmCallout* return (FWPM_LAYER0, FWPM_CALLOUT0), built
 * from the one const table policy_layers.c keeps for filter validation.
 *
 * Ownership: the fill functions write into a flat block being built
 * (common/flat.h). Locking: none; nothing here has state.
 */
#ifndef FWP_ENGINE_LAYERS_H
#define FWP_ENGINE_LAYERS_H

#include <stddef.h>

#include <fwpmu.h>

struct flat;

size_t builtin_layer_count(void);
size_t builtin_callout_count(void);
/* Table positions, or -1 when there is no such layer / callout. */
int builtin_layer_by_key(const GUID *key);
int builtin_layer_by_id(UINT16 id);
int builtin_callout_by_key(const GUID *key);
int builtin_callout_by_id(UINT32 id);
/* The one layer callout i may be used at. */
const GUID *builtin_callout_layer(size_t i);
/* Fill *out (taken from f) with entry i; strings, fields and keys it points
 * to are taken from f too. */
void builtin_layer_fill(struct flat *f, size_t i, FWPM_LAYER0 *out);
void builtin_callout_fill(struct flat *f, size_t i, FWPM_CALLOUT0 *out);

#endif
