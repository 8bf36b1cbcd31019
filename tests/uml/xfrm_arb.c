/* xfrm_arb.c - run inside user-mode Linux (add_uml_test), in a network
 * namespace of its own: the xfrm backend's block policies follow the
 * classifier's arbitration (src/datapath/xfrm/xfrm_block.c). In process
 * (FWP_DATAPATH=xfrm), filters are added and deleted step by step, and
 * after each step the kernel's policies (`ip xfrm policy`) are checked:
 *  1. BLOCK, remote 10.9.0.0/16, UDP, remote ports 1000-1005: two block
 *     policies (1000/0xfffc, 1004/0xfffe) above the SAs' (priority 16382);
 *  2. an IPsec transport filter of the same sublayer and higher weight on
 *     10.9.1.0/24: its trap (16385), and the block moves below it (16387);
 *     a trap keeps its filter's protocol and ports;
 *  3. a PERMIT of the same sublayer and higher weight on 10.9.2.0/24: a
 *     bypass for the common traffic just above the block (16386);
 *  4. a BLOCK of another sublayer on 10.9.2.0/24: the bypass would open
 *     it, so it goes (the permit's soft result never beats another
 *     sublayer's block);
 *  5. across sublayers, in the classifier's order (sublayer weight, then
 *     the sublayer added first): the IPsec filter of step 2 moved to a
 *     heavier sublayer decides, the block goes below it; with another
 *     IPsec filter in a lighter sublayer too, one priority cannot express
 *     both: above (fail closed); the lighter one alone: the block above,
 *     its trap below; equal sublayer weights: the sublayer added first
 *     comes first; per selector: one port block below a heavier
 *     sublayer's IPsec filter, the other above a lighter one's;
 *  5t. the kernel hears a transaction's filters at its commit: an IPsec
 *     filter added in a transaction has no trap before the commit or
 *     after an abort; a deletion aborted leaves the trap, and so does a
 *     replacement by another filter of the same traffic;
 *  6. a BLOCK with a condition the classifier does not evaluate: no policy;
 *     BLOCK filters at the inbound transport and the forward layer: block
 *     policies in and fwd;
 *  7. every filter deleted: no policy left.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fwpmu.h>

static HANDLE h;
static GUID layer;	/* where add() puts its filter */
static GUID provider, sl_a, sl_b, sl_c, sl_e, sl_f;
static int failures;

static GUID guid(unsigned n)
{
	GUID g = { 0x6a1e0000u + n, 0x1234, 0x5678, { 1, 2, 3, 4, 5, 6, 7, (unsigned char)n } };

	return g;
}

/* The kernel's policies, one per line (`ip xfrm policy` prints each on
 * several lines), bypasses of the backend's own (neighbour discovery) left
 * out. */
static char *policies(void)
{
	static char out[16384];
	char line[512];
	FILE *p = popen("ip xfrm policy", "r");
	size_t n = 0;

	out[0] = 0;
	if (!p)
		return out;
	while (fgets(line, sizeof(line), p)) {
		size_t l = strlen(line);

		if (l && line[l - 1] == '\n')
			line[--l] = ' ';
		if (n + l + 2 >= sizeof(out))
			break;
		if (line[0] != ' ' && line[0] != '\t' && n)
			out[n++] = '\n';
		{
			memcpy(out + n, line, l);
			n += l;
		}
	}
	out[n] = 0;
	pclose(p);
	return out;
}

