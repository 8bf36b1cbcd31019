/* codec.c - see codec.h. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "wire/codec.h"

/* Nesting in the schema is at most a handful of levels; this bound only
 * guards against a schema mistake turning into unbounded recursion. */
#define WF_MAX_DEPTH 16

/* Element attributes inside an ARRAY nest. */
#define WF_ELEM 1

static const void *at(const void *base, uint32_t off)
{
	return (const char *)base + off;
}

static void *at_mut(void *base, uint32_t off)
{
	return (char *)base + off;
}

static uint32_t read_u32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static const struct wf_arm *find_arm(const struct wf_field *fd, uint32_t sel)
{
	for (uint16_t i = 0; i < fd->narms; i++)
		if (fd->arms[i].value == sel)
			return &fd->arms[i];
	return NULL;
}

/* ---- encoding ---- */

/* A union arm that is a pointer (struct, bytes or string) and is NULL. */
static bool null_arm(const struct wf_field *fd, const void *base)
{
	const void *ptr;

	if (fd->kind != WF_PTR && fd->kind != WF_PTR_RAW && fd->kind != WF_WSTR)
		return false;
	memcpy(&ptr, at(base, fd->offset), sizeof(ptr));
	return ptr == NULL;
}

/* Closes a nest, refusing one too long for the 16-bit attribute length
 * (libmnl would silently truncate it). */
static int nest_end(struct nlmsghdr *nlh, struct nlattr *nest)
{
	size_t len = (size_t)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nest);

	if (len > UINT16_MAX)
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

static int put_struct(struct nlmsghdr *nlh, size_t buflen, uint16_t type,
		      const struct wf_struct *sd, const void *src, int depth);

static int put_field(struct nlmsghdr *nlh, size_t buflen, uint16_t type,
		     const struct wf_field *fd, const void *base, int depth)
{
	const void *p = at(base, fd->offset);
	const void *ptr;

	switch (fd->kind) {
	case WF_NONE:
		return 0;
	case WF_U8:
		return mnl_attr_put_check(nlh, buflen, type, 1, p) ? 0 : -EMSGSIZE;
	case WF_U16:
		return mnl_attr_put_check(nlh, buflen, type, 2, p) ? 0 : -EMSGSIZE;
	case WF_U32:
		return mnl_attr_put_check(nlh, buflen, type, 4, p) ? 0 : -EMSGSIZE;
	case WF_U64:
		return mnl_attr_put_check(nlh, buflen, type, 8, p) ? 0 : -EMSGSIZE;
	case WF_RAW:
		return mnl_attr_put_check(nlh, buflen, type, fd->size, p) ? 0 : -EMSGSIZE;
	case WF_STRUCT:
		return put_struct(nlh, buflen, type, fd->sub, p, depth + 1);
	case WF_PTR:
		memcpy(&ptr, p, sizeof(ptr));
		return ptr ? put_struct(nlh, buflen, type, fd->sub, ptr, depth + 1) : 0;
	case WF_PTR_RAW:
		memcpy(&ptr, p, sizeof(ptr));
		if (!ptr)
			return 0;
		return mnl_attr_put_check(nlh, buflen, type, fd->size, ptr) ? 0 : -EMSGSIZE;
	case WF_WSTR: {
		const wchar_t *s;

		memcpy(&s, p, sizeof(s));
		if (!s)
			return 0;
		return mnl_attr_put_check(nlh, buflen, type,
					  (wcslen(s) + 1) * sizeof(wchar_t), s) ? 0 : -EMSGSIZE;
	}
	case WF_BLOB: {
		const FWP_BYTE_BLOB *b = p;

		if (b->size && !b->data)
			return -EINVAL;
		if (b->size > UINT16_MAX - 4)
			return -EMSGSIZE;
		return mnl_attr_put_check(nlh, buflen, type, b->size,
					  b->size ? (const void *)b->data : "") ? 0 : -EMSGSIZE;
	}
	case WF_ARRAY: {
		uint32_t n = read_u32(at(base, fd->count_offset));
		const char *arr;
		struct nlattr *nest;

		memcpy(&arr, p, sizeof(arr));
		if (!n)
			return 0;
		if (!arr)
			return -EINVAL;
		if (n > fd->max_count)
			return -EMSGSIZE;
		nest = mnl_attr_nest_start_check(nlh, buflen, type);
		if (!nest)
			return -EMSGSIZE;
		for (uint32_t i = 0; i < n; i++) {
			int err = put_struct(nlh, buflen, WF_ELEM, fd->sub,
					     arr + (size_t)i * fd->sub->size, depth + 1);

			if (err)
				return err;
		}
		return nest_end(nlh, nest);
	}
	case WF_UNION: {
		const struct wf_arm *arm = find_arm(fd, read_u32(at(base, fd->selector_offset)));

		/* A selector the schema has no arm for (an invalid or an
		 * uncarried type) sends no value: the receiver's engine then
		 * refuses the selector with the code the API documents. */
		if (!arm)
			return 0;
		/* The decoder refuses a pointer arm without its value, so a
		 * NULL one is the caller's error (FWP_E_NULL_POINTER). */
		if (null_arm(&arm->field, base))
			return -EINVAL;
		return put_field(nlh, buflen, type, &arm->field, base, depth);
	}
	default:
		return -EINVAL;
	}
}

