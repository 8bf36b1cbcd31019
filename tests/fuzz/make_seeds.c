/* make_seeds.c - writes seed corpora for the fuzz targets: one file per
 * well-formed request (fuzz_request) and reply (fuzz_reply), encoded by
 * the real codec, so fuzzing starts from the shapes the protocol uses.
 * Usage: make_seeds REQUEST_DIR REPLY_DIR */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <fwpx.h>

#include "engine/net_event.h"
#include "wire/codec.h"
#include "wire/message.h"

static unsigned char buf[FWPD_MSG_MAX];
static const UINT8 key[36] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
			       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
			       31, 32, 33, 34, 35, 36 };

static int save(const char *dir, const char *name, const struct nlmsghdr *nlh)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(nlh, 1, nlh->nlmsg_len, f) != nlh->nlmsg_len) {
		perror(path);
		return 1;
	}
	return fclose(f) != 0;
}

static void mkdir_p(const char *path)
{
	char tmp[512];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(tmp, 0755);
			*p = '/';
		}
	}
	mkdir(tmp, 0755);
}

static IPSEC_TRAFFIC1 traffic(void)
{
	IPSEC_TRAFFIC1 t;

	memset(&t, 0, sizeof(t));
	t.ipVersion = FWP_IP_VERSION_V4;
	t.localV4Address = 0xC0000201;
	t.remoteV4Address = 0xC0000202;
	t.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	return t;
}

