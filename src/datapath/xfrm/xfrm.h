/* xfrm.h - the kernel's ESP as the engine's datapath (`fwpd --datapath
 * xfrm`, FWP_DATAPATH=xfrm): each live SA becomes an XFRM state, each SA's
 * traffic an XFRM policy pair, over NETLINK_XFRM (libmnl). The kernel
 * carries the packets; this backend only keys it, reads its counters and
 * hands its expire messages to the engine. docs/datapath-xfrm.md.
 *
 * BLOCK filters become block policies (xfrm_block.c); what a run that
 * died left is taken over at start (xfrm_left.c).
 *
 * Ownership: struct xfrm owns its netlink sockets, its ESP-in-UDP sockets,
 * the namespace's xfrm instance lock, the handles of the SAs it installed
 * and every policy of its priority band; the kernel owns the keys once
 * installed (every buffer that held them is wiped after the send).
 * Locking: the downcalls come with the engine lock held; x->lock guards
 * the request socket and the SA list, which the host's loop also reads
 * when it delivers expire messages (deliver, no engine lock held).
 */
#ifndef FWP_DATAPATH_XFRM_H
#define FWP_DATAPATH_XFRM_H

#include "engine/backend.h"

extern const struct be_life_ops xfrm_life;

#endif
