/* pack.c - pack files (.idx v2 and .pack) read in place, delta chains
 * applied oldest first with two buffers; and loose objects. */
#include "git/pack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zlib.h>

#include "lib/err.h"
#include "lib/util.h"

#define HASHSZ 20
#define MAX_CHAIN 10000		/* git's own limit on depth is 4095 */
#define MAX_OBJECT (1u << 30)

enum { OBJ_OFS_DELTA = 6, OBJ_REF_DELTA = 7 };

struct pack {
	char *idx_path;
	const unsigned char *idx, *data;	/* mapped, or NULL until first use */
	size_t idx_len, data_len;
	uint32_t n;
	int broken;		/* could not be mapped: skipped */
};

/* An object read before: a later chain may pass through it, and the
 * caller may still hold its bytes (packs_set_source). */
struct past {
	const struct pack *pack;
	uint64_t off;
	git_oid id;
	git_object_t type;
};

#define NPAST 16

struct packs {
	struct pack *v;
	size_t n;
	struct past past[NPAST];	/* the last objects read, round robin */
	size_t next_past;
	const char *(*source)(void *ctx, const git_oid *id, size_t *len);
	void *source_ctx;
	struct buf scratch, delta;	/* reused from one read to the next */
	struct libdeflate_decompressor *inflater;
};

/* One step of a chain: an entry of a pack. */
struct step {
	struct pack *pack;
	uint64_t off;		/* of the entry's header */
	uint64_t data;		/* of its zlib stream */
	uint64_t size;		/* of what the stream inflates to */
	int type;
};

static int
bad(const struct pack *k, const char *what)
{
	return err_set(-E_INVALID, "%.*s.pack: %s", (int)(strlen(k->idx_path) - 4),
	    k->idx_path, what);
}

int
packs_open(struct packs **out, const char *objdir)
{
	struct packs *p = xcalloc(1, sizeof(*p));
	struct buf dir = BUF_INIT;
	struct dirent *de;
	DIR *d;

	p->scratch = (struct buf)BUF_INIT;
	p->delta = (struct buf)BUF_INIT;
	buf_printf(&dir, "%s/pack", objdir);
	if ((d = opendir(dir.ptr))) {
		while ((de = readdir(d))) {
			size_t len = strlen(de->d_name);

			if (len < 5 || strcmp(de->d_name + len - 4, ".idx"))
				continue;
			struct buf path = BUF_INIT;

			buf_printf(&path, "%s/%s", dir.ptr, de->d_name);
			p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
			memset(&p->v[p->n], 0, sizeof(p->v[p->n]));
			p->v[p->n++].idx_path = buf_detach(&path, NULL);
		}
		closedir(d);
	}
	buf_release(&dir);
	*out = p;
	return 0;
}

void
packs_free(struct packs *p)
{
	size_t i;

	if (!p)
		return;
	buf_release(&p->scratch);
	buf_release(&p->delta);
	if (p->inflater)
		libdeflate_free_decompressor(p->inflater);
	for (i = 0; i < p->n; i++) {
		if (p->v[i].idx)
			munmap((void *)p->v[i].idx, p->v[i].idx_len);
		if (p->v[i].data)
			munmap((void *)p->v[i].data, p->v[i].data_len);
		free(p->v[i].idx_path);
	}
	free(p->v);
	free(p);
}

static const unsigned char *
map_file(const char *path, size_t *len)
{
	struct stat st;
	void *m = MAP_FAILED;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
		*len = (size_t)st.st_size;
		m = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	}
	if (fd >= 0)
		close(fd);
	return m == MAP_FAILED ? NULL : m;
}

/* Maps k's index and pack and checks their headers; 0 or -1 (skipped). */
static int
pack_map(struct pack *k)
{
	struct buf path = BUF_INIT;

	if (k->idx || k->broken)
		return k->broken ? -1 : 0;
	k->broken = 1;
	if (!(k->idx = map_file(k->idx_path, &k->idx_len)))
		return -1;
	buf_printf(&path, "%.*s.pack", (int)(strlen(k->idx_path) - 4), k->idx_path);
	k->data = map_file(path.ptr, &k->data_len);
	buf_release(&path);
	if (!k->data || k->idx_len < 8 + 256 * 4 + 2 * HASHSZ || memcmp(k->idx, "\377tOc", 4) ||
	    get_be32(k->idx + 4) != 2 || k->data_len < 12 + HASHSZ || memcmp(k->data, "PACK", 4))
		return -1;
	k->n = get_be32(k->idx + 8 + 255 * 4);
	/* names, CRCs, 32-bit offsets, and the two checksums at least */
	if ((k->idx_len - 8 - 256 * 4 - 2 * HASHSZ) / (HASHSZ + 8) < k->n)
		return -1;
	k->broken = 0;
	return 0;
}

