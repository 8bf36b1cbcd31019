/* sa_context.h - the engine's record of one SA context (an inbound and an
 * outbound SA bundle that share traffic).
 *
 * Records hold no pointer into client memory: everything a client passed is
 * copied in, keys included. Keys live only here, inline, and every free
 * path wipes the record (sa_context_free). The record is sized for memory:
 * about 800 bytes for an idle context with both directions.
 *
 * Ownership: the engine owns every record (struct engine's maps). Locking:
 * all fields are guarded by the engine lock.
 */
#ifndef FWP_ENGINE_SA_CONTEXT_H
#define FWP_ENGINE_SA_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include <fwpmu.h>

#include "common/idmap.h"
#include "common/minheap.h"

struct pol_obj;

/* Largest key: AES-256-GCM key plus its 4-byte salt. */
#define SA_MAX_KEY 36
/* Caps on variable-size client data, so that a context always fits in one
 * message of the engine service (documented in docs/CONTRACT.md). */
#define SA_MAX_KEYMOD_BLOB 4096
#define SA_MAX_IPSEC_ID_TOKENS 64
#define SA_MAX_NAME_CHARS 1024

enum sa_state {
	SA_CREATED,	/* after Create */
	SA_SPI_SET,	/* after GetSpi / SetSpi */
	SA_INBOUND,	/* inbound SA live */
	SA_MATURE,	/* both SAs live */
	SA_EXPIRING,	/* after Expire0: inbound draining, outbound gone */
};

/* One IPSEC_SA0 with its keys. */
struct sa_xform {
	uint32_t spi;
	uint8_t type;		/* IPSEC_TRANSFORM_TYPE */
	uint8_t auth_type;	/* IPSEC_AUTH_TYPE, when the type has auth */
	uint8_t auth_config;
	uint8_t cipher_type;	/* IPSEC_CIPHER_TYPE, when it has a cipher */
	uint8_t cipher_config;
	uint8_t auth_key_len;
	uint8_t cipher_key_len;
	uint8_t auth_key[SA_MAX_KEY];
	uint8_t cipher_key[SA_MAX_KEY];
};

/* Variable-size bundle data, one allocation each, absent when NULL. */
struct sa_keymod {
	GUID key;
	uint32_t size;
	uint8_t blob[];
};

/* A deep copy of IPSEC_ID0, flattened (see sa_validate.c). */
struct sa_ipsec_id {
	size_t size;
	IPSEC_ID0 id;		/* pointers into data[] */
	unsigned char data[];
};

/* IPSEC_SA_BUNDLE1 without pointers. */
struct sa_bundle {
	uint32_t flags;
	IPSEC_SA_LIFETIME0 lifetime;
	uint32_t idle_timeout_s;
	uint32_t nd_allow_clear_timeout_s;
	uint32_t nap_context;
	uint32_t qm_sa_id;
	uint32_t peer_v4_private;
	uint8_t num_sas;
	uint8_t ip_version;	/* FWP_IP_VERSION */
	uint8_t pfs_group;	/* IPSEC_PFS_GROUP */
	uint64_t mm_sa_id;
	GUID sa_lookup_context;
	uint64_t qm_filter_id;
	struct sa_keymod *keymod;
	struct sa_ipsec_id *ipsec_id;
	struct sa_xform sas[2];	/* [0] ESP, [1] AH when num_sas == 2 */
};

/* One direction: IPSEC_SA_DETAILS1 without pointers. The first 8 bytes
 * are all an UDP_ENCAPSULATION update reads or writes, so that an update
 * touches one cache line per direction. */
struct sa_dir {
	bool live;		/* bundle added and not removed */
	bool encap_on;
	uint8_t ip_version;	/* = traffic.ipVersion, kept next to encap */
	IPSEC_V4_UDP_ENCAPSULATION0 encap;
	IPSEC_TRAFFIC1 traffic;
	struct sa_bundle bundle;
	uint64_t added_ms;
	uint64_t hard_deadline_ms;	/* 0 = none */
	uint64_t soft_deadline_ms;	/* 90% of the seconds; 0 = none or told */
};

/* What IPsecSaContextUpdate0 changes on one direction: its flags and the
 * new values of the flagged fields; other fields are meaningless (the
 * encapsulation fields are also valid with UPDATE_TRAFFIC). Keys are never
 * part of it. */
struct sa_patch {
	uint64_t flags;		/* IPSEC_SA_*_UPDATE_* */
	IPSEC_TRAFFIC1 traffic;
	bool encap_on;
	IPSEC_V4_UDP_ENCAPSULATION0 encap;
	uint32_t bundle_flags;
	uint32_t nap_context;
	uint32_t peer_v4_private;
	uint64_t mm_sa_id;
	struct sa_keymod *keymod;	/* new state when flagged; owned by the patch */
};

/* Field order is for the cache: an update reads the first line (lookup
 * node, id, state, inbound head) and the outbound head. */
struct sa_context {
	struct idmap_node by_id;
	uint64_t id;
	enum sa_state state;
	bool has_spi;
	bool has_vif;
	uint32_t spi;			/* inbound SPI */
	struct sa_dir in, out;		/* in.traffic comes from GetSpi/SetSpi,
					 * out.traffic from Create */
	struct idmap_node by_spi;	/* once an SPI is set */
	struct heap_node timer;		/* earliest deadline */
	struct sa_context *prev, *next;	/* creation order, for enumeration */
	IPSEC_VIRTUAL_IF_TUNNEL_INFO0 vif;
	uint64_t drain_deadline_ms;	/* EXPIRING only */
	uint64_t last_use_ms;		/* for idle timeouts */
	void *be[2];			/* the backend's handles, by FWP_DIRECTION */
	/* The filter (transport) or tunnel policy (tunnel) each direction's
	 * traffic names, referenced (sa_bind.c); NULL: none. */
	struct pol_obj *bound_in, *bound_out;
	/* Who created it and when (FwpxSaContextGetInfo0). */
	uint64_t created_ms;
	GUID creator_key;
	uint32_t creator_pid, creator_uid;
};

/* Allocates a zeroed record. */
struct sa_context *sa_context_alloc(void);
/* Wipes (keys included) and frees a record and its bundle data. */
void sa_context_free(struct sa_context *c);
/* Frees a bundle's variable data, wiping it, and zeroes the bundle. */
void sa_bundle_clear(struct sa_bundle *b);

#endif
