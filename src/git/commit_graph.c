/* commit_graph.c - git's commit-graph files, mapped and read in place. */
#include "git/commit_graph.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/util.h"

#define HASHSZ 20
#define CHAIN_FILE "info/commit-graphs/commit-graph-chain"	/* layers, the base first */
#define SINGLE_FILE "info/commit-graph"
#define CDAT_SZ (HASHSZ + 16)	/* tree, parent 1, parent 2, generation and date */
#define PARENT_NONE 0x70000000u
#define PARENT_EDGES 0x80000000u	/* parent 2 is an index into EDGE */
#define EDGE_LAST 0x80000000u

struct layer {
	unsigned char *map;
	size_t size;
	uint32_t base;		/* positions of the layers below */
	uint32_t n;		/* commits in this layer */
	const unsigned char *fanout, *oids, *data, *edges;
	size_t nedges;
};

struct commit_graph {
	struct layer *layers;	/* the base first */
	size_t nlayers;
	uint32_t total;
};

static uint64_t
be64(const unsigned char *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static int
bad(const char *path, const char *what)
{
	return err_set(-E_INVALID, "commit-graph %s: %s", path, what);
}

/* Whether the BASE chunk [base, base + size) names the layers below, as
 * the chain file lists them (hex, a line each, the base first). */
static int
bases_match(const unsigned char *base, uint64_t size, size_t nbase, const char *chain)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid id;
	size_t i;

	if (size != (uint64_t)nbase * HASHSZ)
		return 0;
	for (i = 0; i < nbase; i++) {
		memcpy(id.id, base + i * HASHSZ, HASHSZ);
		git_oid_tostr(hex, sizeof(hex), &id);
		if (memcmp(hex, chain + i * (GIT_OID_HEXSZ + 1), GIT_OID_HEXSZ))
			return 0;
	}
	return 1;
}

/* Finds the chunks of a mapped file; its layer index must be nbase, and
 * (in a chain) its BASE chunk must name the nbase layers chain lists first. */
static int
parse_layer(struct layer *l, const char *path, size_t nbase, const char *chain)
{
	const unsigned char *m = l->map;
	size_t i, nchunks, table_end;
	uint64_t oidl = 0, cdat = 0, base_size = 0;
	const unsigned char *base = NULL;

	if (l->size < 8 || memcmp(m, "CGPH", 4))
		return bad(path, "not a commit-graph file");
	if (m[4] != 1)
		return bad(path, "unknown version");
	if (m[5] != 1)
		return bad(path, "not a SHA-1 graph");
	if (m[7] != nbase)
		return bad(path, "its base graphs differ from the chain's");
	nchunks = m[6];
	table_end = 8 + (nchunks + 1) * 12;
	if (table_end > l->size)
		return bad(path, "truncated chunk table");
	for (i = 0; i < nchunks; i++) {
		const unsigned char *e = m + 8 + i * 12;
		uint64_t off = be64(e + 4), end = be64(e + 16);

		if (off < table_end || end < off || end > l->size)
			return bad(path, "a chunk lies outside the file");
		if (!memcmp(e, "OIDF", 4) && end - off == 256 * 4)
			l->fanout = m + off;
		else if (!memcmp(e, "OIDL", 4))
			l->oids = m + off, oidl = end - off;
		else if (!memcmp(e, "CDAT", 4))
			l->data = m + off, cdat = end - off;
		else if (!memcmp(e, "EDGE", 4))
			l->edges = m + off, l->nedges = (end - off) / 4;
		else if (!memcmp(e, "BASE", 4))
			base = m + off, base_size = end - off;
	}
	if (!l->fanout || !l->oids || !l->data)
		return bad(path, "a required chunk is missing");
	if (nbase && !bases_match(base, base_size, nbase, chain))
		return bad(path, "its base graphs differ from the chain's");
	l->n = get_be32(l->fanout + 255 * 4);
	if (oidl != (uint64_t)l->n * HASHSZ || cdat != (uint64_t)l->n * CDAT_SZ)
		return bad(path, "chunk sizes disagree with the commit count");
	for (i = 1; i < 256; i++)
		if (get_be32(l->fanout + (i - 1) * 4) > get_be32(l->fanout + i * 4))
			return bad(path, "the fan-out table is not sorted");
	return 0;
}

