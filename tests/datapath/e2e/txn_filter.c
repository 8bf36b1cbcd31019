/* txn_filter.c - filters added and deleted inside a transaction, step by
 * step, so that a test can look at the datapath between the steps.
 * Commands on stdin, one per line, each answered "ok [ID]" or "error
 * 0xCODE" (after "ready"):
 *
 *   begin            FwpmTransactionBegin0
 *   add A.B.C.D/LEN  an outbound IPsec transport callout filter on that
 *                    remote prefix (IPv4); answers its id
 *   del ID           FwpmFilterDeleteById0
 *   commit | abort   FwpmTransactionCommit0 / FwpmTransactionAbort0
 *   quit
 * Public API only (FWP_ENGINE=service, FWP_SOCKET) like any client.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fwpmu.h>

static DWORD add(HANDLE h, const char *arg, UINT64 *id)
{
	char a[32];
	unsigned plen;
	struct in_addr in;
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c;
	FWP_V4_ADDR_AND_MASK m;

	if (sscanf(arg, "%31[0-9.]/%u", a, &plen) != 2 || plen > 32 || !inet_aton(a, &in))
		return ERROR_INVALID_PARAMETER;
	m.addr = ntohl(in.s_addr);
	m.mask = plen ? ~0u << (32 - plen) : 0;
	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	f.displayData.name = L"txn_filter";
	f.layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	f.action.calloutKey = FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4;
	c.fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c.matchType = FWP_MATCH_EQUAL;
	c.conditionValue.type = FWP_V4_ADDR_MASK;
	c.conditionValue.v4AddrMask = &m;
	f.numFilterConditions = 1;
	f.filterCondition = &c;
	return FwpmFilterAdd0(h, &f, NULL, id);
}

int main(void)
{
	char line[128];
	HANDLE h;
	DWORD rc = FwpmEngineOpen0(NULL, RPC_C_AUTHN_DEFAULT, NULL, NULL, &h);

	if (rc) {
		printf("error 0x%08lx\n", (unsigned long)rc);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	while (fgets(line, sizeof(line), stdin)) {
		UINT64 id = 0;

		line[strcspn(line, "\n")] = 0;
		if (!strcmp(line, "quit"))
			break;
		if (!strcmp(line, "begin"))
			rc = FwpmTransactionBegin0(h, 0);
		else if (!strcmp(line, "commit"))
			rc = FwpmTransactionCommit0(h);
		else if (!strcmp(line, "abort"))
			rc = FwpmTransactionAbort0(h);
		else if (!strncmp(line, "add ", 4))
			rc = add(h, line + 4, &id);
		else if (!strncmp(line, "del ", 4))
			rc = FwpmFilterDeleteById0(h, strtoull(line + 4, NULL, 10));
		else
			rc = ERROR_INVALID_PARAMETER;
		if (rc)
			printf("error 0x%08lx\n", (unsigned long)rc);
		else if (id)
			printf("ok %llu\n", (unsigned long long)id);
		else
			printf("ok\n");
	}
	FwpmEngineClose0(h);
	return 0;
}
