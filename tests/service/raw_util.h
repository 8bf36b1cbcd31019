/* raw_util.h - raw protocol connections to fwpd, below the client
 * library, for the service tests. */
#ifndef FWP_TEST_RAW_UTIL_H
#define FWP_TEST_RAW_UTIL_H

/* A connection to the daemon at path (5 s receive timeout); -1. */
int raw_connect(const char *path);
/* Reads up to the next reply: its result code, -1 at EOF or error, -2 for
 * a malformed message. */
long raw_result(int fd);
/* raw_connect, then FWPD_OP_OPEN answered with success; -1. */
int raw_open(const char *path);

#endif