static int put_struct(struct nlmsghdr *nlh, size_t buflen, uint16_t type,
		      const struct wf_struct *sd, const void *src, int depth)
{
	struct nlattr *nest;

	if (depth > WF_MAX_DEPTH)
		return -EINVAL;
	nest = mnl_attr_nest_start_check(nlh, buflen, type);
	if (!nest)
		return -EMSGSIZE;
	for (uint16_t i = 0; i < sd->nfields; i++) {
		int err = put_field(nlh, buflen, (uint16_t)(i + 1), &sd->fields[i], src, depth);

		if (err)
			return err;
	}
	return nest_end(nlh, nest);
}

int wf_put(struct nlmsghdr *nlh, size_t buflen, uint16_t type,
	   const struct wf_struct *sd, const void *src)
{
	uint32_t len = nlh->nlmsg_len;
	int err = put_struct(nlh, buflen, type, sd, src, 0);

	if (err)
		nlh->nlmsg_len = len;	/* leave the message as it was */
	return err;
}

/* ---- decoding ----
 *
 * Strict, like the kernel's NL_VALIDATE_STRICT: every attribute lies wholly
 * inside its nest and the attributes fill it exactly; an attribute type the
 * struct does not have, a field given twice, a nested flag that does not
 * match the field's kind, and a union whose selector and arm disagree are
 * all refused. The protocol is versioned (FWPD_PROTOCOL_VERSION) and both
 * ends come from one build, so nothing unknown is ever skipped. */

int wf_attrs_check(const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		const struct nlattr *a = (const void *)p;
		size_t step;

		if (len < sizeof(*a) || a->nla_len < sizeof(*a) || a->nla_len > len)
			return -EINVAL;
		/* Encoders pad every attribute; a nest holds its children's
		 * padding, a message its last attribute's. */
		step = MNL_ALIGN(a->nla_len);
		if (step > len)
			return -EINVAL;
		p += step;
		len -= step;
	}
	return 0;
}

int wf_check_flags(const struct nlattr *a, bool nested)
{
	uint16_t flags = a->nla_type & (uint16_t)~NLA_TYPE_MASK;

	return flags == (nested ? NLA_F_NESTED : 0) ? 0 : -EINVAL;
}

static bool is_nest(uint8_t kind)
{
	return kind == WF_STRUCT || kind == WF_PTR || kind == WF_ARRAY;
}

static int dec_struct(struct flat *f, const struct wf_struct *sd,
		      const struct nlattr *nest, void *dst, int depth);

static int dec_array(struct flat *f, const struct wf_field *fd, const struct nlattr *a,
		     void *base, int depth)
{
	const struct nlattr *e;
	uint32_t n = 0, i = 0;
	char *arr;

	mnl_attr_for_each_nested(e, a) {
		if (mnl_attr_get_type(e) != WF_ELEM || wf_check_flags(e, true))
			return -EINVAL;
		if (++n > fd->max_count)
			return -EINVAL;
	}
	arr = flat_take(f, (size_t)n * fd->sub->size, fd->sub->align);
	if (n && !arr)
		return -ENOMEM;
	mnl_attr_for_each_nested(e, a) {
		int err = dec_struct(f, fd->sub, e, arr + (size_t)i++ * fd->sub->size, depth + 1);

		if (err)
			return err;
	}
	memcpy(at_mut(base, fd->offset), &arr, sizeof(arr));
	memcpy(at_mut(base, fd->count_offset), &n, sizeof(n));
	return 0;
}

