/* sd.c - the "sd" object: security descriptors in SDDL.
 *
 *   fwpctl [-j] sd show TARGET
 *   fwpctl sd set TARGET SDDL
 *
 * TARGET is engine, sadb, provider KEY, sublayer KEY, filter ID|KEY or
 * provider-context ID|KEY. "show" prints the owner, group and DACL (the
 * SACL too when the caller may read it: root) as one SDDL line; "set"
 * replaces the parts the SDDL names (O:, G:, D:, S:) and leaves the rest.
 * SDDL is read and written by the library's converter (common/secdesc.h,
 * linked in as fwp_sddl: not an engine call), the strict subset
 * docs/CONTRACT.md describes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/secdesc.h"
#include "fwpctl.h"

struct sd_target {
	const char *word;
	int kind;		/* below */
	bool by_id;		/* a filter or provider context named by ID */
	GUID key;
};

enum { T_ENGINE, T_SADB, T_PROVIDER, T_SUBLAYER, T_FILTER, T_CONTEXT };

static const struct {
	const char *word;
	int kind;
} target_words[] = {
	{ "engine", T_ENGINE }, { "sadb", T_SADB }, { "provider", T_PROVIDER },
	{ "sublayer", T_SUBLAYER }, { "filter", T_FILTER },
	{ "provider-context", T_CONTEXT },
};

/* Reads TARGET from argv; the number of words used, or -1. */
static int parse_target(int argc, char **argv, struct sd_target *t, UINT64 *id)
{
	memset(t, 0, sizeof(*t));
	if (argc < 1)
		return -1;
	for (size_t i = 0; i < sizeof(target_words) / sizeof(target_words[0]); i++) {
		if (strcmp(argv[0], target_words[i].word))
			continue;
		t->word = argv[0];
		t->kind = target_words[i].kind;
		if (t->kind <= T_SADB)
			return 1;
		if (argc < 2)
			return -1;
		if (!ctl_parse_guid(argv[1], &t->key))
			return 2;
		if ((t->kind == T_FILTER || t->kind == T_CONTEXT) && !ctl_parse_id(argv[1], id)) {
			t->by_id = true;
			return 2;
		}
		return -1;
	}
	return -1;
}

/* Filters and provider contexts named by id: their key. */
static DWORD resolve(HANDLE h, struct sd_target *t, UINT64 id)
{
	FWPM_FILTER0 *f = NULL;
	FWPM_PROVIDER_CONTEXT0 *pc = NULL;
	DWORD rc;

	if (!t->by_id)
		return ERROR_SUCCESS;
	if (t->kind == T_FILTER) {
		rc = FwpmFilterGetById0(h, id, &f);
		if (rc == ERROR_SUCCESS)
			t->key = f->filterKey;
		FwpmFreeMemory0((void **)&f);
		return rc;
	}
	rc = FwpmProviderContextGetById0(h, id, &pc);
	if (rc == ERROR_SUCCESS)
		t->key = pc->providerContextKey;
	FwpmFreeMemory0((void **)&pc);
	return rc;
}

static DWORD get(HANDLE h, const struct sd_target *t, SECURITY_INFORMATION info,
		 PSECURITY_DESCRIPTOR *sd)
{
	switch (t->kind) {
	case T_ENGINE:
		return FwpmEngineGetSecurityInfo0(h, info, NULL, NULL, NULL, NULL, sd);
	case T_SADB:
		return IPsecSaDbGetSecurityInfo0(h, info, NULL, NULL, NULL, NULL, sd);
	case T_PROVIDER:
		return FwpmProviderGetSecurityInfoByKey0(h, &t->key, info, NULL, NULL, NULL,
							 NULL, sd);
	case T_SUBLAYER:
		return FwpmSubLayerGetSecurityInfoByKey0(h, &t->key, info, NULL, NULL, NULL,
							 NULL, sd);
	case T_FILTER:
		return FwpmFilterGetSecurityInfoByKey0(h, &t->key, info, NULL, NULL, NULL,
						       NULL, sd);
	default:
		return FwpmProviderContextGetSecurityInfoByKey0(h, &t->key, info, NULL, NULL,
								NULL, NULL, sd);
	}
}