/* How many policies contain every one of the strings. */
static int count(const char *a, const char *b)
{
	char *all = strdup(policies()), *save = NULL;
	int n = 0;

	for (char *l = strtok_r(all, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (strstr(l, a) && (!b || strstr(l, b)))
			n++;
	free(all);
	return n;
}

static void expect(const char *what, int got, int want)
{
	if (got == want) {
		printf("ok: %s (%d)\n", what, got);
		return;
	}
	printf("FAIL: %s: %d, not %d\n--- ip xfrm policy:\n%s\n", what, got, want, policies());
	failures++;
}

static void check(const char *what, DWORD rc)
{
	if (rc) {
		printf("FAIL: %s: 0x%08lx\n", what, (unsigned long)rc);
		exit(1);
	}
}

struct filter {
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c[4];
	FWP_V4_ADDR_AND_MASK m;
	FWP_RANGE0 r;
};

/* An outbound filter on remote prefix 10.9.X.0/plen; UDP and remote ports
 * lo..hi when lo. */
static UINT64 add(const GUID *sl, UINT8 weight, UINT32 action, const GUID *callout,
		  unsigned x, unsigned plen, UINT16 lo, UINT16 hi, bool odd)
{
	struct filter p;
	UINT64 id = 0;
	unsigned n = 0;

	memset(&p, 0, sizeof(p));
	p.f.displayData.name = L"xfrm_arb";
	p.f.providerKey = &provider;
	p.f.layerKey = layer;
	p.f.subLayerKey = *sl;
	p.f.weight.type = FWP_UINT8;
	p.f.weight.uint8 = weight;
	p.f.action.type = action;
	if (callout)
		p.f.action.calloutKey = *callout;
	p.m.addr = 0x0a090000u | x << 8;
	p.m.mask = plen ? ~0u << (32 - plen) : 0;
	/* The forward layer names its addresses by direction. */
	p.c[n].fieldKey = memcmp(&layer, &FWPM_LAYER_IPFORWARD_V4, sizeof(GUID)) ?
			  FWPM_CONDITION_IP_REMOTE_ADDRESS : FWPM_CONDITION_IP_DESTINATION_ADDRESS;
	p.c[n].matchType = FWP_MATCH_EQUAL;
	p.c[n].conditionValue.type = FWP_V4_ADDR_MASK;
	p.c[n++].conditionValue.v4AddrMask = &p.m;
	if (lo) {
		p.c[n].fieldKey = FWPM_CONDITION_IP_PROTOCOL;
		p.c[n].matchType = FWP_MATCH_EQUAL;
		p.c[n].conditionValue.type = FWP_UINT8;
		p.c[n++].conditionValue.uint8 = IPPROTO_UDP;
		p.c[n].fieldKey = FWPM_CONDITION_IP_REMOTE_PORT;
		p.c[n].matchType = FWP_MATCH_RANGE;
		p.c[n].conditionValue.type = FWP_RANGE_TYPE;
		p.r.valueLow.type = p.r.valueHigh.type = FWP_UINT16;
		p.r.valueLow.uint16 = lo;
		p.r.valueHigh.uint16 = hi;
		p.c[n++].conditionValue.rangeValue = &p.r;
	}
	if (odd) {	/* a condition the classifier does not evaluate */
		p.c[n].fieldKey = FWPM_CONDITION_IP_LOCAL_INTERFACE;
		p.c[n].matchType = FWP_MATCH_EQUAL;
		p.c[n].conditionValue.type = FWP_UINT64;
		p.c[n++].conditionValue.uint64 = &p.f.filterId;
	}
	p.f.numFilterConditions = n;
	p.f.filterCondition = p.c;
	check("FwpmFilterAdd0", FwpmFilterAdd0(h, &p.f, NULL, &id));
	return id;
}

static void sublayer(const GUID *key, UINT16 weight)
{
	FWPM_SUBLAYER0 sl;

	memset(&sl, 0, sizeof(sl));
	sl.subLayerKey = *key;
	sl.displayData.name = L"xfrm_arb";
	sl.providerKey = &provider;
	sl.weight = weight;
	check("FwpmSubLayerAdd0", FwpmSubLayerAdd0(h, &sl, NULL));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xfrm_arb bench N: the cost of N disjoint BLOCK filters (each with two
 * port blocks) added, then deleted, one by one; no assertion. */
static int bench(unsigned n)
{
	UINT64 *id = calloc(n, sizeof(*id));
	double t0, t1, t2;

	if (!id)
		return 1;
	t0 = now();
	for (unsigned i = 0; i < n; i++)
		id[i] = add(&sl_a, 5, FWP_ACTION_BLOCK, NULL, i % 256, 24, 1000, 1005, false);
	t1 = now();
	for (unsigned i = 0; i < n; i++)
		check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, id[n - 1 - i]));
	t2 = now();
	printf("%u BLOCK filters (%u block policies): add %.0f us each, delete %.0f us each\n",
	       n, 2 * n, (t1 - t0) / n * 1e6, (t2 - t1) / n * 1e6);
	free(id);
	FwpmEngineClose0(h);
	return 0;
}

int main(int argc, char **argv)
{
	FWPM_PROVIDER0 pr;
	UINT64 b, c, t, p, b2, odd, in, fwd, lo;
	const GUID *ipsec = &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4;

	check("FwpmEngineOpen0", FwpmEngineOpen0(NULL, RPC_C_AUTHN_DEFAULT, NULL, NULL, &h));
	layer = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	provider = guid(1);
	sl_a = guid(2);
	sl_b = guid(3);
	sl_c = guid(4);
	sl_e = guid(5);
	sl_f = guid(6);
	memset(&pr, 0, sizeof(pr));
	pr.providerKey = provider;
	pr.displayData.name = L"xfrm_arb";
	check("FwpmProviderAdd0", FwpmProviderAdd0(h, &pr, NULL));
	sublayer(&sl_e, 0x100);	/* sl_a's weight, added before it */
	sublayer(&sl_a, 0x100);
	sublayer(&sl_b, 0x200);
	sublayer(&sl_c, 0x080);
	sublayer(&sl_f, 0x100);	/* sl_a's weight, added after it */
	if (argc == 3 && !strcmp(argv[1], "bench"))
		return bench((unsigned)atoi(argv[2]));

	b = add(&sl_a, 5, FWP_ACTION_BLOCK, NULL, 0, 16, 1000, 1005, false);
	expect("1. block policies above the SAs'", count("action block priority 16382", NULL), 2);
	expect("1. ports 1000-1003 as one", count("dport 1000", "action block"), 1);
	expect("1. ports 1004-1005 as one", count("dport 1004", "action block"), 1);

	c = add(&sl_a, 9, FWP_ACTION_CALLOUT_TERMINATING, ipsec, 1, 24, 0, 0, false);
	expect("2. the IPsec filter's trap", count("dst 10.9.1.0/24", "priority 16385"), 1);
	expect("2. block below the trap", count("action block priority 16387", NULL), 2);

	t = add(&sl_a, 9, FWP_ACTION_CALLOUT_TERMINATING, ipsec, 3, 24, 2000, 2001, false);
	expect("2. a trap keeps the filter's protocol and ports",
	       count("dst 10.9.3.0/24 proto udp dport 2000", "priority 16385"), 1);
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, t));
	expect("2. and goes with it", count("dst 10.9.3.0/24", NULL), 0);

	p = add(&sl_a, 12, FWP_ACTION_PERMIT, NULL, 2, 24, 0, 0, false);
	expect("3. the permit's bypass", count("dst 10.9.2.0/24", "dir out priority 16386"),
	       2);
	expect("3. the block stays", count("action block priority 16387", NULL), 2);

	b2 = add(&sl_b, 1, FWP_ACTION_BLOCK, NULL, 2, 24, 0, 0, false);
	expect("4. no bypass over another sublayer's block", count("dir out priority 16386",
								   NULL), 0);
	expect("4. that block", count("dst 10.9.2.0/24", "action block priority 16382"), 1);

	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, c));
	c = add(&sl_b, 9, FWP_ACTION_CALLOUT_TERMINATING, ipsec, 1, 24, 0, 0, false);
	expect("5. a heavier sublayer's IPsec filter decides: block below it",
	       count("dst 10.9.0.0/16", "action block priority 16387"), 2);
	lo = add(&sl_c, 9, FWP_ACTION_CALLOUT_TERMINATING, ipsec, 4, 24, 0, 0, false);
	expect("5. and a lighter one's too: block above (fail closed)",
	       count("dst 10.9.0.0/16", "action block priority 16382"), 2);
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, c));
	expect("5. the lighter one's alone: block above",
	       count("dst 10.9.0.0/16", "action block priority 16382"), 2);
	expect("5. its trap below", count("dst 10.9.4.0/24", "priority 16385"), 1);
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, lo));
	c = add(&sl_e, 1, FWP_ACTION_CALLOUT_TERMINATING, ipsec, 1, 24, 0, 0, false);
	expect("5. equal sublayer weights, sublayer added first: block below",
	       count("dst 10.9.0.0/16", "action block priority 16387"), 2);
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, c));
	c = add(&sl_f, 15, FWP_ACTION_CALLOUT_TERMINATING, ipsec, 1, 24, 0, 0, false);
	expect("5. equal sublayer weights, sublayer added after: block above",
	       count("dst 10.9.0.0/16", "action block priority 16382"), 2);
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, c));
	c = add(&sl_b, 9, FWP_ACTION_CALLOUT_TERMINATING, ipsec, 5, 24, 1000, 1003, false);
	lo = add(&sl_c, 9, FWP_ACTION_CALLOUT_TERMINATING, ipsec, 5, 24, 1004, 1005, false);
	expect("5. per selector: ports 1000-1003 below the heavier one",
	       count("dport 1000", "action block priority 16387"), 1);
	expect("5. per selector: ports 1004-1005 above the lighter one",
	       count("dport 1004", "action block priority 16382"), 1);
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, lo));
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, c));

	check("FwpmTransactionBegin0", FwpmTransactionBegin0(h, 0));
	t = add(&sl_a, 9, FWP_ACTION_CALLOUT_TERMINATING, ipsec, 6, 24, 0, 0, false);
	expect("5t. no trap before the commit", count("dst 10.9.6.0/24", NULL), 0);
	check("FwpmTransactionAbort0", FwpmTransactionAbort0(h));
	expect("5t. nor after an abort", count("dst 10.9.6.0/24", NULL), 0);
	check("FwpmTransactionBegin0", FwpmTransactionBegin0(h, 0));
	t = add(&sl_a, 9, FWP_ACTION_CALLOUT_TERMINATING, ipsec, 6, 24, 0, 0, false);
	expect("5t. still none before the commit", count("dst 10.9.6.0/24", NULL), 0);
	check("FwpmTransactionCommit0", FwpmTransactionCommit0(h));
	expect("5t. the trap from the commit", count("dst 10.9.6.0/24", "priority 16385"), 1);
	check("FwpmTransactionBegin0", FwpmTransactionBegin0(h, 0));
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, t));
	expect("5t. deleted in a transaction: the trap stays",
	       count("dst 10.9.6.0/24", "priority 16385"), 1);
	check("FwpmTransactionAbort0", FwpmTransactionAbort0(h));
	expect("5t. and after its abort", count("dst 10.9.6.0/24", "priority 16385"), 1);
	/* Replaced in one transaction: the new trap comes before the old
	 * one goes, and the policy they share stays. */
	check("FwpmTransactionBegin0", FwpmTransactionBegin0(h, 0));
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, t));
	t = add(&sl_a, 7, FWP_ACTION_CALLOUT_TERMINATING, ipsec, 6, 24, 0, 0, false);
	check("FwpmTransactionCommit0", FwpmTransactionCommit0(h));
	expect("5t. replaced in a transaction: the trap stays",
	       count("dst 10.9.6.0/24", "priority 16385"), 1);
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, t));
	expect("5t. deleted: gone", count("dst 10.9.6.0/24", NULL), 0);

	odd = add(&sl_a, 3, FWP_ACTION_BLOCK, NULL, 7, 24, 0, 0, true);
	expect("6. not a policy", count("dst 10.9.7.0/24", NULL), 0);

	layer = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	in = add(&sl_a, 5, FWP_ACTION_BLOCK, NULL, 8, 24, 0, 0, false);
	layer = FWPM_LAYER_IPFORWARD_V4;
	fwd = add(&sl_a, 5, FWP_ACTION_BLOCK, NULL, 9, 24, 0, 0, false);
	expect("6. inbound: from the remote prefix", count("src 10.9.8.0/24 dst 0.0.0.0/0",
							  "dir in action block"), 1);
	expect("6. forward: to the destination prefix", count("dst 10.9.9.0/24",
							     "dir fwd action block"), 1);
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, in));
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, fwd));
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, odd));
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, b2));
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, p));
	check("FwpmFilterDeleteById0", FwpmFilterDeleteById0(h, b));
	expect("7. nothing left", count("dst 10.9.", NULL), 0);
	FwpmEngineClose0(h);
	return failures ? 1 : 0;
}