/* Decodes attribute a as field fd of the struct at base (not a union). */
static int dec_field(struct flat *f, const struct wf_field *fd,
		     const struct nlattr *a, void *base, int depth)
{
	const void *pl = mnl_attr_get_payload(a);
	uint16_t len = mnl_attr_get_payload_len(a);
	void *dst = at_mut(base, fd->offset);
	void *obj;

	if (wf_check_flags(a, is_nest(fd->kind)))
		return -EINVAL;
	switch (fd->kind) {
	case WF_U8:
	case WF_U16:
	case WF_U32:
	case WF_U64: {
		static const uint16_t width[] = { 0, 1, 2, 4, 8 };

		if (len != width[fd->kind])
			return -EINVAL;
		memcpy(dst, pl, len);
		return 0;
	}
	case WF_RAW:
		if (len != fd->size)
			return -EINVAL;
		memcpy(dst, pl, len);
		return 0;
	case WF_STRUCT:
		return dec_struct(f, fd->sub, a, dst, depth + 1);
	case WF_PTR:
		obj = flat_take(f, fd->sub->size, fd->sub->align);
		if (!obj)
			return -ENOMEM;
		memcpy(dst, &obj, sizeof(obj));
		return dec_struct(f, fd->sub, a, obj, depth + 1);
	case WF_PTR_RAW:
		if (len != fd->size)
			return -EINVAL;
		obj = flat_dup(f, pl, len, 8);
		if (!obj)
			return -ENOMEM;
		memcpy(dst, &obj, sizeof(obj));
		return 0;
	case WF_WSTR: {
		wchar_t last;

		if (len < sizeof(wchar_t) || len % sizeof(wchar_t))
			return -EINVAL;
		memcpy(&last, (const char *)pl + len - sizeof(wchar_t), sizeof(last));
		if (last != 0)
			return -EINVAL;
		obj = flat_dup(f, pl, len, _Alignof(wchar_t));
		if (!obj)
			return -ENOMEM;
		memcpy(dst, &obj, sizeof(obj));
		return 0;
	}
	case WF_BLOB: {
		FWP_BYTE_BLOB b = { len, NULL };

		if (len) {
			b.data = flat_dup(f, pl, len, 1);
			if (!b.data)
				return -ENOMEM;
		}
		memcpy(dst, &b, sizeof(b));
		return 0;
	}
	case WF_ARRAY:
		return dec_array(f, fd, a, base, depth);
	default:
		/* WF_NONE carries nothing, so an attribute for it is wrong;
		 * a union arm is never itself a union. */
		return -EINVAL;
	}
}

/* The index of sd's UINT32 field at offset off (a union's selector). */
static int selector_index(const struct wf_struct *sd, uint32_t off)
{
	for (uint16_t i = 0; i < sd->nfields; i++)
		if (sd->fields[i].offset == off && sd->fields[i].kind == WF_U32)
			return i;
	return -1;
}

/* A union: the arm is chosen by the ONE selector attribute of the nest (or
 * 0 when it is absent), and the same value is what the struct holds. The
 * arm's attribute must be present exactly when the arm carries a value: a
 * pointer arm never decodes to NULL, and a value is never taken for a
 * selector that has no arm. */
static int dec_union(struct flat *f, const struct wf_struct *sd, const struct wf_field *fd,
		     const struct nlattr *const *by_field, void *base, int depth)
{
	const struct nlattr *a = by_field[fd - sd->fields];
	const struct nlattr *s;
	const struct wf_arm *arm;
	int idx = selector_index(sd, fd->selector_offset);
	uint32_t sel = 0;

	if (idx < 0)
		return -EINVAL;	/* a schema mistake */
	s = by_field[idx];
	if (s) {
		if (mnl_attr_get_payload_len(s) != sizeof(sel))
			return -EINVAL;
		sel = read_u32(mnl_attr_get_payload(s));
	}
	memcpy(at_mut(base, fd->selector_offset), &sel, sizeof(sel));
	arm = find_arm(fd, sel);
	if (!arm || arm->field.kind == WF_NONE)
		return a ? -EINVAL : 0;
	if (!a)
		return -EINVAL;
	return dec_field(f, &arm->field, a, base, depth);
}

/* Structs have a handful of fields; the bound keeps the table of seen
 * attributes on the stack. */
#define WF_MAX_FIELDS 32

static int dec_struct(struct flat *f, const struct wf_struct *sd,
		      const struct nlattr *nest, void *dst, int depth)
{
	const struct nlattr *by_field[WF_MAX_FIELDS] = { NULL };
	const struct nlattr *a;

	if (depth > WF_MAX_DEPTH || sd->nfields > WF_MAX_FIELDS)
		return -EINVAL;
	if (wf_attrs_check(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest)))
		return -EINVAL;
	mnl_attr_for_each_nested(a, nest) {
		uint16_t type = mnl_attr_get_type(a);

		if (type == 0 || type > sd->nfields || by_field[type - 1])
			return -EINVAL;	/* unknown, or given twice */
		by_field[type - 1] = a;
	}
	/* In table order: the same order of allocations in both passes of
	 * the builder, whatever order the attributes came in. */
	for (uint16_t i = 0; i < sd->nfields; i++) {
		const struct wf_field *fd = &sd->fields[i];
		int err;

		if (fd->kind == WF_UNION)
			err = dec_union(f, sd, fd, by_field, dst, depth);
		else
			err = by_field[i] ? dec_field(f, fd, by_field[i], dst, depth) : 0;
		if (err)
			return err;
	}
	return 0;
}

