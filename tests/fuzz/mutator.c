/* mutator.c - a structure-aware libFuzzer mutator for protocol messages
 * (LLVMFuzzerCustomMutator), linked into fuzz_request and fuzz_reply.
 *
 * An input is parsed as a sequence of netlink messages (as fuzz_request.c
 * splits it) whose attributes form a tree: an attribute with NLA_F_NESTED
 * whose payload is a whole sequence of attributes is a nest. One mutation
 * then repeats an attribute, drops one, swaps two siblings, moves one into
 * another nest, gives a 4-byte attribute a union selector's value (so arms
 * and selectors disagree), flips the nested flag, or repeats or drops a
 * whole message, and the tree is written back with every length fixed up.
 * Those are the shapes a strict decoder must refuse and a byte mutator
 * rarely builds. Half the time, and whenever the input does not parse or
 * the result would not fit, libFuzzer's own mutation runs instead.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/netlink.h>

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed);

#define MAX_NODES 4096
#define MAX_KIDS 128
#define MAX_DEPTH 16

enum node_kind { N_ROOT, N_MSG, N_NEST, N_LEAF, N_RAW };

struct node {
	uint8_t kind;
	uint16_t type;			/* nla_type with its flags */
	struct nlmsghdr hdr;		/* N_MSG */
	const uint8_t *pl;		/* N_LEAF, N_RAW: bytes (the input's
					 * copy, or sel_pool) */
	size_t len;
	int kids[MAX_KIDS];		/* N_ROOT, N_MSG, N_NEST */
	int nkids;
};

static struct node nodes[MAX_NODES];
static int nnodes;
static uint8_t scratch[1 << 20];	/* input copy: leaves point into it */
static uint8_t out[1 << 20];
static uint32_t rnd_state;
static uint32_t sel_pool[64];	/* values written by mutations */
static unsigned nsel;

static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return n ? (rnd_state >> 8) % n : 0;
}

/* NLMSG_ALIGN computes in 32 bits: 0xffffffff would align to 0. */
static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static int new_node(uint8_t kind)
{
	if (nnodes >= MAX_NODES)
		return -1;
	memset(&nodes[nnodes], 0, sizeof(nodes[0]) - sizeof(nodes[0].kids));
	nodes[nnodes].kind = kind;
	return nnodes++;
}

static bool add_kid(int parent, int kid)
{
	struct node *p = &nodes[parent];

	if (kid < 0 || p->nkids >= MAX_KIDS)
		return false;
	p->kids[p->nkids++] = kid;
	return true;
}

static bool attrs_ok(const uint8_t *p, size_t len)
{
	while (len > 0) {
		struct nlattr a;

		if (len < sizeof(a))
			return false;
		memcpy(&a, p, sizeof(a));
		if (a.nla_len < sizeof(a) || align4(a.nla_len) > len)
			return false;
		p += align4(a.nla_len);
		len -= align4(a.nla_len);
	}
	return true;
}

static bool raw_kid(int parent, const uint8_t *p, size_t len)
{
	int n = new_node(N_RAW);

	if (n < 0)
		return false;
	nodes[n].pl = p;
	nodes[n].len = len;
	return add_kid(parent, n);
}

/* Parses attributes into parent; bytes that do not parse become one raw
 * node, written back as they were. */
static bool parse_attrs(int parent, const uint8_t *p, size_t len, int depth)
{
	while (len > 0) {
		struct nlattr a;
		size_t plen;
		int n;

		if (len < sizeof(a))
			return raw_kid(parent, p, len);
		memcpy(&a, p, sizeof(a));
		if (a.nla_len < sizeof(a) || a.nla_len > len)
			return raw_kid(parent, p, len);
		plen = a.nla_len - sizeof(a);
		if ((a.nla_type & NLA_F_NESTED) && depth < MAX_DEPTH &&
		    attrs_ok(p + sizeof(a), plen)) {
			n = new_node(N_NEST);
			if (n < 0 || !add_kid(parent, n))
				return false;
			nodes[n].type = a.nla_type;
			if (!parse_attrs(n, p + sizeof(a), plen, depth + 1))
				return false;
		} else {
			n = new_node(N_LEAF);
			if (n < 0 || !add_kid(parent, n))
				return false;
			nodes[n].type = a.nla_type;
			nodes[n].pl = p + sizeof(a);
			nodes[n].len = plen;
		}
		if (align4(a.nla_len) >= len)
			break;
		p += align4(a.nla_len);
		len -= align4(a.nla_len);
	}
	return true;
}

static int parse(const uint8_t *p, size_t len)
{
	int root;

	nnodes = 0;
	root = new_node(N_ROOT);
	while (len > 0) {
		struct nlmsghdr h;
		int m;

		if (len < sizeof(h))
			return raw_kid(root, p, len) ? root : -1;
		memcpy(&h, p, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || align4(h.nlmsg_len) > len)
			return raw_kid(root, p, len) ? root : -1;
		m = new_node(N_MSG);
		if (m < 0 || !add_kid(root, m))
			return -1;
		nodes[m].hdr = h;
		if (!parse_attrs(m, p + sizeof(h), h.nlmsg_len - sizeof(h), 0))
			return -1;
		p += align4(h.nlmsg_len);
		len -= align4(h.nlmsg_len);
	}
	return root;
}