static DWORD set(HANDLE h, const struct sd_target *t, SECURITY_INFORMATION info,
		 const struct sd_view *v)
{
	const SID *o = (const SID *)v->part[SD_OWNER], *g = (const SID *)v->part[SD_GROUP];
	const ACL *d = (const ACL *)v->part[SD_DACL], *s = (const ACL *)v->part[SD_SACL];

	switch (t->kind) {
	case T_ENGINE:
		return FwpmEngineSetSecurityInfo0(h, info, o, g, d, s);
	case T_SADB:
		return IPsecSaDbSetSecurityInfo0(h, info, o, g, d, s);
	case T_PROVIDER:
		return FwpmProviderSetSecurityInfoByKey0(h, &t->key, info, o, g, d, s);
	case T_SUBLAYER:
		return FwpmSubLayerSetSecurityInfoByKey0(h, &t->key, info, o, g, d, s);
	case T_FILTER:
		return FwpmFilterSetSecurityInfoByKey0(h, &t->key, info, o, g, d, s);
	default:
		return FwpmProviderContextSetSecurityInfoByKey0(h, &t->key, info, o, g, d, s);
	}
}

static int open_target(struct ctl *ctl, const char *cmd, int argc, char **argv, int want,
		       struct sd_target *t, HANDLE *h)
{
	UINT64 id = 0;
	int used = parse_target(argc, argv, t, &id), status;
	DWORD rc;

	if (used < 0)
		return ctl_usage("sd %s: expected engine, sadb, provider KEY, sublayer KEY, "
				 "filter ID|KEY or provider-context ID|KEY", cmd);
	if (argc != used + want)
		return ctl_usage("sd %s: %s", cmd, argc < used + want ? "missing SDDL" :
				 "unexpected argument");
	status = ctl_engine(ctl, h);
	if (status)
		return status;
	rc = resolve(*h, t, id);
	return rc ? ctl_fail(rc, "finding %s %s", argv[0], argv[1]) : FWPCTL_OK;
}

int sd_show(struct ctl *ctl, int argc, char **argv)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	struct sd_target t;
	struct sd_view v;
	char *text;
	HANDLE h;
	DWORD rc;
	int status = open_target(ctl, "show", argc, argv, 0, &t, &h), n;

	if (status)
		return status;
	rc = get(h, &t, SD_INFO_ALL, &sd);
	if (rc == ERROR_ACCESS_DENIED)	/* the SACL is root's: show the rest */
		rc = get(h, &t, SD_INFO_ALL & ~(SECURITY_INFORMATION)SACL_SECURITY_INFORMATION,
			 &sd);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "reading the security descriptor of %s", t.word);
	if (sd_parse(sd, sd_claimed_len(sd), &v) || (n = sd_to_sddl(&v, NULL, 0)) < 0) {
		FwpmFreeMemory0(&sd);
		return ctl_error("sd show: the descriptor does not print");
	}
	text = malloc((size_t)n + 1);
	if (!text) {
		FwpmFreeMemory0(&sd);
		return ctl_error("sd show: out of memory");
	}
	sd_to_sddl(&v, text, (size_t)n + 1);
	FwpmFreeMemory0(&sd);
	/* SDDL has no character JSON must escape. */
	printf(ctl->json ? "{\"sddl\":\"%s\"}\n" : "%s\n", text);
	free(text);
	if (fflush(stdout) || ferror(stdout))
		return ctl_error("sd show: write error");
	return FWPCTL_OK;
}

int sd_set(struct ctl *ctl, int argc, char **argv)
{
	SECURITY_INFORMATION info = 0;
	struct sd_target t;
	struct sd_view v;
	void *sd = NULL;
	size_t len = 0;
	HANDLE h;
	DWORD rc;
	int status;

	if (argc < 2 || sd_from_sddl(argv[argc - 1], &sd, &len) || sd_parse(sd, len, &v)) {
		free(sd);
		return ctl_usage("sd set: expected TARGET and SDDL (O:sid G:sid D:(A|D;flags;"
				 "rights;;;sid)... S:(AU;...)...)");
	}
	for (int i = 0; i < 4; i++)
		if (v.part[i])
			info |= 1u << i;	/* OWNER, GROUP, DACL, SACL */
	status = info ? open_target(ctl, "set", argc, argv, 1, &t, &h) :
			ctl_usage("sd set: the SDDL names no part");
	if (status) {
		free(sd);
		return status;
	}
	rc = set(h, &t, info, &v);
	free(sd);
	if (rc != ERROR_SUCCESS)
		return ctl_fail(rc, "setting the security descriptor of %s", t.word);
	return FWPCTL_OK;
}