/* The offset of id in k, or -E_NOTFOUND. */
static int
pack_find(struct pack *k, const git_oid *id, uint64_t *off)
{
	const unsigned char *fan, *names, *offs;
	uint32_t lo, hi, o;
	unsigned b = id->id[0];

	if (pack_map(k) < 0)
		return -E_NOTFOUND;
	fan = k->idx + 8;
	names = fan + 256 * 4;
	offs = names + (size_t)k->n * (HASHSZ + 4);
	lo = b ? get_be32(fan + (b - 1) * 4) : 0;
	hi = get_be32(fan + b * 4);
	if (hi > k->n || lo > hi)
		return -E_NOTFOUND;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(names + (size_t)mid * HASHSZ, id->id, HASHSZ);

		if (c < 0) {
			lo = mid + 1;
		} else if (c > 0) {
			hi = mid;
		} else {
			o = get_be32(offs + (size_t)mid * 4);
			if (o & 0x80000000u) {	/* in the table of large offsets */
				size_t at = (size_t)(offs - k->idx) + (size_t)k->n * 4 +
				    (size_t)(o & 0x7fffffffu) * 8;

				if (at + 8 > k->idx_len - 2 * HASHSZ)
					return bad(k, "an offset past the index");
				*off = (uint64_t)get_be32(k->idx + at) << 32 |
				    get_be32(k->idx + at + 4);
			} else {
				*off = o;
			}
			if (*off >= k->data_len)
				return bad(k, "an object offset past the end");
			return 0;
		}
	}
	return -E_NOTFOUND;
}

/* Parses the entry header at s->off; for a delta, its base in *base_off
 * (same pack) or *base_id (a REF_DELTA). */
static int
entry_at(struct step *s, uint64_t *base_off, const unsigned char **base_id)
{
	const struct pack *k = s->pack;
	const unsigned char *p, *end = k->data + k->data_len - HASHSZ;
	unsigned shift = 4;
	unsigned char c;

	/* checked before it makes a pointer: a wild offset could wrap around */
	if (s->off < 12 || s->off >= k->data_len - HASHSZ)
		return bad(k, "an object offset past the end");
	p = k->data + s->off;
	c = *p++;
	s->type = (c >> 4) & 7;
	s->size = c & 15;
	while (c & 0x80) {
		if (p >= end || shift > 57)
			return bad(k, "a broken object header");
		c = *p++;
		s->size |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	}
	if (s->type == OBJ_OFS_DELTA) {
		uint64_t back;

		if (p >= end)
			return bad(k, "a broken delta header");
		c = *p++;
		back = c & 0x7f;
		while (c & 0x80) {
			if (p >= end || back >> 56)
				return bad(k, "a broken delta header");
			c = *p++;
			back = ((back + 1) << 7) | (c & 0x7f);
		}
		if (back == 0 || back > s->off)
			return bad(k, "a delta base before the pack");
		*base_off = s->off - back;
	} else if (s->type == OBJ_REF_DELTA) {
		if (p + HASHSZ > end)
			return bad(k, "a broken delta header");
		*base_id = p;
		p += HASHSZ;
	} else if (s->type < GIT_OBJECT_COMMIT || s->type > GIT_OBJECT_TAG) {
		return bad(k, "an object of unknown type");
	}
	if (s->size > MAX_OBJECT)
		return bad(k, "an object too large to read here");
	s->data = (uint64_t)(p - k->data);
	return 0;
}

/* Inflates step s's stream into out (exactly s->size bytes): libdeflate,
 * twice zlib's speed on a tree, and it checks the stream's Adler-32. */
static int
inflate_step(struct packs *p, const struct step *s, struct buf *out)
{
	const struct pack *k = s->pack;
	size_t in_used = 0, got = 0;

	buf_reset(out);
	buf_grow(out, (size_t)s->size + 1);
	if (!p->inflater && !(p->inflater = libdeflate_alloc_decompressor()))
		return err_set(-E_GENERIC, "out of memory");
	if (libdeflate_zlib_decompress_ex(p->inflater, k->data + s->data,
	    k->data_len - HASHSZ - s->data, out->ptr, (size_t)s->size, &in_used,
	    &got) != LIBDEFLATE_SUCCESS || got != s->size)
		return bad(k, "an object's zlib stream is broken");
	buf_wrote(out, got);
	return 0;
}