static int
map_layer(struct commit_graph *g, const char *path, const char *chain)
{
	struct layer *l;
	struct stat st;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? -E_NOTFOUND :
		    err_set(-E_IO, "cannot open %s: %s", path, strerror(errno));
	if (!(l = realloc(g->layers, (g->nlayers + 1) * sizeof(*l)))) {
		close(fd);
		return err_set(-E_GENERIC, "out of memory");
	}
	g->layers = l;
	l = memset(&g->layers[g->nlayers], 0, sizeof(*l));
	if (fstat(fd, &st) < 0 || st.st_size < 8) {
		close(fd);
		return bad(path, "not a commit-graph file");
	}
	l->size = (size_t)st.st_size;
	l->map = mmap(NULL, l->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (l->map == MAP_FAILED)
		return err_set(-E_IO, "cannot map %s: %s", path, strerror(errno));
	g->nlayers++;
	if ((rc = parse_layer(l, path, g->nlayers - 1, chain)) < 0)
		return rc;
	l->base = g->total;
	if (l->n > GRAPH_NONE - 1 - g->total)
		return bad(path, "too many commits");
	g->total += l->n;
	return 0;
}

/* The layers the chain file names, in its order (the base first). */
static int
open_chain(struct commit_graph *g, const char *objdir, const struct buf *chain)
{
	struct buf path = BUF_INIT;
	const char *p = chain->ptr, *end = p + chain->len;
	int rc = 0;

	while (p < end && rc == 0) {
		size_t n = strcspn(p, "\n");

		if (n != 2 * HASHSZ || strspn(p, "0123456789abcdef") < n) {
			rc = err_set(-E_INVALID, "%s/info/commit-graphs/commit-graph-chain: "
			    "not a list of graph hashes", objdir);
			break;
		}
		buf_reset(&path);
		buf_printf(&path, "%s/info/commit-graphs/graph-%.*s.graph", objdir, (int)n, p);
		if ((rc = map_layer(g, path.ptr, chain->ptr)) == -E_NOTFOUND)
			rc = err_set(-E_INVALID, "commit-graph chain: %s is missing", path.ptr);
		p += n + 1;
	}
	if (rc == 0 && !g->nlayers)
		rc = -E_NOTFOUND;
	buf_release(&path);
	return rc;
}

int
commit_graph_exists(const char *objdir)
{
	static const char *const files[] = { CHAIN_FILE, SINGLE_FILE };
	struct buf path = BUF_INIT;
	size_t i;
	int found = 0;

	for (i = 0; i < ARRAY_SIZE(files) && !found; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s", objdir, files[i]);
		found = access(path.ptr, F_OK) == 0;
	}
	buf_release(&path);
	return found;
}

int
commit_graph_open(struct commit_graph **out, const char *objdir)
{
	struct commit_graph *g = calloc(1, sizeof(*g));
	struct buf path = BUF_INIT, chain = BUF_INIT;
	int rc;

	if (!g)
		return err_set(-E_GENERIC, "out of memory");
	buf_printf(&path, "%s/" CHAIN_FILE, objdir);
	rc = buf_read_file(&chain, path.ptr);
	if (rc == 0) {
		rc = open_chain(g, objdir, &chain);
	} else if (rc == -E_NOTFOUND) {
		err_clear();
		buf_reset(&path);
		buf_printf(&path, "%s/" SINGLE_FILE, objdir);
		rc = map_layer(g, path.ptr, NULL);
	}
	buf_release(&path);
	buf_release(&chain);
	if (rc < 0) {
		commit_graph_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

void
commit_graph_free(struct commit_graph *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->nlayers; i++)
		munmap(g->layers[i].map, g->layers[i].size);
	free(g->layers);
	free(g);
}

uint32_t
commit_graph_find(const struct commit_graph *g, const git_oid *id)
{
	size_t i = g->nlayers;
	unsigned b = id->id[0];

	while (i-- > 0) {	/* the newest layer first */
		const struct layer *l = &g->layers[i];
		uint32_t lo = b ? get_be32(l->fanout + (b - 1) * 4) : 0;
		uint32_t hi = get_be32(l->fanout + b * 4);

		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			int c = memcmp(l->oids + (size_t)mid * HASHSZ, id->id, HASHSZ);

			if (c == 0)
				return l->base + mid;
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return GRAPH_NONE;
}

static const struct layer *
layer_of(const struct commit_graph *g, uint32_t pos)
{
	size_t i = g->nlayers;

	while (i-- > 1 && pos < g->layers[i].base)
		;
	return &g->layers[i];
}

void
commit_graph_oid(const struct commit_graph *g, uint32_t pos, git_oid *id)
{
	const struct layer *l = layer_of(g, pos);

	memcpy(id->id, l->oids + (size_t)(pos - l->base) * HASHSZ, HASHSZ);
}

/* Adds parent value v (a position) to c; -E_INVALID past the graph. */
static int
add_parent(const struct commit_graph *g, const struct layer *l, struct graph_commit *c,
    uint32_t v)
{
	/* a layer's parents lie in it or below it */
	if (v >= l->base + l->n || v >= g->total)
		return err_set(-E_INVALID, "commit-graph: a parent position is out of range");
	if (c->nparents < ARRAY_SIZE(c->parents))
		c->parents[c->nparents] = v;
	c->nparents++;
	return 0;
}

int
commit_graph_commit(const struct commit_graph *g, uint32_t pos, struct graph_commit *c)
{
	const struct layer *l = layer_of(g, pos);
	const unsigned char *d = l->data + (size_t)(pos - l->base) * CDAT_SZ + HASHSZ;
	uint32_t p1 = get_be32(d), p2 = get_be32(d + 4), w = get_be32(d + 8);
	size_t e;
	int rc = 0;

	c->nparents = 0;
	c->generation = w >> 2;
	c->date = (int64_t)((uint64_t)(w & 3) << 32 | get_be32(d + 12));
	if (p1 != PARENT_NONE)
		rc = add_parent(g, l, c, p1);
	if (rc < 0 || p2 == PARENT_NONE)
		return rc;
	if (!(p2 & PARENT_EDGES))
		return add_parent(g, l, c, p2);
	for (e = p2 & ~PARENT_EDGES; rc == 0; e++) {
		uint32_t v;

		if (e >= l->nedges)
			return err_set(-E_INVALID, "commit-graph: an octopus runs past EDGE");
		v = get_be32(l->edges + e * 4);
		rc = add_parent(g, l, c, v & ~EDGE_LAST);
		if (v & EDGE_LAST)
			break;
	}
	return rc;
}
