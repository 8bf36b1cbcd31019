/* codec.h - encode and decode described structs as netlink attributes.
 *
 * Encoding follows pointers of trusted memory (the caller's own structs).
 * Decoding treats its input as hostile: every length, count, string
 * terminator and union arm is checked, and the result is built as ONE
 * allocation (common/flat.h), so it can be handed to a client as is or
 * wiped and freed in one go. A decoded block may hold keys: wipe it
 * (wf_free_secret) unless it is known to carry none.
 *
 * The decoder is strict (docs/protocol.md, "Strictness"): attributes fill
 * their nest exactly, each field at most once, no attribute type the
 * struct does not have, NLA_F_NESTED exactly on nests, and a union's arm
 * present exactly when the value of its one selector names an arm that
 * carries something. The encoder refuses (-EINVAL) a union whose selected
 * pointer arm is NULL, so what it writes always decodes.
 *
 * Return convention: 0 or -errno (-EMSGSIZE: buffer too small; -EINVAL:
 * malformed input; -EOPNOTSUPP: a union arm the schema does not carry;
 * -ENOMEM).
 */
#ifndef FWP_WIRE_CODEC_H
#define FWP_WIRE_CODEC_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/flat.h"
#include "wire/schema.h"

/* Appends struct *src of type sd as nested attribute `type`. */
int wf_put(struct nlmsghdr *nlh, size_t buflen, uint16_t type,
	   const struct wf_struct *sd, const void *src);

/* Encodes *src as nest 1 of a new message (one allocation, grown until it
 * fits, at most 64 KiB): *out to free (wipe if it may hold keys), *cap its
 * size. The nest is mnl_nlmsg_get_payload(*out). */
int wf_encode(const struct wf_struct *sd, const void *src,
	      struct nlmsghdr **out, size_t *cap);

/* Decodes nest into *dst (sd->size bytes, part of builder f); nested
 * objects are taken from f. Callers run it in both passes of f. */
int wf_decode_into(struct flat *f, const struct wf_struct *sd,
		   const struct nlattr *nest, void *dst);

/* Decodes nest as a new single allocation of type sd; *size_out (may be
 * NULL) receives its size for wiping. */
int wf_decode(const struct wf_struct *sd, const struct nlattr *nest,
	      void **out, size_t *size_out);

/* Deep copy: encodes *src and decodes it as ONE new allocation (*size, may
 * be NULL, receives its size). The temporary encoding is wiped. Returns
 * -EMSGSIZE when the encoding would exceed 64 KiB. */
int wf_clone(const struct wf_struct *sd, const void *src, void **out, size_t *size);

/* Deep copy of *src into *dst, a part of builder f (both passes). */
int wf_copy_into(struct flat *f, const struct wf_struct *sd, const void *src,
		 void *dst);

/* Deep copies of src[0..n-1] as ONE allocation: an array of n pointers
 * followed by the objects. *out is NULL when n is 0. */
int wf_clone_array(const struct wf_struct *sd, const void *const *src, size_t n,
		   void ***out);

/* 0 when buf[0..len) is exactly a sequence of attributes, each at least a
 * header long and padded, all inside the buffer; else -EINVAL. Check a
 * payload with it before iterating over it. */
int wf_attrs_check(const void *buf, size_t len);

/* 0 when a's flag bits are NLA_F_NESTED for a nest (nested true) and none
 * otherwise; else -EINVAL. */
int wf_check_flags(const struct nlattr *a, bool nested);

/* Wipes and frees a decoded block. */
void wf_free_secret(void *block, size_t size);

#endif