/* A delta's size field at *p (7 bits a byte, least significant first). */
static int
delta_size(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	unsigned shift = 0;
	unsigned char c;

	*v = 0;
	do {
		if (*p >= end || shift > 57)
			return -1;
		c = *(*p)++;
		*v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	return 0;
}

/* out = base with delta applied. */
static int
apply_delta(const struct pack *k, const struct buf *base, const struct buf *delta,
    struct buf *out)
{
	const unsigned char *p = (const unsigned char *)delta->ptr, *end = p + delta->len;
	const unsigned char *src = (const unsigned char *)base->ptr;
	uint64_t src_size, dst_size;
	size_t at = 0;

	if (delta_size(&p, end, &src_size) < 0 || delta_size(&p, end, &dst_size) < 0 ||
	    src_size != base->len || dst_size > MAX_OBJECT)
		return bad(k, "a delta does not fit its base");
	buf_reset(out);
	buf_grow(out, (size_t)dst_size + 1);
	while (p < end) {
		unsigned char cmd = *p++;

		if (cmd & 0x80) {	/* copy from the base */
			uint64_t off = 0, len = 0;
			int i;

			for (i = 0; i < 4; i++)
				if (cmd & (1 << i)) {
					if (p >= end)
						return bad(k, "a truncated delta");
					off |= (uint64_t)*p++ << (8 * i);
				}
			for (i = 0; i < 3; i++)
				if (cmd & (0x10 << i)) {
					if (p >= end)
						return bad(k, "a truncated delta");
					len |= (uint64_t)*p++ << (8 * i);
				}
			if (len == 0)
				len = 0x10000;
			if (off + len > src_size || at + len > dst_size)
				return bad(k, "a delta copies past its base");
			memcpy(out->ptr + at, src + off, (size_t)len);
			at += (size_t)len;
		} else if (cmd) {	/* literal bytes */
			if ((size_t)(end - p) < cmd || at + cmd > dst_size)
				return bad(k, "a truncated delta");
			memcpy(out->ptr + at, p, cmd);
			at += cmd;
			p += cmd;
		} else {
			return bad(k, "a delta with a reserved instruction");
		}
	}
	if (at != dst_size)
		return bad(k, "a delta shorter than it says");
	buf_wrote(out, at);
	return 0;
}

/* Where id is: the first pack that holds it. */
static int
locate(struct packs *p, const git_oid *id, struct step *s)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		int rc = pack_find(&p->v[i], id, &s->off);

		if (rc != -E_NOTFOUND) {
			s->pack = &p->v[i];
			return rc;
		}
	}
	return -E_NOTFOUND;
}

void
packs_set_source(struct packs *p, const char *(*fn)(void *ctx, const git_oid *id,
    size_t *len), void *ctx)
{
	p->source = fn;
	p->source_ctx = ctx;
}

/* The bytes of an object read before whose entry is at s, if the caller
 * still holds them. */
static const char *
past_at(const struct packs *p, const struct step *s, git_object_t *type, size_t *len)
{
	size_t i;

	for (i = 0; p->source && i < NPAST; i++)
		if (p->past[i].pack == s->pack && p->past[i].off == s->off) {
			*type = p->past[i].type;
			return p->source(p->source_ctx, &p->past[i].id, len);
		}
	return NULL;
}

static void
remember(struct packs *p, const struct step *s, const git_oid *id, git_object_t type)
{
	struct past *k = &p->past[p->next_past];

	p->next_past = (p->next_past + 1) % NPAST;
	k->pack = s->pack;
	k->off = s->off;
	git_oid_cpy(&k->id, id);
	k->type = type;
}

