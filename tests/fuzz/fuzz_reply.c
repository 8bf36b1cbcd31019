/* fuzz_reply.c - the client library's reply path on hostile input: a
 * datagram as the service transport receives it, checked by msg_parse and
 * every struct attribute decoded with each schema the library would use
 * for it. Decoded blocks are walked by their schema (every pointer, string,
 * blob, array element and selected union arm dereferenced) so that a
 * decoder that builds a bad pointer is caught by the sanitizers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <fwpx.h>

#include "engine/net_event.h"
#include "wire/codec.h"
#include "wire/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

static void touch(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		sink += b[i];
}

static const void *ptr_at(const void *base, uint32_t off)
{
	const void *p;

	memcpy(&p, (const char *)base + off, sizeof(p));
	return p;
}

static void walk(const struct wf_struct *sd, const void *obj);

/* Follows one field of the struct at base as the schema describes it. */
static void walk_field(const struct wf_field *fd, const void *base)
{
	const void *p = (const char *)base + fd->offset;
	const void *q;
	uint32_t n, sel;

	switch (fd->kind) {
	case WF_STRUCT:
		walk(fd->sub, p);
		break;
	case WF_PTR:
		if ((q = ptr_at(base, fd->offset)))
			walk(fd->sub, q);
		break;
	case WF_PTR_RAW:
		if ((q = ptr_at(base, fd->offset)))
			touch(q, fd->size);
		break;
	case WF_WSTR:
		if ((q = ptr_at(base, fd->offset)))
			sink += (unsigned)wcslen(q);
		break;
	case WF_BLOB: {
		const FWP_BYTE_BLOB *b = p;

		if (b->size)
			touch(b->data, b->size);
		break;
	}
	case WF_ARRAY:
		memcpy(&n, (const char *)base + fd->count_offset, sizeof(n));
		q = ptr_at(base, fd->offset);
		for (uint32_t i = 0; i < n; i++)
			walk(fd->sub, (const char *)q + (size_t)i * fd->sub->size);
		break;
	case WF_UNION:
		memcpy(&sel, (const char *)base + fd->selector_offset, sizeof(sel));
		for (uint16_t i = 0; i < fd->narms; i++)
			if (fd->arms[i].value == sel)
				walk_field(&fd->arms[i].field, base);
		break;
	default:
		touch(p, 1);
		break;
	}
}

static void walk(const struct wf_struct *sd, const void *obj)
{
	touch(obj, sd->size);
	for (uint16_t i = 0; i < sd->nfields; i++)
		walk_field(&sd->fields[i], obj);
}

static void decode_walk(const struct wf_struct *sd, const struct nlattr *a)
{
	void *p;
	size_t psize;

	if (a && wf_decode(sd, a, &p, &psize) == 0) {
		walk(sd, p);
		wf_free_secret(p, psize);
	}
}

/* Every schema a reply's entry or object may be decoded with. */
static const struct wf_struct *const entry_schemas[] = {
	&wf_IPSEC_SA_CONTEXT1, &wf_IPSEC_SA_DETAILS1, &wf_IPSEC_SA_CONTEXT_SUBSCRIPTION0,
	&wf_FWPM_SESSION0, &wf_FWPM_PROVIDER0, &wf_FWPM_SUBLAYER0, &wf_FWPM_FILTER0,
	&wf_FWPM_PROVIDER_CONTEXT1, &wf_FWPM_PROVIDER_CONTEXT0,
	&wf_FWPM_PROVIDER_SUBSCRIPTION0, &wf_FWPM_SUBLAYER_SUBSCRIPTION0,
	&wf_FWPM_FILTER_SUBSCRIPTION0, &wf_FWPM_PROVIDER_CONTEXT_SUBSCRIPTION0,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_attrs m;
	const struct nlattr *a;
	void *copy;

	if (size > FWPD_MSG_MAX)
		return 0;
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	if (msg_parse(copy, size, &m) == 0) {
		decode_walk(&wf_IPSEC_SA_CONTEXT1, m.a[FWPD_A_CONTEXT]);
		for (size_t i = 0; i < sizeof(entry_schemas) / sizeof(entry_schemas[0]); i++)
			decode_walk(entry_schemas[i], m.a[FWPD_A_OBJECT]);
		mnl_attr_for_each(a, m.nlh, 0) {
			if (mnl_attr_get_type(a) != FWPD_A_ENTRY)
				continue;
			for (size_t i = 0; i < sizeof(entry_schemas) / sizeof(entry_schemas[0]); i++)
				decode_walk(entry_schemas[i], a);
		}
		decode_walk(&wf_FWPM_SESSION0, m.a[FWPD_A_SESSION]);
		decode_walk(&wf_FWPM_NET_EVENT_SUBSCRIPTION0, m.a[FWPD_A_NET_SUBSCRIPTION]);
		/* Raw records: the library copies sizeof bytes, which msg_parse
		 * must have checked are there. */
		if (m.a[FWPD_A_NET_EVENT]) {
			struct fwp_net_event ev;

			memcpy(&ev, mnl_attr_get_payload(m.a[FWPD_A_NET_EVENT]), sizeof(ev));
			sink += net_event_valid(&ev);
		}
		if (m.a[FWPD_A_EVENT])
			touch(mnl_attr_get_payload(m.a[FWPD_A_EVENT]),
			      sizeof(FWPX_SA_CONTEXT_EVENT0));
		if (m.a[FWPD_A_STATS])
			touch(mnl_attr_get_payload(m.a[FWPD_A_STATS]), sizeof(IPSEC_STATISTICS1));
		for (int t = FWPD_A_COUNTERS_IN; t <= FWPD_A_COUNTERS_OUT; t++)
			if (m.a[t])
				touch(mnl_attr_get_payload(m.a[t]), sizeof(FWPX_SA_COUNTERS0));
		if (m.a[FWPD_A_STATS_EXT])
			touch(mnl_attr_get_payload(m.a[FWPD_A_STATS_EXT]), sizeof(FWPX_STATISTICS0));
		if (m.a[FWPD_A_SA_INFO])
			touch(mnl_attr_get_payload(m.a[FWPD_A_SA_INFO]),
			      sizeof(FWPX_SA_CONTEXT_INFO0));
	}
	free(copy);
	return 0;
}
