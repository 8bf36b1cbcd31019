/* stats.c - the "stats" object: the engine's IPsec statistics
 * (IPsecGetStatistics1). First the SA counts and a traffic summary (what
 * an operator looks at: packets and bytes each way, the main drop
 * reasons), then every counter grouped as the API groups them. Traffic
 * and drop counters stay zero without a datapath (docs/CONTRACT.md). */
#include "doc.h"
#include "fwpctl.h"

/* The summary repeats fields of the groups below under plain names: the
 * bytes are encryptedByteCount, encrypted (out) or decrypted (in). */
static void emit_traffic(struct doc *d, const IPSEC_STATISTICS1 *s)
{
	const IPSEC_TRAFFIC_STATISTICS1 *in = &s->inboundTrafficStatistics;
	const IPSEC_TRAFFIC_STATISTICS1 *out = &s->outboundTrafficStatistics;
	const IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1 *drop =
		&s->aggregateDropPacketStatistics;

	doc_object_begin(d, "traffic");
	doc_uint(d, "inbound_packets", in->totalSuccessfulPackets);
	doc_uint(d, "inbound_bytes", in->encryptedByteCount);
	doc_uint(d, "outbound_packets", out->totalSuccessfulPackets);
	doc_uint(d, "outbound_bytes", out->encryptedByteCount);
	doc_uint(d, "inbound_drops", drop->totalDropPacketsInbound);
	doc_uint(d, "invalid_spi_drops", drop->invalidSpisOnInbound);
	doc_uint(d, "replay_drops", drop->replayCheckFailuresOnInbound);
	doc_uint(d, "integrity_failures", drop->authenticationFailuresOnInbound);
	doc_uint(d, "decryption_failures", drop->decryptionFailuresOnInbound);
	doc_object_end(d);
}

static void emit_stats(struct doc *d, const IPSEC_STATISTICS1 *s,
		       const FWPX_STATISTICS0 *x)
{
	const IPSEC_AGGREGATE_SA_STATISTICS0 *sa = &s->aggregateSaStatistics;
	const IPSEC_ESP_DROP_PACKET_STATISTICS0 *esp = &s->espDropPacketStatistics;
	const IPSEC_AH_DROP_PACKET_STATISTICS0 *ah = &s->ahDropPacketStatistics;
	const IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1 *drop =
		&s->aggregateDropPacketStatistics;
	const IPSEC_TRAFFIC_STATISTICS1 *dir[2] = {
		&s->inboundTrafficStatistics, &s->outboundTrafficStatistics,
	};
	static const char *const dir_name[2] = { "inbound_traffic", "outbound_traffic" };

	doc_object_begin(d, NULL);

	doc_object_begin(d, "sas");
	doc_uint(d, "active_sas", sa->activeSas);
	doc_uint(d, "pending_sa_negotiations", sa->pendingSaNegotiations);
	doc_uint(d, "total_sas_added", sa->totalSasAdded);
	doc_uint(d, "total_sas_deleted", sa->totalSasDeleted);
	doc_uint(d, "successful_rekeys", sa->successfulRekeys);
	doc_uint(d, "active_tunnels", sa->activeTunnels);
	doc_uint(d, "offloaded_sas", sa->offloadedSas);
	doc_object_end(d);

	emit_traffic(d, s);

	doc_object_begin(d, "esp_drops");
	doc_uint(d, "invalid_spis_on_inbound", esp->invalidSpisOnInbound);
	doc_uint(d, "decryption_failures_on_inbound", esp->decryptionFailuresOnInbound);
	doc_uint(d, "authentication_failures_on_inbound",
		 esp->authenticationFailuresOnInbound);
	doc_uint(d, "replay_check_failures_on_inbound", esp->replayCheckFailuresOnInbound);
	doc_uint(d, "sa_not_initialized_on_inbound", esp->saNotInitializedOnInbound);
	doc_object_end(d);

	doc_object_begin(d, "ah_drops");
	doc_uint(d, "invalid_spis_on_inbound", ah->invalidSpisOnInbound);
	doc_uint(d, "authentication_failures_on_inbound",
		 ah->authenticationFailuresOnInbound);
	doc_uint(d, "replay_check_failures_on_inbound", ah->replayCheckFailuresOnInbound);
	doc_uint(d, "sa_not_initialized_on_inbound", ah->saNotInitializedOnInbound);
	doc_object_end(d);

	doc_object_begin(d, "drops");
	doc_uint(d, "invalid_spis_on_inbound", drop->invalidSpisOnInbound);
	doc_uint(d, "decryption_failures_on_inbound", drop->decryptionFailuresOnInbound);
	doc_uint(d, "authentication_failures_on_inbound",
		 drop->authenticationFailuresOnInbound);
	doc_uint(d, "udp_esp_validation_failures_on_inbound",
		 drop->udpEspValidationFailuresOnInbound);
	doc_uint(d, "replay_check_failures_on_inbound", drop->replayCheckFailuresOnInbound);
	doc_uint(d, "invalid_clear_text_inbound", drop->invalidClearTextInbound);
	doc_uint(d, "sa_not_initialized_on_inbound", drop->saNotInitializedOnInbound);
	doc_uint(d, "receive_over_incorrect_sa_inbound",
		 drop->receiveOverIncorrectSaInbound);
	doc_uint(d, "secure_receives_not_matching_filters",
		 drop->secureReceivesNotMatchingFilters);
	doc_uint(d, "total_drop_packets_inbound", drop->totalDropPacketsInbound);
	doc_object_end(d);

	/* FwpxGetStatistics0: what IPSEC_STATISTICS1 has no field for. */
	doc_object_begin(d, "outbound_drops");
	doc_uint(d, "no_sa", x->outboundNoSaDrops);
	doc_uint(d, "blocked", x->outboundBlockDrops);
	doc_uint(d, "other", x->outboundOtherDrops);
	doc_object_end(d);

	for (int i = 0; i < 2; i++) {
		doc_object_begin(d, dir_name[i]);
		doc_uint(d, "encrypted_bytes", dir[i]->encryptedByteCount);
		doc_uint(d, "authenticated_ah_bytes", dir[i]->authenticatedAHByteCount);
		doc_uint(d, "authenticated_esp_bytes", dir[i]->authenticatedESPByteCount);
		doc_uint(d, "transport_bytes", dir[i]->transportByteCount);
		doc_uint(d, "tunnel_bytes", dir[i]->tunnelByteCount);
		doc_uint(d, "offload_bytes", dir[i]->offloadByteCount);
		doc_uint(d, "total_successful_packets", dir[i]->totalSuccessfulPackets);
		doc_object_end(d);
	}

	doc_object_end(d);
}

int stats_show(struct ctl *ctl, int argc, char **argv)
{
	IPSEC_STATISTICS1 s;
	FWPX_STATISTICS0 x;
	HANDLE engine;
	struct doc d;
	DWORD rc;
	int status;

	if (argc > 0)
		return ctl_usage("stats: unexpected argument '%s'", argv[0]);
	status = ctl_engine(ctl, &engine);
	if (status)
		return status;
	rc = IPsecGetStatistics1(engine, &s);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "reading the statistics");
	rc = FwpxGetStatistics0(engine, &x);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "reading the outbound drop statistics");
	doc_init(&d, stdout, ctl->json, ctl->pretty);
	emit_stats(&d, &s, &x);
	if (doc_end(&d))
		return ctl_error("stats: malformed output");
	return FWPCTL_OK;
}