int
packs_read(struct packs *p, const git_oid *id, git_object_t *type, struct buf *out)
{
	struct step *chain = NULL, s, first;
	struct buf *cur, *next, *t;
	const char *hit = NULL;
	size_t n = 0, alloc = 0, i, turns, hit_len = 0;
	git_object_t hit_type = GIT_OBJECT_INVALID;
	int rc;

	buf_reset(out);
	memset(&s, 0, sizeof(s));
	if ((rc = locate(p, id, &s)) < 0)
		return rc;
	first = s;
	/* down the chain to an object that is not a delta, or one still held */
	while (!(hit = past_at(p, &s, &hit_type, &hit_len))) {
		uint64_t base_off = 0;
		const unsigned char *base_id = NULL;
		git_oid bid;

		if ((rc = entry_at(&s, &base_off, &base_id)) < 0)
			goto out;
		if (n == MAX_CHAIN) {
			rc = bad(s.pack, "a delta chain too long (a loop?)");
			goto out;
		}
		if (n == alloc)
			chain = xrealloc(chain, (alloc = alloc ? 2 * alloc : 32) * sizeof(*chain));
		chain[n++] = s;
		if (s.type == OBJ_OFS_DELTA) {
			s.off = base_off;
		} else if (s.type == OBJ_REF_DELTA) {
			memcpy(bid.id, base_id, HASHSZ);
			if ((rc = locate(p, &bid, &s)) < 0) {
				if (rc == -E_NOTFOUND)
					rc = bad(chain[n - 1].pack, "a delta's base is in no pack");
				goto out;
			}
		} else {
			break;
		}
	}
	/* the base, then each delta on it: after the last turn the result is in out */
	turns = hit ? n : n - 1;
	cur = turns % 2 ? &p->scratch : out;
	next = cur == out ? &p->scratch : out;
	buf_reset(cur);
	if (hit) {
		buf_add(cur, hit, hit_len);
		*type = hit_type;
	} else {
		if ((rc = inflate_step(p, &chain[n - 1], cur)) < 0)
			goto out;
		*type = (git_object_t)chain[n - 1].type;
	}
	for (i = turns; i-- > 0;) {
		if ((rc = inflate_step(p, &chain[i], &p->delta)) < 0 ||
		    (rc = apply_delta(chain[i].pack, cur, &p->delta, next)) < 0)
			goto out;
		t = cur;
		cur = next;
		next = t;
	}
	remember(p, &first, id, *type);
out:
	free(chain);
	if (rc < 0)
		buf_reset(out);
	return rc;
}

int
loose_read(const char *objdir, const git_oid *id, git_object_t *type, struct buf *out)
{
	struct libdeflate_decompressor *d = NULL;
	char hex[GIT_OID_HEXSZ + 1], head[64], word[8];
	struct buf path = BUF_INIT, file = BUF_INIT;
	size_t hlen, size, got = 0;
	const char *sp, *p;
	z_stream z;
	int rc;

	buf_reset(out);
	git_oid_tostr(hex, sizeof(hex), id);
	buf_printf(&path, "%s/%.2s/%s", objdir, hex, hex + 2);
	if ((rc = buf_read_file(&file, path.ptr)) < 0) {
		if (rc == -E_NOTFOUND)
			err_clear();
		goto out;
	}
	/* the header ("tree 1234\0") first, with zlib: it says how much follows */
	memset(&z, 0, sizeof(z));
	rc = -E_INVALID;
	if (inflateInit(&z) != Z_OK)
		goto broken;
	z.next_in = (unsigned char *)file.ptr;
	z.avail_in = (uInt)file.len;
	z.next_out = (unsigned char *)head;
	z.avail_out = sizeof(head);
	inflate(&z, Z_SYNC_FLUSH);
	hlen = sizeof(head) - z.avail_out;
	inflateEnd(&z);
	if (!(sp = memchr(head, ' ', hlen)) || !memchr(sp, '\0', hlen - (size_t)(sp - head)))
		goto broken;
	if ((size_t)(sp - head) >= sizeof(word))
		goto broken;
	memcpy(word, head, (size_t)(sp - head));
	word[sp - head] = '\0';
	*type = git_object_string2type(word);
	/* the size as git writes it: decimal digits, no sign, no leading zero */
	for (p = sp + 1, size = 0; *p >= '0' && *p <= '9' && size <= MAX_OBJECT; p++)
		size = size * 10 + (size_t)(*p - '0');
	hlen = (size_t)(p - head) + 1;
	if (*type == GIT_OBJECT_INVALID || *p || p == sp + 1 || (sp[1] == '0' && p > sp + 2) ||
	    size > MAX_OBJECT)
		goto broken;
	/* then all of it, with libdeflate, into out; the header dropped */
	buf_grow(out, hlen + size + 1);
	if (!(d = libdeflate_alloc_decompressor())) {
		rc = err_set(-E_GENERIC, "out of memory");
		goto out;
	}
	if (libdeflate_zlib_decompress(d, file.ptr, file.len, out->ptr, hlen + size, &got) !=
	    LIBDEFLATE_SUCCESS || got != hlen + size)
		goto broken;
	memmove(out->ptr, out->ptr + hlen, size);
	buf_wrote(out, size);
	rc = 0;
	goto out;
broken:
	rc = err_set(-E_INVALID, "%s: not a loose object", path.ptr);
out:
	if (d)
		libdeflate_free_decompressor(d);
	buf_release(&path);
	buf_release(&file);
	return rc;
}
