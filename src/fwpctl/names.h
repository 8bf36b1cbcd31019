/* names.h - words for the policy objects' GUIDs and filter conditions.
 *
 * Layers, sublayers, callouts and condition fields are GUIDs in the API;
 * the ones this engine knows print as short lower-case words
 * ("outbound-transport-v4", "ipsec-outbound-transport-v4", "ip-remote-
 * address"), the rest as the GUID itself, never a guess. Condition values
 * print the way ip(8) writes them: addresses, prefixes, ranges, numbers.
 * Every function writes into the caller's buffer and returns a string
 * that lives as long as that buffer (or a static word).
 */
#ifndef FWPCTL_NAMES_H
#define FWPCTL_NAMES_H

#include <stddef.h>

#include <fwpmu.h>

const char *name_layer(const GUID *k, char *buf, size_t len);
const char *name_sublayer(const GUID *k, char *buf, size_t len);
const char *name_callout(const GUID *k, char *buf, size_t len);
const char *name_condition_field(const GUID *k, char *buf, size_t len);
/* "==", "!=", "<", "range", "prefix", ...; NULL when unknown. */
const char *name_match(FWP_MATCH_TYPE m);
/* The value: "192.0.2.0/24", "17", "1000-2000", "2001:db8::1"; for a
 * type this version does not print, "(type N)". */
const char *name_condition_value(const FWP_CONDITION_VALUE0 *v, char *buf, size_t len);
/* A provider context's type ("ike-qm-transport"); NULL when unknown. */
const char *name_provider_context_type(FWPM_PROVIDER_CONTEXT_TYPE t);

#endif
