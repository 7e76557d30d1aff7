/*
 * contiguity_read.c - the ring points of every commune, read straight from the
 * workspace's SpatiaLite geometry blobs into flat arrays (contiguity_int.h).
 *
 * Why a parser of our own: a SpatiaLite Polygon or MultiPolygon blob lays out its
 * polygon bodies as WKB does, so walking it costs one pass over the bytes; building
 * 35,000 GEOS polygons, or converting each blob to WKB, only to walk their coordinates
 * would cost more than the whole matching. Any other layout (compressed geometries...)
 * is asked again as WKB (AsBinary) and walked by the WKB reader here.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dep/dep.h"
#include "graph/contiguity_int.h"

typedef struct wkb {
	const unsigned char *p, *end;
	bool swap;
} wkb;

static bool wkb_u32(wkb *w, uint32_t *out)
{
	uint32_t v;

	if (w->end - w->p < 4)
		return false;
	memcpy(&v, w->p, 4);
	w->p += 4;
	*out = w->swap ? __builtin_bswap32(v) : v;
	return true;
}

/* Byte order and type of the next WKB geometry; dims = coordinates per point. */
static bool wkb_header(wkb *w, uint32_t *type, int *dims)
{
	uint32_t t;

	if (w->p >= w->end)
		return false;
	w->swap = (*w->p == 0) == (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
	w->p++;
	if (!wkb_u32(w, &t))
		return false;
	*dims = 2 + ((t & 0x80000000u) != 0) + ((t & 0x40000000u) != 0);
	t &= 0x0fffffffu;
	if (t >= 3000)
		*dims = 4;
	else if (t >= 1000)
		*dims = 3;
	*type = t % 1000;
	return true;
}

/* Append the rings of a polygon body (ring count, then each ring's point count and
 * points) to the point arrays as points of commune c. */
static int wkb_polygon(build *b, wkb *w, uint32_t c, int dims)
{
	uint32_t n_rings;

	if (!wkb_u32(w, &n_rings))
		return -1;
	for (uint32_t r = 0; r < n_rings; r++) {
		uint32_t n_pts;
		size_t cap;
		if (!wkb_u32(w, &n_pts) || (size_t)(w->end - w->p) < (size_t)n_pts * 8 * dims)
			return -1;
		if (!n_pts)
			continue;
		if (b->n_pt + n_pts >= NONE)
			return -1;
		if (b->n_pt + n_pts > b->cap_pt) {
			cap = b->cap_pt;
			b->x = grow(b->x, &cap, b->n_pt + n_pts, sizeof(double));
			cap = b->cap_pt;
			b->y = grow(b->y, &cap, b->n_pt + n_pts, sizeof(double));
			b->pc = grow(b->pc, &b->cap_pt, b->n_pt + n_pts, sizeof(uint32_t));
		}
		b->ring = grow(b->ring, &b->cap_ring, b->n_ring + 2, sizeof(uint32_t));
		b->ring[b->n_ring++] = (uint32_t)b->n_pt;
		for (uint32_t k = 0; k < n_pts; k++, w->p += 8 * dims) {
			uint64_t vx, vy;
			memcpy(&vx, w->p, 8);
			memcpy(&vy, w->p + 8, 8);
			if (w->swap) {
				vx = __builtin_bswap64(vx);
				vy = __builtin_bswap64(vy);
			}
			memcpy(&b->x[b->n_pt], &vx, 8);
			memcpy(&b->y[b->n_pt], &vy, 8);
			b->pc[b->n_pt++] = c;
		}
	}
	return 0;
}

/* Walk a Polygon or MultiPolygon WKB of commune c. */
static int wkb_walk(build *b, const unsigned char *data, size_t len, uint32_t c)
{
	wkb w = { data, data + len, false };
	uint32_t type, n_parts;
	int dims;

	if (!wkb_header(&w, &type, &dims))
		return -1;
	if (type == 3)
		return wkb_polygon(b, &w, c, dims);
	if (type != 6 || !wkb_u32(&w, &n_parts))
		return -1;
	for (uint32_t i = 0; i < n_parts; i++) {
		if (!wkb_header(&w, &type, &dims) || type != 3)
			return -1;
		if (wkb_polygon(b, &w, c, dims) < 0)
			return -1;
	}
	return 0;
}

/* Coordinates per point of an uncompressed SpatiaLite class (XY, XYZ, XYM, XYZM) of
 * base type want, 0 for anything else (compressed classes included). */
static int spl_dims(uint32_t t, uint32_t want)
{
	return t == want ? 2 : t == 1000 + want || t == 2000 + want ? 3
	       : t == 3000 + want ? 4 : 0;
}

/*
 * Walk the SpatiaLite blob of commune c: 0x00, byte order, SRID, MBR (4 doubles), 0x7C,
 * class, body, 0xFE; a Polygon body as in WKB, a MultiPolygon one as a part count
 * then, per part, 0x69, the class and a Polygon body. Returns 1 for a layout it does
 * not know (compressed geometries...), leaving the point arrays as they were.
 */
static int spl_walk(build *b, const unsigned char *d, size_t len, uint32_t c)
{
	wkb w = { d + 43, d + len - 1, false };
	size_t n_pt = b->n_pt, n_ring = b->n_ring;
	uint32_t type, n_parts;
	int dims;

	if (len < 48 || d[0] != 0x00 || (d[1] != 0 && d[1] != 1) || d[38] != 0x7C ||
	    d[len - 1] != 0xFE)
		return 1;
	w.swap = (d[1] == 1) != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
	w.p = d + 39;
	if (!wkb_u32(&w, &type))
		return 1;
	if ((dims = spl_dims(type, 3)) > 0) {
		if (wkb_polygon(b, &w, c, dims) < 0)
			goto unknown;
	} else if (spl_dims(type, 6) > 0 && wkb_u32(&w, &n_parts)) {
		for (uint32_t i = 0; i < n_parts; i++) {
			if (w.p >= w.end || *w.p++ != 0x69 || !wkb_u32(&w, &type) ||
			    (dims = spl_dims(type, 3)) == 0 || wkb_polygon(b, &w, c, dims) < 0)
				goto unknown;
		}
	} else {
		return 1;
	}
	if (w.p == w.end)
		return 0;
unknown:
	b->n_pt = n_pt;
	b->n_ring = n_ring;
	return 1;
}

/* One commune's geometry blob (cpts_store_commune_blobs): its rings into the point
 * arrays; > 0 asks for the blob as WKB (another SpatiaLite layout). */
typedef struct geom_arg {
	build *b;
	const cpts_model *m;
	cpts_store *s;
	size_t done;
} geom_arg;

static int add_geometry(void *arg, const char *code, const unsigned char *blob, size_t len,
			bool as_wkb)
{
	geom_arg *g = arg;
	long i = cpts_model_find(g->m, code);
	int w = -1, rc;

	if (i < 0)
		return 0;
	if (blob && !as_wkb && (w = spl_walk(g->b, blob, len, (uint32_t)i)) > 0)
		return 1;
	if (blob && as_wkb)
		w = wkb_walk(g->b, blob, len, (uint32_t)i);
	if (w < 0) {
		rc = cpts_fail(g->b->ctx, CPTS_EINPUT, "the geometry of commune %s is missing or"
			       " is not a polygon", code);
		cpts_error_where(g->b->ctx, "%s|communes|code=%s", cpts_store_path(g->s), code);
		return rc;
	}
	if ((++g->done & 4095) == 0 &&
	    (rc = cpts_progress(g->b->ctx, 0.6 * (double)g->done / (double)g->m->n,
				"contiguity")) < 0)
		return rc;
	return 0;
}

/* Read every commune's rings into the point arrays. */
int cpts_graph__read_rings(build *b, const cpts_model *m, cpts_store *s)
{
	geom_arg g = { b, m, s, 0 };
	int rc;

	if ((rc = cpts_store_commune_blobs(b->ctx, s, add_geometry, &g)) < 0)
		return rc;
	b->ring = grow(b->ring, &b->cap_ring, b->n_ring + 1, sizeof(uint32_t));
	b->ring[b->n_ring] = (uint32_t)b->n_pt;
	return CPTS_OK;
}

