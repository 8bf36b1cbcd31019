/*
 * fwpbase.h - the Windows base types, calling-convention and SAL macros the
 * WFP headers are written in, defined for Linux x86-64 so that every struct
 * built from them has the same size and offsets as on Windows x64 (LLP64).
 *
 * FWPUCLNT_MINGW_COMPAT: code written against the MinGW-w64 headers (such
 * as strongSwan's kernel-wfp plugin) declares itself, as enum constants,
 * 42 flag names that those headers lack. Defined before the first include,
 * it makes these headers leave out exactly those names, so that such code
 * compiles unchanged: FWPM_FILTER_FLAG_PERSISTENT to _DISABLED,
 * FWPM_NET_EVENT_FLAG_IP_PROTOCOL_SET to _REAUTH_REASON_SET,
 * IPSEC_SA_DETAILS_UPDATE_* and IPSEC_SA_BUNDLE_UPDATE_*,
 * FWPM_TUNNEL_FLAG_POINT_TO_POINT and _ENABLE_VIRTUAL_IF_TUNNELING,
 * IPSEC_SA_BUNDLE_FLAG_ND_SECURE to _FORWARD_PATH_INITIATOR. Every other
 * name, type and layout is unchanged.
 */
#ifndef FWPBASE_H
#define FWPBASE_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * C11 _Static_assert is not a C++ keyword; the layout checks at the end of
 * the type headers go through this so the headers also build as C++.
 */
#ifdef __cplusplus
#define FWP_STATIC_ASSERT(expr, msg)	static_assert(expr, msg)
#define FWP_ALIGNOF(type)		alignof(type)
#else
#define FWP_STATIC_ASSERT(expr, msg)	_Static_assert(expr, msg)
#define FWP_ALIGNOF(type)		_Alignof(type)
#endif

/* Fixed-width integers: the SDK spells them UINTn / INTn. */
typedef uint8_t		UINT8;
typedef uint16_t	UINT16;
typedef uint32_t	UINT32;
typedef uint64_t	UINT64;
typedef int8_t		INT8;
typedef int16_t		INT16;
typedef int32_t		INT32;
typedef int64_t		INT64;

/*
 * DWORD and ULONG are "unsigned long" on Windows, which is 32-bit there
 * (LLP64); unsigned long is 64-bit here (LP64), so spell out the width.
 */
typedef uint8_t		BYTE;
typedef uint16_t	WORD;
typedef uint32_t	DWORD;

/* A wait without limit (FWPM_SESSION0.txnWaitTimeoutInMSec), as winbase.h. */
#ifndef INFINITE
#define INFINITE 0xFFFFFFFFu
#endif
typedef uint32_t	ULONG;
typedef int32_t		LONG;
typedef int		BOOL;
typedef char		CHAR;
typedef CHAR		*LPSTR;

/* A locally unique identifier (winnt.h): 8 bytes, 4-aligned. */
#ifndef FWP_LUID_DEFINED
#define FWP_LUID_DEFINED
typedef struct _LUID {
	DWORD	LowPart;
	LONG	HighPart;
} LUID, *PLUID;
FWP_STATIC_ASSERT(sizeof(LUID) == 8, "LUID size");
FWP_STATIC_ASSERT(FWP_ALIGNOF(LUID) == 4, "LUID align");
FWP_STATIC_ASSERT(offsetof(LUID, HighPart) == 4, "LUID.HighPart offset");
#endif

/* HRESULT and NTSTATUS are signed 32-bit so that FAILED() sees bit 31. */
typedef int32_t		HRESULT;
typedef int32_t		NTSTATUS;

typedef void		*PVOID;
typedef void		*HANDLE;

/*
 * Strings stay native wchar_t so L"..." literals compile unchanged. Only
 * pointers to strings appear in the structs, so layout does not depend on
 * the character width.
 */
typedef wchar_t		WCHAR;
typedef WCHAR		*LPWSTR;
typedef WCHAR		*PWSTR;
typedef const WCHAR	*LPCWSTR;

#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
	UINT32	Data1;
	UINT16	Data2;
	UINT16	Data3;
	UINT8	Data4[8];
} GUID;
#endif

/* Security identifiers (winnt.h layout): S-R-A-S1-S2-..., the 48-bit
 * authority big-endian, the sub-authorities little-endian DWORDs. Calls
 * take them through pointers (PSID). */
typedef struct _SID_IDENTIFIER_AUTHORITY {
	BYTE	Value[6];
} SID_IDENTIFIER_AUTHORITY, *PSID_IDENTIFIER_AUTHORITY;

