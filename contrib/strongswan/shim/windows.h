/* windows.h - the little of <windows.h> that strongSwan's kernel-wfp plugin
 * uses beyond the WFP API, for Linux: loading a function from a library
 * that is already loaded (kernel_wfp_compat.c forwards a few calls that
 * MinGW's import library lacked). Everything else comes from fwpuclnt. */
#ifndef FWP_SHIM_WINDOWS_H
#define FWP_SHIM_WINDOWS_H

#include <dlfcn.h>
#include <stdio.h>

#include <fwpbase.h>
#include <fwperror.h>

/* "fwpuclnt" names libfwpuclnt.so.0, which the plugin links: only a
 * library already in the process is returned, as on Windows. */
static inline HANDLE GetModuleHandle(const char *name)
{
	char soname[256];

	if (snprintf(soname, sizeof(soname), "lib%s.so.0", name) >= (int)sizeof(soname))
		return NULL;
	return dlopen(soname, RTLD_LAZY | RTLD_NOLOAD);
}

/* dlsym on the library's own handle finds the library's definition, not
 * the plugin's forwarder of the same name. */
static inline void *GetProcAddress(HANDLE module, const char *name)
{
	return dlsym(module, name);
}

#endif
