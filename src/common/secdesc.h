/* secdesc.h - Windows security descriptors: the one strict parser for
 * descriptors from clients, builders, the access check, and SDDL.
 *
 * A descriptor is always self-relative here (SECURITY_DESCRIPTOR_RELATIVE,
 * fwpbase.h): a 20-byte header and its parts (owner SID, group SID, DACL,
 * SACL) packed after it, at most SD_MAX_LEN bytes. sd_parse accepts
 * exactly that and nothing looser: revision 1, SE_SELF_RELATIVE, no
 * unknown control bit, every part in bounds, DWORD-aligned, not
 * overlapping, no byte outside the parts, SIDs of revision 1 with 1 to 15
 * sub-authorities, ACLs of revision 2 or 4 holding only ACCESS_ALLOWED and
 * ACCESS_DENIED entries (SYSTEM_AUDIT in a SACL) with known flags and mask
 * bits, each entry exactly its SID long. A present but NULL DACL (every
 * right to everyone) is refused: a descriptor always names who may do what.
 *
 * Identities (docs/CONTRACT.md, "Security descriptors"): uid u is
 * S-1-22-1-u and gid g is S-1-22-2-g (Samba's mapping); every caller is
 * also Everyone (S-1-1-0) and Authenticated Users (S-1-5-11); uid 0 is also
 * LocalSystem (S-1-5-18) and BUILTIN\Administrators (S-1-5-32-544).
 */
#ifndef FWP_COMMON_SECDESC_H
#define FWP_COMMON_SECDESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <fwpmu.h>

/* The largest descriptor accepted or stored (bytes). */
#define SD_MAX_LEN 8192
/* Supplementary groups a token keeps. A token that had more is marked
 * truncated, and then every deny entry naming a group applies to it (fail
 * closed: a dropped group can only cost rights). */
#define SD_TOKEN_MAX_GROUPS 256

/* Who is asking: a Linux identity, seen as SIDs. */
struct sd_token {
	uid_t uid;
	gid_t gid;
	uint32_t ngroups;
	bool truncated;			/* had more than SD_TOKEN_MAX_GROUPS */
	gid_t groups[SD_TOKEN_MAX_GROUPS];
};

/* A parsed descriptor: pointers into the caller's buffer. */
struct sd_view {
	uint16_t control;
	const uint8_t *part[4];		/* SD_OWNER.. SD_SACL; NULL: absent */
	size_t len[4];
};

enum { SD_OWNER, SD_GROUP, SD_DACL, SD_SACL };

/* Every SECURITY_INFORMATION bit the calls take. */
#define SD_INFO_ALL (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | \
		     DACL_SECURITY_INFORMATION | SACL_SECURITY_INFORMATION)

/* 0 or -EINVAL (anything sd_parse's rules refuse). */
int sd_parse(const void *buf, size_t len, struct sd_view *v);
/* The length a self-relative descriptor's header and parts claim, for
 * callers that hold only a pointer (PSECURITY_DESCRIPTOR); 0 when it is
 * not self-relative or claims more than SD_MAX_LEN. Reads only inside that
 * claim; sd_parse then checks it. */
size_t sd_claimed_len(const void *sd);
/* Same for a SID (8 + 4 * count; 0 when invalid) and an ACL (AclSize). */
size_t sd_sid_len(const void *sid);
size_t sd_acl_len(const void *acl);
/* Strict checks of a lone part (sd_parse's rules). */
bool sd_sid_valid(const void *sid, size_t len);
bool sd_acl_valid(const void *acl, size_t len, bool sacl);

/* A new self-relative descriptor from v's parts (any may be absent);
 * control keeps v's inheritance bits. 0 or -ENOMEM; free() *out. */
int sd_build(const struct sd_view *v, void **out, size_t *len);
/* base with the parts info names taken from upd. */
void sd_merge(struct sd_view *base, const struct sd_view *upd, uint32_t info);
/* Only the parts info names. */
void sd_select(struct sd_view *v, uint32_t info);

/* The rights t holds under v: the DACL's entries in order (an allow grants
 * what no earlier deny refused), generic rights mapped to FWPM_GENERIC_*,
 * INHERIT_ONLY entries skipped; the owner also holds READ_CONTROL and
 * WRITE_DAC, and uid 0 ACCESS_SYSTEM_SECURITY (the SACL's privilege). */
uint32_t sd_granted(const struct sd_view *v, const struct sd_token *t);
bool sd_token_has_sid(const struct sd_token *t, const void *sid);
/* uid 0, which alone may give an object an owner it is not. */
bool sd_token_is_root(const struct sd_token *t);
/* The token's own SIDs: S-1-22-1-uid and S-1-22-2-gid (SECURITY_MAX_SID_SIZE). */
size_t sd_sid_of_uid(uid_t uid, uint8_t *buf);
size_t sd_sid_of_gid(gid_t gid, uint8_t *buf);

/* SDDL, the subset this code writes: O:sid G:sid D:flags(ace)... S:...,
 * aces (A|D|AU;flags;0xMASK or GA/GR/GW/GX/RC/SD/WD/WO letters;;;sid), sids
 * as S-1-... or WD, AU, SY, BA. Printing: the length it needs (like
 * snprintf), or -EINVAL for a view that does not print. Parsing: strict;
 * 0, -EINVAL or -ENOMEM; free() *out. */
int sd_to_sddl(const struct sd_view *v, char *buf, size_t size);
int sd_from_sddl(const char *sddl, void **out, size_t *len);

/* The default descriptors (docs/CONTRACT.md): fwpd's gives root and the
 * service group every right and everyone else what they had before
 * descriptors existed; the in-process engine's gives its own user every
 * right. 0 or -ENOMEM; free() *out. */
int sd_default_service(bool have_group, gid_t group, void **out, size_t *len);
int sd_default_process(uid_t uid, gid_t gid, void **out, size_t *len);

#endif