typedef struct _SID {
	BYTE				Revision;
	BYTE				SubAuthorityCount;
	SID_IDENTIFIER_AUTHORITY	IdentifierAuthority;
	DWORD				SubAuthority[1];	/* ANYSIZE_ARRAY */
} SID;
typedef PVOID PSID;
FWP_STATIC_ASSERT(sizeof(SID) == 12, "SID size");

#define SID_REVISION			1
#define SID_MAX_SUB_AUTHORITIES		15
#define SECURITY_MAX_SID_SIZE		68

/* Access-control lists (winnt.h header of an ACL) and the selector of
 * the Get/SetSecurityInfo calls. */
typedef struct _ACL {
	BYTE	AclRevision;
	BYTE	Sbz1;
	WORD	AclSize;
	WORD	AceCount;
	WORD	Sbz2;
} ACL, *PACL;
FWP_STATIC_ASSERT(sizeof(ACL) == 8, "ACL size");
typedef DWORD SECURITY_INFORMATION, *PSECURITY_INFORMATION;

#define ACL_REVISION			2
#define ACL_REVISION_DS			4

/* Which parts of a descriptor a Get/SetSecurityInfo call names. */
#define OWNER_SECURITY_INFORMATION	0x00000001u
#define GROUP_SECURITY_INFORMATION	0x00000002u
#define DACL_SECURITY_INFORMATION	0x00000004u
#define SACL_SECURITY_INFORMATION	0x00000008u

/* Access-control entries (winnt.h): a header, the access mask, the SID. */
typedef struct _ACE_HEADER {
	BYTE	AceType;
	BYTE	AceFlags;
	WORD	AceSize;
} ACE_HEADER, *PACE_HEADER;
FWP_STATIC_ASSERT(sizeof(ACE_HEADER) == 4, "ACE_HEADER size");

typedef DWORD ACCESS_MASK, *PACCESS_MASK;

typedef struct _ACCESS_ALLOWED_ACE {
	ACE_HEADER	Header;
	ACCESS_MASK	Mask;
	DWORD		SidStart;
} ACCESS_ALLOWED_ACE, *PACCESS_ALLOWED_ACE;
typedef struct _ACCESS_DENIED_ACE {
	ACE_HEADER	Header;
	ACCESS_MASK	Mask;
	DWORD		SidStart;
} ACCESS_DENIED_ACE, *PACCESS_DENIED_ACE;
typedef struct _SYSTEM_AUDIT_ACE {
	ACE_HEADER	Header;
	ACCESS_MASK	Mask;
	DWORD		SidStart;
} SYSTEM_AUDIT_ACE, *PSYSTEM_AUDIT_ACE;
FWP_STATIC_ASSERT(sizeof(ACCESS_ALLOWED_ACE) == 12, "ACCESS_ALLOWED_ACE size");

#define ACCESS_ALLOWED_ACE_TYPE		0x0
#define ACCESS_DENIED_ACE_TYPE		0x1
#define SYSTEM_AUDIT_ACE_TYPE		0x2

#define OBJECT_INHERIT_ACE		0x01
#define CONTAINER_INHERIT_ACE		0x02
#define NO_PROPAGATE_INHERIT_ACE	0x04
#define INHERIT_ONLY_ACE		0x08
#define INHERITED_ACE			0x10
#define SUCCESSFUL_ACCESS_ACE_FLAG	0x40
#define FAILED_ACCESS_ACE_FLAG		0x80

/* A security descriptor in self-relative form: the parts follow the
 * header at the byte offsets it gives (0: absent). The only form the
 * calls accept; the absolute form (pointers) is refused. */
typedef WORD SECURITY_DESCRIPTOR_CONTROL, *PSECURITY_DESCRIPTOR_CONTROL;

typedef struct _SECURITY_DESCRIPTOR_RELATIVE {
	BYTE				Revision;
	BYTE				Sbz1;
	SECURITY_DESCRIPTOR_CONTROL	Control;
	DWORD				Owner;
	DWORD				Group;
	DWORD				Sacl;
	DWORD				Dacl;
} SECURITY_DESCRIPTOR_RELATIVE, *PISECURITY_DESCRIPTOR_RELATIVE;
FWP_STATIC_ASSERT(sizeof(SECURITY_DESCRIPTOR_RELATIVE) == 20,
		  "SECURITY_DESCRIPTOR_RELATIVE size");