/* Writes node n at out[*pos]; false when it does not fit max. */
static bool emit(int n, size_t *pos, size_t max, int depth)
{
	struct node *nd = &nodes[n];
	size_t start = *pos, hl;

	if (depth > 2 * MAX_DEPTH)
		return false;
	switch (nd->kind) {
	case N_RAW:
		if (*pos + nd->len > max)
			return false;
		memcpy(out + *pos, nd->pl, nd->len);
		*pos += nd->len;
		return true;
	case N_LEAF:
		if (*pos + align4(sizeof(struct nlattr) + nd->len) > max ||
		    sizeof(struct nlattr) + nd->len > UINT16_MAX)
			return false;
		memset(out + *pos, 0, align4(sizeof(struct nlattr) + nd->len));
		memcpy(out + *pos + sizeof(struct nlattr), nd->pl, nd->len);
		((struct nlattr *)(out + start))->nla_type = nd->type;
		((struct nlattr *)(out + start))->nla_len =
			(uint16_t)(sizeof(struct nlattr) + nd->len);
		*pos += align4(sizeof(struct nlattr) + nd->len);
		return true;
	default:
		break;
	}
	hl = nd->kind == N_MSG ? sizeof(struct nlmsghdr) :
	     nd->kind == N_NEST ? sizeof(struct nlattr) : 0;
	if (*pos + hl > max)
		return false;
	*pos += hl;
	for (int i = 0; i < nd->nkids; i++)
		if (!emit(nd->kids[i], pos, max, depth + 1))
			return false;
	if (nd->kind == N_MSG) {
		struct nlmsghdr h = nd->hdr;

		h.nlmsg_len = (uint32_t)(*pos - start);
		memcpy(out + start, &h, sizeof(h));
	} else if (nd->kind == N_NEST) {
		struct nlattr a = { (uint16_t)(*pos - start), nd->type };

		if (*pos - start > UINT16_MAX)
			return false;
		memcpy(out + start, &a, sizeof(a));
	}
	return true;
}

/* A random node holding children (root, message or nest), or -1. */
static int pick_parent(bool attrs_only)
{
	for (int tries = 0; tries < 16; tries++) {
		int n = (int)rnd((uint32_t)nnodes);

		if (nodes[n].nkids == 0 && nodes[n].kind != N_NEST)
			continue;
		if (attrs_only && nodes[n].kind == N_ROOT)
			continue;
		return n;
	}
	return -1;
}

/* Selector values of the unions on the wire: FWP_DATA_TYPE, the transform
 * types, provider context types, IP versions; and a few hostile ones. */
static const uint32_t selectors[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
	0x100, 0x101, 0x102, 0x103, 0x104, 0x105, 0x106,
	0x41414141, 0x7fffffff, 0xffffffff,
};

static bool mutate_tree(void)
{
	int p = pick_parent(rnd(4) != 0), k, q;
	struct node *pn;

	if (p < 0)
		return false;
	pn = &nodes[p];
	if (pn->nkids == 0)
		return false;
	k = (int)rnd((uint32_t)pn->nkids);
	switch (rnd(7)) {
	case 0:		/* repeat: the same subtree twice in a row */
		if (pn->nkids >= MAX_KIDS)
			return false;
		memmove(&pn->kids[k + 1], &pn->kids[k], (size_t)(pn->nkids - k) * sizeof(int));
		pn->nkids++;
		return true;
	case 1:		/* drop */
		memmove(&pn->kids[k], &pn->kids[k + 1], (size_t)(pn->nkids - k - 1) * sizeof(int));
		pn->nkids--;
		return true;
	case 2: {	/* reorder */
		int j = (int)rnd((uint32_t)pn->nkids), t = pn->kids[k];

		pn->kids[k] = pn->kids[j];
		pn->kids[j] = t;
		return true;
	}
	case 3:		/* move into another parent (never into itself) */
		q = pick_parent(true);
		if (q < 0 || q == pn->kids[k] || nodes[q].nkids >= MAX_KIDS)
			return false;
		nodes[q].kids[nodes[q].nkids++] = pn->kids[k];
		memmove(&pn->kids[k], &pn->kids[k + 1], (size_t)(pn->nkids - k - 1) * sizeof(int));
		pn->nkids--;
		return true;
	case 4: {	/* a union selector's value in a 4-byte attribute */
		struct node *c = &nodes[pn->kids[k]];

		if (c->kind != N_LEAF || c->len != 4 || nsel >= 64)
			return false;
		sel_pool[nsel] = selectors[rnd(sizeof(selectors) / sizeof(selectors[0]))];
		c->pl = (const uint8_t *)&sel_pool[nsel++];
		return true;
	}
	case 5:		/* the nested flag on or off */
		if (nodes[pn->kids[k]].kind == N_MSG || nodes[pn->kids[k]].kind == N_RAW)
			return false;
		nodes[pn->kids[k]].type ^= NLA_F_NESTED;
		return true;
	default:	/* another attribute type or operation */
		q = pn->kids[k];
		if (nodes[q].kind == N_MSG) {
			nodes[q].hdr.nlmsg_type = (uint16_t)(0x10 + rnd(0x28));
			return true;
		}
		nodes[q].type = (uint16_t)((nodes[q].type & ~NLA_TYPE_MASK) |
					   (rnd(3) ? rnd(20) : rnd(40)));
		return true;
	}
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	size_t pos = 0;
	int root;
	bool ok = false;

	rnd_state = seed;
	if (rnd(2) || size > sizeof(scratch) || max_size > sizeof(out))
		return LLVMFuzzerMutate(data, size, max_size);
	memcpy(scratch, data, size);
	root = parse(scratch, size);
	if (root >= 0) {
		for (unsigned n = 1 + rnd(3), i = 0; i < n; i++)
			ok |= mutate_tree();
		ok = ok && emit(root, &pos, max_size, 0);
	}
	nnodes = 0;
	nsel = 0;
	if (!ok)
		return LLVMFuzzerMutate(data, size, max_size);
	memcpy(data, out, pos);
	return pos;
}
