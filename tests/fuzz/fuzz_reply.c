/* fuzz_reply.c - the client library's reply path on hostile input: a
 * datagram as the service transport receives it, checked by msg_parse and
 * every result attribute decoded with the schema the library would use.
 * Decoded blocks are walked (every pointer dereferenced) so that a
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

static void walk_details(const IPSEC_SA_DETAILS1 *d)
{
	if (!d)
		return;
	touch(d, sizeof(*d));
	for (UINT32 i = 0; i < d->saBundle.numSAs; i++) {
		const IPSEC_SA0 *sa = &d->saBundle.saList[i];

		touch(sa, sizeof(*sa));
		if (sa->saTransformType == IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER &&
		    sa->espAuthAndCipherInformation) {
			const FWP_BYTE_BLOB *k = &sa->espAuthAndCipherInformation
							  ->saCipherInformation.cipherKey;

			touch(k->data, k->size);
		}
	}
	if (d->saBundle.keyModuleState)
		touch(d->saBundle.keyModuleState->stateBlob.data,
		      d->saBundle.keyModuleState->stateBlob.size);
	if (d->saBundle.ipsecId) {
		const IPSEC_ID0 *id = d->saBundle.ipsecId;

		if (id->mmTargetName)
			sink += (unsigned)wcslen(id->mmTargetName);
		touch(id->tokens, id->numTokens * sizeof(*id->tokens));
	}
	if (d->udpEncapsulation)
		touch(d->udpEncapsulation, sizeof(*d->udpEncapsulation));
	if (d->transportFilter) {
		touch(d->transportFilter->filterCondition,
		      d->transportFilter->numFilterConditions * sizeof(FWPM_FILTER_CONDITION0));
		if (d->transportFilter->displayData.name)
			sink += (unsigned)wcslen(d->transportFilter->displayData.name);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_attrs m;
	const struct nlattr *a;
	void *copy, *p;
	size_t psize;

	if (size > FWPD_MSG_MAX)
		return 0;
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	if (msg_parse(copy, size, &m) == 0) {
		if (m.a[FWPD_A_CONTEXT] &&
		    wf_decode(&wf_IPSEC_SA_CONTEXT1, m.a[FWPD_A_CONTEXT], &p, &psize) == 0) {
			IPSEC_SA_CONTEXT1 *c = p;

			walk_details(c->inboundSa);
			walk_details(c->outboundSa);
			wf_free_secret(p, psize);
		}
		mnl_attr_for_each(a, m.nlh, 0) {
			if (mnl_attr_get_type(a) != FWPD_A_ENTRY)
				continue;
			if (wf_decode(&wf_IPSEC_SA_DETAILS1, a, &p, &psize) == 0) {
				walk_details(p);
				wf_free_secret(p, psize);
			}
			if (wf_decode(&wf_IPSEC_SA_CONTEXT_SUBSCRIPTION0, a, &p, &psize) == 0)
				wf_free_secret(p, psize);
		}
		if (m.a[FWPD_A_SESSION] &&
		    wf_decode(&wf_FWPM_SESSION0, m.a[FWPD_A_SESSION], &p, &psize) == 0)
			wf_free_secret(p, psize);
		/* A pushed net event: the raw record, checked as the library
		 * checks it; a subscription, decoded as fwpd decodes it. */
		if (m.a[FWPD_A_NET_EVENT] &&
		    mnl_attr_get_payload_len(m.a[FWPD_A_NET_EVENT]) == sizeof(struct fwp_net_event)) {
			struct fwp_net_event ev;

			memcpy(&ev, mnl_attr_get_payload(m.a[FWPD_A_NET_EVENT]), sizeof(ev));
			sink += net_event_valid(&ev);
		}
		/* Counters travel raw: the library reads sizeof bytes, which
		 * msg_parse must have checked are there. */
		for (int t = FWPD_A_COUNTERS_IN; t <= FWPD_A_COUNTERS_OUT; t++)
			if (m.a[t])
				touch(mnl_attr_get_payload(m.a[t]), sizeof(FWPX_SA_COUNTERS0));
		if (m.a[FWPD_A_NET_SUBSCRIPTION] &&
		    wf_decode(&wf_FWPM_NET_EVENT_SUBSCRIPTION0, m.a[FWPD_A_NET_SUBSCRIPTION],
			      &p, &psize) == 0) {
			const FWPM_NET_EVENT_SUBSCRIPTION0 *ns = p;

			if (ns->enumTemplate)
				touch(ns->enumTemplate->filterCondition,
				      ns->enumTemplate->numFilterConditions *
				      sizeof(FWPM_FILTER_CONDITION0));
			wf_free_secret(p, psize);
		}
	}
	free(copy);
	return 0;
}