#define SECURITY_DESCRIPTOR_REVISION	1
#define SE_OWNER_DEFAULTED		0x0001
#define SE_GROUP_DEFAULTED		0x0002
#define SE_DACL_PRESENT			0x0004
#define SE_DACL_DEFAULTED		0x0008
#define SE_SACL_PRESENT			0x0010
#define SE_SACL_DEFAULTED		0x0020
#define SE_DACL_AUTO_INHERIT_REQ	0x0100
#define SE_SACL_AUTO_INHERIT_REQ	0x0200
#define SE_DACL_AUTO_INHERITED		0x0400
#define SE_SACL_AUTO_INHERITED		0x0800
#define SE_DACL_PROTECTED		0x1000
#define SE_SACL_PROTECTED		0x2000
#define SE_RM_CONTROL_VALID		0x4000
#define SE_SELF_RELATIVE		0x8000

typedef struct _SID_AND_ATTRIBUTES {
	PSID	Sid;
	DWORD	Attributes;
} SID_AND_ATTRIBUTES, *PSID_AND_ATTRIBUTES;

/*
 * RPC credentials for FwpmEngineOpen0. The character pointers are 16-bit
 * units regardless of wchar_t; the lengths are Windows "unsigned long".
 */
typedef struct _SEC_WINNT_AUTH_IDENTITY_W {
	unsigned short	*User;
	uint32_t	UserLength;
	unsigned short	*Domain;
	uint32_t	DomainLength;
	unsigned short	*Password;
	uint32_t	PasswordLength;
	uint32_t	Flags;
} SEC_WINNT_AUTH_IDENTITY_W, *PSEC_WINNT_AUTH_IDENTITY_W;

#define SEC_WINNT_AUTH_IDENTITY_ANSI	0x1u
#define SEC_WINNT_AUTH_IDENTITY_UNICODE	0x2u

/* RPC authentication services; FwpmEngineOpen0 takes WINNT or DEFAULT. */
#define RPC_C_AUTHN_NONE		0u
#define RPC_C_AUTHN_GSS_NEGOTIATE	9u
#define RPC_C_AUTHN_WINNT		10u
#define RPC_C_AUTHN_GSS_KERBEROS	16u
#define RPC_C_AUTHN_DEFAULT		0xFFFFFFFFu

/* Standard access rights (Windows SDK winnt.h values). */
#define DELETE				0x00010000u
#define READ_CONTROL			0x00020000u
#define WRITE_DAC			0x00040000u
#define WRITE_OWNER			0x00080000u
#define STANDARD_RIGHTS_REQUIRED	0x000F0000u
#define STANDARD_RIGHTS_READ		READ_CONTROL
#define STANDARD_RIGHTS_WRITE		READ_CONTROL
#define STANDARD_RIGHTS_EXECUTE		READ_CONTROL
#define SYNCHRONIZE			0x00100000u
#define ACCESS_SYSTEM_SECURITY		0x01000000u
#define MAXIMUM_ALLOWED			0x02000000u
#define GENERIC_ALL			0x10000000u
#define GENERIC_EXECUTE			0x20000000u
#define GENERIC_WRITE			0x40000000u
#define GENERIC_READ			0x80000000u

#ifndef TRUE
#define TRUE	1
#endif
#ifndef FALSE
#define FALSE	0
#endif

/* __stdcall only matters on 32-bit x86 Windows; nothing to say on x86-64. */
#ifndef WINAPI
#define WINAPI
#endif
#ifndef CALLBACK
#define CALLBACK
#endif

/*
 * SAL annotations: documentation for the Windows analyser, no effect on
 * code. Empty so annotated Windows prototypes and callers compile.
 */