int main(int argc, char **argv)
{
	const char *rq, *rp;
	struct nlmsghdr *nlh;
	IPSEC_TRAFFIC1 t = traffic();
	IPSEC_GETSPI1 g;
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 aci;
	IPSEC_SA_AUTH_INFORMATION0 ai;
	IPSEC_SA0 sas[2];
	IPSEC_KEYMODULE_STATE0 km = { { 1, 2, 3, { 4 } }, { 3, (UINT8 *)"abc" } };
	IPSEC_TOKEN0 tok = { IPSEC_TOKEN_TYPE_MACHINE, IPSEC_TOKEN_PRINCIPAL_PEER,
			     IPSEC_TOKEN_MODE_MAIN, 42 };
	IPSEC_ID0 id = { L"mm-target", NULL, 1, &tok, 0, 0 };
	IPSEC_SA_BUNDLE1 b;
	IPSEC_V4_UDP_ENCAPSULATION0 encap = { 4500, 4500 };
	IPSEC_SA_DETAILS1 in, out;
	IPSEC_SA_CONTEXT1 ctx;
	FWP_V4_ADDR_AND_MASK v4 = { 0xC0000200, 0xFFFFFF00 };
	FWP_V6_ADDR_AND_MASK v6 = { { 0x20, 0x01, 0x0d, 0xb8 }, 32 };
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl;
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
	FWP_RANGE0 ports = { { FWP_UINT16, { .uint16 = 1000 } },
			     { FWP_UINT16, { .uint16 = 2000 } } };
	FWP_BYTE_ARRAY16 peer6 = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };
	FWPM_FILTER_CONDITION0 nconds[5];
	FWPM_NET_EVENT_ENUM_TEMPLATE0 ntmpl;
	FWPM_NET_EVENT_SUBSCRIPTION0 nsub;
	struct fwp_net_event nev;
	FWPX_SA_COUNTERS0 ctr;
	FWPM_SESSION0 session;
	struct nlattr *nest;
	int err = 0;

	if (argc != 3)
		return 2;
	rq = argv[1];
	rp = argv[2];
	mkdir_p(rq);
	mkdir_p(rp);

	memset(&session, 0, sizeof(session));
	session.displayData.name = L"seed";
	nlh = msg_start(buf, FWPD_OP_OPEN, 1);
	msg_put_u32(nlh, FWPD_A_VERSION, FWPD_PROTOCOL_VERSION);
	wf_put(nlh, FWPD_MSG_MAX, FWPD_A_SESSION, &wf_FWPM_SESSION0, &session);
	err |= save(rq, "open", nlh);

	nlh = msg_start(buf, FWPD_OP_SA_CREATE, 2);
	wf_put(nlh, FWPD_MSG_MAX, FWPD_A_TRAFFIC, &wf_IPSEC_TRAFFIC1, &t);
	err |= save(rq, "create", nlh);

	memset(&g, 0, sizeof(g));
	g.inboundIpsecTraffic = t;
	g.inboundUdpEncapsulation = &encap;
	nlh = msg_start(buf, FWPD_OP_SA_SET_SPI, 3);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	msg_put_u32(nlh, FWPD_A_SPI, 0x1234);
	wf_put(nlh, FWPD_MSG_MAX, FWPD_A_GETSPI, &wf_IPSEC_GETSPI1, &g);
	err |= save(rq, "setspi", nlh);

	memset(&aci, 0, sizeof(aci));
	aci.saCipherInformation.cipherTransform.cipherTransformId =
		IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128;
	aci.saCipherInformation.cipherKey.size = 20;
	aci.saCipherInformation.cipherKey.data = (UINT8 *)key;
	aci.saAuthInformation.authTransform.authTransformId = IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128;
	memset(&ai, 0, sizeof(ai));
	ai.authTransform.authTransformId = IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_256_128;
	ai.authKey.size = 32;
	ai.authKey.data = (UINT8 *)key;
	memset(sas, 0, sizeof(sas));
	sas[0].spi = 0x1234;
	sas[0].saTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	sas[0].espAuthAndCipherInformation = &aci;
	sas[1].spi = 0x1234;
	sas[1].saTransformType = IPSEC_TRANSFORM_AH;
	sas[1].ahInformation = &ai;
	memset(&b, 0, sizeof(b));
	b.numSAs = 2;
	b.saList = sas;
	b.keyModuleState = &km;
	b.ipsecId = &id;
	b.lifetime.lifetimeSeconds = 3600;
	nlh = msg_start(buf, FWPD_OP_SA_ADD, 4);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	msg_put_u32(nlh, FWPD_A_DIRECTION, FWP_DIRECTION_INBOUND);
	wf_put(nlh, FWPD_MSG_MAX, FWPD_A_BUNDLE, &wf_IPSEC_SA_BUNDLE1, &b);
	err |= save(rq, "add", nlh);

	nlh = msg_start(buf, FWPD_OP_SA_UPDATE, 5);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	msg_put_u64(nlh, FWPD_A_FLAGS, 0x7f);
	nest = mnl_attr_nest_start(nlh, FWPD_A_UPDATE_IN);
	wf_put(nlh, FWPD_MSG_MAX, FWPD_U_TRAFFIC, &wf_IPSEC_TRAFFIC1, &t);
	msg_put_raw(nlh, FWPD_U_ENCAP, &encap, sizeof(encap));
	msg_put_u32(nlh, FWPD_U_BUNDLE_FLAGS, 0x800);
	msg_put_u32(nlh, FWPD_U_NAP_CONTEXT, 9);
	wf_put(nlh, FWPD_MSG_MAX, FWPD_U_KEYMOD, &wf_IPSEC_KEYMODULE_STATE0, &km);
	msg_put_u32(nlh, FWPD_U_PEER_V4, 0x0A000001);
	msg_put_u64(nlh, FWPD_U_MM_SA_ID, 77);
	mnl_attr_nest_end(nlh, nest);
	err |= save(rq, "update", nlh);

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.localSubNet.type = FWP_V4_ADDR_MASK;
	tmpl.localSubNet.v4AddrMask = &v4;
	tmpl.remoteSubNet.type = FWP_V6_ADDR_MASK;
	tmpl.remoteSubNet.v6AddrMask = &v6;
	nlh = msg_start(buf, FWPD_OP_SA_ENUM_CREATE, 6);
	wf_put(nlh, FWPD_MSG_MAX, FWPD_A_CTX_TEMPLATE, &wf_IPSEC_SA_CONTEXT_ENUM_TEMPLATE0, &tmpl);
	err |= save(rq, "enum_create", nlh);

	nlh = msg_start(buf, FWPD_OP_SA_ENUM, 7);
	msg_put_u64(nlh, FWPD_A_HANDLE, 1);
	msg_put_u32(nlh, FWPD_A_COUNT, 100);
	err |= save(rq, "enum", nlh);

	memset(&sub, 0, sizeof(sub));
	sub.enumTemplate = &tmpl;
	nlh = msg_start(buf, FWPD_OP_SUBSCRIBE, 8);
	msg_put_u32(nlh, FWPD_A_MASK, 0x1f);
	msg_put_u64(nlh, FWPD_A_COOKIE, 1);
	wf_put(nlh, FWPD_MSG_MAX, FWPD_A_SUBSCRIPTION, &wf_IPSEC_SA_CONTEXT_SUBSCRIPTION0, &sub);
	err |= save(rq, "subscribe", nlh);

	nlh = msg_start(buf, FWPD_OP_STATISTICS, 9);
	err |= save(rq, "stats", nlh);

	/* Net events: a template with every kind of condition. */
	memset(nconds, 0, sizeof(nconds));
	nconds[0].fieldKey = FWPM_CONDITION_IP_PROTOCOL;
	nconds[0].conditionValue.type = FWP_UINT8;
	nconds[0].conditionValue.uint8 = 17;
	nconds[1].fieldKey = FWPM_CONDITION_IP_LOCAL_PORT;
	nconds[1].matchType = FWP_MATCH_RANGE;
	nconds[1].conditionValue.type = FWP_RANGE_TYPE;
	nconds[1].conditionValue.rangeValue = &ports;
	nconds[2].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	nconds[2].conditionValue.type = FWP_V4_ADDR_MASK;
	nconds[2].conditionValue.v4AddrMask = &v4;
	nconds[3].fieldKey = FWPM_CONDITION_IP_LOCAL_ADDRESS;
	nconds[3].conditionValue.type = FWP_V6_ADDR_MASK;
	nconds[3].conditionValue.v6AddrMask = &v6;
	nconds[4].fieldKey = FWPM_CONDITION_IP_REMOTE_PORT;
	nconds[4].conditionValue.type = FWP_UINT16;
	nconds[4].conditionValue.uint16 = 500;
	memset(&ntmpl, 0, sizeof(ntmpl));
	ntmpl.numFilterConditions = 5;
	ntmpl.filterCondition = nconds;
	memset(&nsub, 0, sizeof(nsub));
	nsub.enumTemplate = &ntmpl;
	nlh = msg_start(buf, FWPD_OP_NET_SUBSCRIBE, 13);
	msg_put_u64(nlh, FWPD_A_COOKIE, 2);
	wf_put(nlh, FWPD_MSG_MAX, FWPD_A_NET_SUBSCRIPTION, &wf_FWPM_NET_EVENT_SUBSCRIPTION0, &nsub);
	err |= save(rq, "net_subscribe", nlh);

	nconds[0].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	nconds[0].conditionValue.type = FWP_BYTE_ARRAY16_TYPE;
	nconds[0].conditionValue.byteArray16 = &peer6;
	ntmpl.numFilterConditions = 1;
	nlh = msg_start(buf, FWPD_OP_NET_SUBSCRIBE, 16);
	msg_put_u64(nlh, FWPD_A_COOKIE, 3);
	wf_put(nlh, FWPD_MSG_MAX, FWPD_A_NET_SUBSCRIPTION, &wf_FWPM_NET_EVENT_SUBSCRIPTION0, &nsub);
	err |= save(rq, "net_subscribe_v6", nlh);

	nlh = msg_start(buf, FWPD_OP_NET_UNSUBSCRIBE, 14);
	msg_put_u64(nlh, FWPD_A_HANDLE, 1);
	err |= save(rq, "net_unsubscribe", nlh);

	memset(&nev, 0, sizeof(nev));
	nev.flags = FWPM_NET_EVENT_FLAG_IP_PROTOCOL_SET | FWPM_NET_EVENT_FLAG_LOCAL_ADDR_SET |
		    FWPM_NET_EVENT_FLAG_REMOTE_ADDR_SET | FWPM_NET_EVENT_FLAG_IP_VERSION_SET;
	nev.ip_version = FWP_IP_VERSION_V4;
	nev.ip_protocol = 17;
	nev.local.v4 = 0xC0000201;
	nev.remote.v4 = 0x0A010203;
	nev.type = FWPM_NET_EVENT_TYPE_CLASSIFY_DROP;
	nev.classify_drop.filterId = 0x10001;
	nlh = msg_start(buf, FWPD_OP_TEST_NET_RAISE, 15);
	msg_put_raw(nlh, FWPD_A_NET_EVENT, &nev, sizeof(nev));
	msg_put_u32(nlh, FWPD_A_COUNT, 1);
	err |= save(rq, "test_net_raise", nlh);

	nlh = msg_start(buf, FWPD_OP_SA_COUNTERS, 17);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	err |= save(rq, "sa_counters", nlh);

	/* Replies. */
	memset(&in, 0, sizeof(in));
	in.traffic = t;
	in.saBundle = b;
	in.udpEncapsulation = &encap;
	out = in;
	out.saDirection = FWP_DIRECTION_OUTBOUND;
	ctx.saContextId = 1;
	ctx.inboundSa = &in;
	ctx.outboundSa = &out;
	nlh = msg_start(buf, FWPD_MSG_REPLY, 10);
	msg_put_u32(nlh, FWPD_A_RESULT, 0);
	wf_put(nlh, FWPD_MSG_MAX, FWPD_A_CONTEXT, &wf_IPSEC_SA_CONTEXT1, &ctx);
	err |= save(rp, "get", nlh);

	nlh = msg_start(buf, FWPD_MSG_REPLY, 11);
	msg_put_u32(nlh, FWPD_A_RESULT, 0);
	wf_put(nlh, FWPD_MSG_MAX, FWPD_A_ENTRY, &wf_IPSEC_SA_DETAILS1, &in);
	wf_put(nlh, FWPD_MSG_MAX, FWPD_A_ENTRY, &wf_IPSEC_SA_DETAILS1, &out);
	msg_put_u32(nlh, FWPD_A_MORE, 1);
	err |= save(rp, "enum_page", nlh);

	nlh = msg_start(buf, FWPD_MSG_REPLY, 12);
	msg_put_u32(nlh, FWPD_A_RESULT, 0);
	wf_put(nlh, FWPD_MSG_MAX, FWPD_A_ENTRY, &wf_IPSEC_SA_CONTEXT_SUBSCRIPTION0, &sub);
	err |= save(rp, "subscriptions", nlh);

	memset(&ctr, 0, sizeof(ctr));
	ctr.packets = 10;
	ctr.bytes = 15000;
	ctr.lastUseMs = 123456;
	ctr.flags = FWPX_SA_COUNTERS_FLAG_LIVE;
	nlh = msg_start(buf, FWPD_MSG_REPLY, 17);
	msg_put_u32(nlh, FWPD_A_RESULT, 0);
	msg_put_raw(nlh, FWPD_A_COUNTERS_IN, &ctr, sizeof(ctr));
	msg_put_raw(nlh, FWPD_A_COUNTERS_OUT, &ctr, sizeof(ctr));
	err |= save(rp, "sa_counters", nlh);

	/* The pushed net event (the service's message, read by the library). */
	nlh = msg_start(buf, FWPD_MSG_NET_EVENT, 0);
	msg_put_u64(nlh, FWPD_A_COOKIE, 2);
	msg_put_raw(nlh, FWPD_A_NET_EVENT, &nev, sizeof(nev));
	err |= save(rp, "net_event", nlh);
	return err;
}