int wf_decode_into(struct flat *f, const struct wf_struct *sd,
		   const struct nlattr *nest, void *dst)
{
	if (wf_check_flags(nest, true))
		return -EINVAL;
	return dec_struct(f, sd, nest, dst, 0);
}

int wf_decode(const struct wf_struct *sd, const struct nlattr *nest,
	      void **out, size_t *size_out)
{
	struct flat f;
	size_t size = 0;
	int err = 0;

	flat_begin(&f);
	for (int pass = 0; pass < 2; pass++) {
		void *obj = flat_take(&f, sd->size, sd->align);

		err = obj ? wf_decode_into(&f, sd, nest, obj) : -ENOMEM;
		if (err) {
			flat_abort(&f);	/* wipes: it may hold key bytes */
			return err;
		}
		if (pass == 0) {
			size = f.used;
			if (flat_end_measure(&f))
				return -ENOMEM;
		}
	}
	*out = flat_end(&f);
	if (!*out)
		return -ENOMEM;
	if (size_out)
		*size_out = size;
	return 0;
}

void wf_free_secret(void *block, size_t size)
{
	if (block) {
		explicit_bzero(block, size);
		free(block);
	}
}

/* ---- deep copies ---- */

/* A nest's length is 16 bits: a message never larger than this keeps
 * every nest representable (mnl_attr_nest_end would truncate silently). */
#define WF_CLONE_MAX 65536u

/* Encodes *src into a new buffer sized to fit (grown by doubling). */
int wf_encode(const struct wf_struct *sd, const void *src,
	      struct nlmsghdr **out, size_t *cap_out)
{
	size_t cap = 1024;

	for (;;) {
		struct nlmsghdr *nlh = calloc(1, cap);
		int err;

		if (!nlh)
			return -ENOMEM;
		nlh->nlmsg_len = MNL_NLMSG_HDRLEN;
		err = wf_put(nlh, cap, 1, sd, src);
		if (err == 0) {
			*out = nlh;
			*cap_out = cap;
			return 0;
		}
		explicit_bzero(nlh, cap);
		free(nlh);
		if (err != -EMSGSIZE || cap >= WF_CLONE_MAX)
			return err;
		cap *= 2;
	}
}

static void clone_wipe(struct nlmsghdr *nlh, size_t cap)
{
	if (nlh) {
		explicit_bzero(nlh, cap);
		free(nlh);
	}
}

int wf_clone(const struct wf_struct *sd, const void *src, void **out, size_t *size)
{
	struct nlmsghdr *nlh = NULL;
	size_t cap = 0;
	int err = wf_encode(sd, src, &nlh, &cap);

	if (err)
		return err;
	err = wf_decode(sd, mnl_nlmsg_get_payload(nlh), out, size);
	clone_wipe(nlh, cap);
	return err;
}

int wf_copy_into(struct flat *f, const struct wf_struct *sd, const void *src,
		 void *dst)
{
	struct nlmsghdr *nlh = NULL;
	size_t cap = 0;
	int err = wf_encode(sd, src, &nlh, &cap);

	if (err)
		return err;
	err = wf_decode_into(f, sd, mnl_nlmsg_get_payload(nlh), dst);
	clone_wipe(nlh, cap);
	return err;
}

int wf_clone_array(const struct wf_struct *sd, const void *const *src, size_t n,
		   void ***out)
{
	struct nlmsghdr **enc;
	size_t *caps;
	struct flat f;
	int err = 0;

	*out = NULL;
	if (!n)
		return 0;
	enc = calloc(n, sizeof(*enc));
	caps = calloc(n, sizeof(*caps));
	if (!enc || !caps) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n && !err; i++)
		err = wf_encode(sd, src[i], &enc[i], &caps[i]);
	if (err)
		goto out;
	flat_begin(&f);
	for (int pass = 0; pass < 2; pass++) {
		void **arr = FLAT_ARRAY(&f, void *, n);

		for (size_t i = 0; i < n && !err; i++) {
			void *obj = flat_take(&f, sd->size, sd->align);

			err = obj ? wf_decode_into(&f, sd, mnl_nlmsg_get_payload(enc[i]), obj)
				  : -ENOMEM;
			if (arr)
				arr[i] = obj;
		}
		if (!arr && !err)
			err = -ENOMEM;
		if (err) {
			flat_abort(&f);
			goto out;
		}
		if (pass == 0 && flat_end_measure(&f)) {
			err = -ENOMEM;
			goto out;
		}
	}
	*out = flat_end(&f);
	if (!*out)
		err = -ENOMEM;
out:
	for (size_t i = 0; enc && i < n; i++)
		clone_wipe(enc[i], caps[i]);
	free(enc);
	free(caps);
	return err;
}