#ifndef _In_
#define _In_
#endif
#ifndef _In_opt_
#define _In_opt_
#endif
#ifndef _In_z_
#define _In_z_
#endif
#ifndef _In_opt_z_
#define _In_opt_z_
#endif
#ifndef _In_reads_
#define _In_reads_(x)
#endif
#ifndef _In_reads_opt_
#define _In_reads_opt_(x)
#endif
#ifndef _In_reads_bytes_
#define _In_reads_bytes_(x)
#endif
#ifndef _Out_
#define _Out_
#endif
#ifndef _Out_opt_
#define _Out_opt_
#endif
#ifndef _Out_writes_
#define _Out_writes_(x)
#endif
#ifndef _Out_writes_opt_
#define _Out_writes_opt_(x)
#endif
#ifndef _Out_writes_bytes_
#define _Out_writes_bytes_(x)
#endif
#ifndef _Inout_
#define _Inout_
#endif
#ifndef _Inout_opt_
#define _Inout_opt_
#endif
#ifndef _Outptr_
#define _Outptr_
#endif
#ifndef _Outptr_opt_
#define _Outptr_opt_
#endif
#ifndef _Outptr_result_maybenull_
#define _Outptr_result_maybenull_
#endif
#ifndef _Outptr_result_buffer_
#define _Outptr_result_buffer_(x)
#endif
#ifndef _Outptr_result_buffer_maybenull_
#define _Outptr_result_buffer_maybenull_(x)
#endif
#ifndef _Outptr_result_bytebuffer_
#define _Outptr_result_bytebuffer_(x)
#endif
#ifndef _Reserved_
#define _Reserved_
#endif
#ifndef _Null_terminated_
#define _Null_terminated_
#endif
#ifndef _Field_size_
#define _Field_size_(x)
#endif
#ifndef _Field_size_opt_
#define _Field_size_opt_(x)
#endif
#ifndef _Field_size_bytes_
#define _Field_size_bytes_(x)
#endif
#ifndef _Field_z_
#define _Field_z_
#endif

#if defined(__x86_64__) && !defined(FWP_NO_LAYOUT_ASSERTS)
FWP_STATIC_ASSERT(sizeof(DWORD) == 4, "DWORD must be 32-bit");
FWP_STATIC_ASSERT(sizeof(ULONG) == 4, "ULONG must be 32-bit");
FWP_STATIC_ASSERT(sizeof(LONG) == 4, "LONG must be 32-bit");
FWP_STATIC_ASSERT(sizeof(BOOL) == 4, "BOOL must be 32-bit");
FWP_STATIC_ASSERT(sizeof(HRESULT) == 4, "HRESULT must be 32-bit");
FWP_STATIC_ASSERT(sizeof(HANDLE) == 8, "HANDLE must be a pointer");

FWP_STATIC_ASSERT(sizeof(GUID) == 16, "GUID size");
FWP_STATIC_ASSERT(FWP_ALIGNOF(GUID) == 4, "GUID alignment");
FWP_STATIC_ASSERT(offsetof(GUID, Data1) == 0, "GUID.Data1");
FWP_STATIC_ASSERT(offsetof(GUID, Data2) == 4, "GUID.Data2");
FWP_STATIC_ASSERT(offsetof(GUID, Data3) == 6, "GUID.Data3");
FWP_STATIC_ASSERT(offsetof(GUID, Data4) == 8, "GUID.Data4");

FWP_STATIC_ASSERT(sizeof(SID_AND_ATTRIBUTES) == 16, "SID_AND_ATTRIBUTES size");
FWP_STATIC_ASSERT(offsetof(SID_AND_ATTRIBUTES, Attributes) == 8,
		  "SID_AND_ATTRIBUTES.Attributes");

FWP_STATIC_ASSERT(sizeof(SEC_WINNT_AUTH_IDENTITY_W) == 48,
		  "SEC_WINNT_AUTH_IDENTITY_W size");
FWP_STATIC_ASSERT(offsetof(SEC_WINNT_AUTH_IDENTITY_W, User) == 0,
		  "SEC_WINNT_AUTH_IDENTITY_W.User");
FWP_STATIC_ASSERT(offsetof(SEC_WINNT_AUTH_IDENTITY_W, UserLength) == 8,
		  "SEC_WINNT_AUTH_IDENTITY_W.UserLength");
FWP_STATIC_ASSERT(offsetof(SEC_WINNT_AUTH_IDENTITY_W, Domain) == 16,
		  "SEC_WINNT_AUTH_IDENTITY_W.Domain");
FWP_STATIC_ASSERT(offsetof(SEC_WINNT_AUTH_IDENTITY_W, DomainLength) == 24,
		  "SEC_WINNT_AUTH_IDENTITY_W.DomainLength");
FWP_STATIC_ASSERT(offsetof(SEC_WINNT_AUTH_IDENTITY_W, Password) == 32,
		  "SEC_WINNT_AUTH_IDENTITY_W.Password");
FWP_STATIC_ASSERT(offsetof(SEC_WINNT_AUTH_IDENTITY_W, PasswordLength) == 40,
		  "SEC_WINNT_AUTH_IDENTITY_W.PasswordLength");
FWP_STATIC_ASSERT(offsetof(SEC_WINNT_AUTH_IDENTITY_W, Flags) == 44,
		  "SEC_WINNT_AUTH_IDENTITY_W.Flags");
#endif

#ifdef __cplusplus
}
#endif

#endif /* FWPBASE_H */
