/*
 * read_gpkg.c - rebuild the audit's linear system from a GeoPackage written by
 * `cpts export`, reading nothing but the file (what any reader of it can do).
 *
 * Cells: every maskable indicator (catalogue kinds COUNT and RATIO) of the layers
 * `communes` (feature "code (nom)") and `territoires` (feature "territoire"), plus the
 * published denominators of the shares. A cell with `<key>_masque` = 1 is unknown, with
 * the bounds the file publishes in `<key>_min` / `<key>_max` (none: at least 0, since
 * zeros are masked like 1 to T-1, and no upper bound); a count cell that is NULL and not
 * masked is an unknown >= 0 that is not checked.
 *
 * Relations:
 * - spatial: every count of a territory is the sum of its communes' (the commune
 *   field `territoire`); a territory holding a commune shared with another territory
 *   (a list in that field) gets no relation, its split not being published;
 * - declared ones (cpts_ind_relations, next to the catalogue): subgroups at most their
 *   total, and a published share tying its numerator to its denominator:
 *   scale * num - (r +- h) * den on either side of 0, h covering the rounding of r.
 * The masking threshold comes from the metadata row (option, seuil_masquage).
 */
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_int.h"
#include "cpts/profile.h"
#include "dep/dep.h"

/** One feature's identity and, for communes, its territory. */
typedef struct feat {
	char *id;   /* OWNED: feature part of the cell names */
	char *terr; /* OWNED: communes: territory field (NULL when none) */
} feat;

/** What is read of one layer. */
typedef struct layer_rd {
	const char *name; /* "communes" / "territoires" */
	char *label;      /* OWNED: layer part of the cell names: communes are the same
			     numbers in every publication, territories are named with their
			     partition ("territoires[bassins]") */
	cpts_vec feats;   /* feat */
} layer_rd;

static void layer_release(layer_rd *l)
{
	for (size_t i = 0; i < l->feats.n; i++) {
		free(cpts_vec_at(&l->feats, feat, i).id);
		free(cpts_vec_at(&l->feats, feat, i).terr);
	}
	cpts_vec_release(&l->feats);
	free(l->label);
}

static char *cell_name(const char *layer, const char *id, const char *key)
{
	return cpts_asprintf("%s|%s|%s", layer, id, key);
}

/* The metadata value of key (OWNED copy), or NULL. */
static char *meta_of(GDALDatasetH ds, const char *key)
{
	OGRLayerH lyr = GDALDatasetGetLayerByName(ds, "metadata");
	OGRFeatureH f;
	char *v = NULL;
	int ic, iv;

	if (!lyr)
		return NULL;
	ic = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(lyr), "cle");
	iv = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(lyr), "valeur");
	if (ic < 0 || iv < 0)
		return NULL;
	OGR_L_ResetReading(lyr);
	while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
		const char *k = OGR_F_GetFieldAsString(f, ic);
		if (!v && strcmp(k, key) == 0 && OGR_F_IsFieldSetAndNotNull(f, iv))
			v = cpts_strdup(OGR_F_GetFieldAsString(f, iv));
		OGR_F_Destroy(f);
	}
	return v;
}

static bool field_null(OGRFeatureH f, int i)
{
	return i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i);
}

/* The cell of one indicator of one feature. */
static void read_cell(cpts_lp *s, OGRFeatureH f, OGRFeatureDefnH fd, const char *layer,
		      const char *id, const cpts_indicator *ind)
{
	char buf[96];
	int iv = OGR_FD_GetFieldIndex(fd, ind->key), im, ilo, ihi;
	char *nm;
	cpts_lp_cell *c;
	size_t k;
	bool masked;

	if (iv < 0)
		return;
	snprintf(buf, sizeof(buf), "%s_masque", ind->key);
	im = OGR_FD_GetFieldIndex(fd, buf);
	snprintf(buf, sizeof(buf), "%s_min", ind->key);
	ilo = OGR_FD_GetFieldIndex(fd, buf);
	snprintf(buf, sizeof(buf), "%s_max", ind->key);
	ihi = OGR_FD_GetFieldIndex(fd, buf);
	masked = !field_null(f, im) && OGR_F_GetFieldAsInteger(f, im) == 1;
	nm = cell_name(layer, id, ind->key);
	k = cpts_lp_cell_get(s, nm); /* may grow the vector: index first, then address */
	c = &cpts_vec_at(&s->cells, cpts_lp_cell, k);
	free(nm);
	c->is_integer = ind->kind == CPTS_IND_COUNT;
	if (!masked && !field_null(f, iv)) {
		/* published here: known, even when another publication masks it */
		c->is_unknown = false;
		c->is_target = false;
		c->value = OGR_F_GetFieldAsDouble(f, iv);
		return;
	}
	if (masked && ind->kind == CPTS_IND_COUNT)
		c->was_masked = true;
	if (!c->is_unknown || c->is_target)
		return; /* already known, or already read as masked */
	c->is_unknown = true;
	c->lo = ind->kind == CPTS_IND_COUNT ? 0 : -INFINITY;
	c->hi = INFINITY;
	if (!masked || ind->kind != CPTS_IND_COUNT)
		return;
	c->is_target = true;
	c->lo = field_null(f, ilo) ? 0 : OGR_F_GetFieldAsDouble(f, ilo);
	c->hi = field_null(f, ihi) ? INFINITY : OGR_F_GetFieldAsDouble(f, ihi);
	/* known >= 0; must still reach 1 and T-1 (audit.h) */
	c->need_lo = fmax(c->lo, 1);
	c->need_hi = isinf(c->hi) ? fmax(c->need_lo, s->thr - 1) : c->hi;
}

static int read_layer(cpts_ctx *ctx, cpts_lp *s, GDALDatasetH ds, const char *path,
		      layer_rd *l, bool communes)
{
	OGRLayerH lyr = GDALDatasetGetLayerByName(ds, l->name);
	OGRFeatureDefnH fd;
	OGRFeatureH f;
	int iid, inom = -1, iterr = -1;

	if (!lyr)
		return CPTS_OK; /* a publication may hold only some layers */
	fd = OGR_L_GetLayerDefn(lyr);
	iid = OGR_FD_GetFieldIndex(fd, communes ? "code" : "territoire");
	if (communes) {
		inom = OGR_FD_GetFieldIndex(fd, "nom");
		iterr = OGR_FD_GetFieldIndex(fd, "territoire");
	}
	if (iid < 0)
		return cpts_fail(ctx, CPTS_EINPUT, "layer '%s' has no field '%s': not a cpts"
				 " export (at %s)", l->name, communes ? "code" : "territoire", path);
	OGR_L_ResetReading(lyr);
	while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
		feat *e = cpts_vec_push(&l->feats);
		if (!e)
			CPTS_BUG("audit: too many features");
		if (communes && !field_null(f, inom))
			e->id = cpts_asprintf("%s (%s)", OGR_F_GetFieldAsString(f, iid),
					      OGR_F_GetFieldAsString(f, inom));
		else
			e->id = cpts_strdup(OGR_F_GetFieldAsString(f, iid));
		e->terr = communes && !field_null(f, iterr) ?
			cpts_strdup(OGR_F_GetFieldAsString(f, iterr)) : NULL;
		for (const cpts_indicator *ind = cpts_indicators; ind->key; ind++)
			if (ind->kind == CPTS_IND_COUNT || ind->kind == CPTS_IND_RATIO ||
			    strcmp(ind->key, "icc_expected") == 0)
				read_cell(s, f, fd, l->label, e->id, ind);
		OGR_F_Destroy(f);
	}
	return CPTS_OK;
}

static long cell_of(const cpts_lp *s, const char *layer, const char *id, const char *key)
{
	char *nm = cell_name(layer, id, key);
	long k = cpts_lp_cell_find(s, nm);

	free(nm);
	return k;
}

/* Declared relations of one feature (also used by read_html.c and read_json.c): a
 * share published as a value ties its counts within half a unit of its last decimal, a
 * share published as bounds ("entre 13,5 % et 13,6 %": an unknown cell with finite
 * bounds) within those bounds. */
void au_feature_relations(cpts_lp *s, const char *layer, const char *id)
{
	for (const cpts_ind_relation *r = cpts_ind_relations; r->total; r++) {
		long t = cell_of(s, layer, id, r->total), p[4];
		size_t n = 0;
		bool ok = t >= 0;
		for (; ok && n < 4 && r->parts[n]; n++)
			ok = (p[n] = cell_of(s, layer, id, r->parts[n])) >= 0;
		if (!ok)
			continue;
		if (r->kind == CPTS_REL_PART) {
			cpts_lp_rel_begin(s, 0, INFINITY);
			cpts_lp_rel_term(s, (size_t)t, 1);
			for (size_t k = 0; k < n; k++)
				cpts_lp_rel_term(s, (size_t)p[k], -1);
			cpts_lp_rel_end(s);
			continue;
		}
		const cpts_lp_cell *rc = &cpts_vec_at(&s->cells, cpts_lp_cell, (size_t)t);
		double rlo, rhi;
		if (n != 2)
			continue;
		if (rc->is_unknown) {
			if (!isfinite(rc->lo) || !isfinite(rc->hi))
				continue;
			rlo = rc->lo;
			rhi = rc->hi;
		} else {
			const cpts_indicator *ind = cpts_indicator_find(r->total);
			double v = rc->value, q = pow(10, ind ? ind->decimals : 0);
			/* a value rounded to its display decimals may be anywhere in half a unit */
			double h = fabs(v * q - nearbyint(v * q)) < 1e-9 ? 0.5 / q : 0;
			h += 1e-9 * fmax(1, fabs(v));
			rlo = v - h;
			rhi = v + h;
		}
		cpts_lp_rel_begin(s, -INFINITY, 0);
		cpts_lp_rel_term(s, (size_t)p[0], r->scale);
		cpts_lp_rel_term(s, (size_t)p[1], -rhi);
		cpts_lp_rel_end(s);
		cpts_lp_rel_begin(s, 0, INFINITY);
		cpts_lp_rel_term(s, (size_t)p[0], r->scale);
		cpts_lp_rel_term(s, (size_t)p[1], -rlo);
		cpts_lp_rel_end(s);
	}
}

/* A masked count published with both bounds (a total over pre-masked input cells). */
static bool bounded(const cpts_lp_cell *c)
{
	return c->is_unknown && c->is_target && isfinite(c->hi) &&
	       c->hi - c->lo >= CPTS_PROFILE_INPUT_MASK_MAX - 1 - 1e-9;
}

/*
 * The known part of a territory's count over pre-masked input cells (issue 19, points
 * 2 and 6): published as [K + m, K + M m] (M = CPTS_PROFILE_INPUT_MASK_MAX, each
 * pre-masked cell 1 to M), it gives m = (hi - lo) / (M - 1) and K = lo - m, the sum of
 * its cells that are not pre-masked: K of the territory = sum of its communes' K. A
 * published commune is its own K, one with bounds has its K, a masked one without
 * bounds an unknown K between 0 and itself (it may hold pre-masked cells), or itself
 * when the communes with bounds already hold the m pre-masked cells.
 */
static void known_part_relation(cpts_lp *s, size_t tc, const long *cc, size_t n)
{
	const double M = CPTS_PROFILE_INPUT_MASK_MAX;
	const cpts_lp_cell *t = &cpts_vec_at(&s->cells, cpts_lp_cell, tc);
	double m_tot, k_tot, m_known = 0, k_known = 0;

	if (!bounded(t))
		return;
	m_tot = (t->hi - t->lo) / (M - 1);
	k_tot = t->lo - m_tot;
	for (size_t i = 0; i < n; i++) {
		const cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, (size_t)cc[i]);
		if (bounded(c)) {
			double m = (c->hi - c->lo) / (M - 1);
			m_known += m;
			k_known += c->lo - m;
		}
	}
	bool all_known = fabs(m_tot - m_known) < 1e-6;
	size_t *kc = cpts_calloc(n + 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		const cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, (size_t)cc[i]);
		kc[i] = (size_t)cc[i];
		if (bounded(c) || !c->is_unknown || all_known)
			continue;
		char *nm = cpts_asprintf("known part|%s", c->name);
		kc[i] = cpts_lp_cell_get(s, nm); /* unknown >= 0, not a target */
		free(nm);
		cpts_lp_rel_begin(s, 0, INFINITY);
		cpts_lp_rel_term(s, (size_t)cc[i], 1);
		cpts_lp_rel_term(s, kc[i], -1);
		cpts_lp_rel_end(s);
	}
	cpts_lp_rel_begin(s, k_tot - k_known, k_tot - k_known);
	for (size_t i = 0; i < n; i++)
		if (!bounded(&cpts_vec_at(&s->cells, cpts_lp_cell, (size_t)cc[i])))
			cpts_lp_rel_term(s, kc[i], 1);
	cpts_lp_rel_end(s);
	free(kc);
}

/* territory (count) = sum of its communes (count), for unshared territories; and the
 * known parts of a territory published with bounds (known_part_relation). */
static void spatial_relations(cpts_lp *s, const layer_rd *com, const layer_rd *ter)
{
	cpts_strmap *tix = cpts_strmap_new(ter->feats.n + 1); /* territory id -> index */
	bool *shared = cpts_calloc(ter->feats.n + 1, sizeof(bool));
	size_t *head = cpts_calloc(ter->feats.n + 1, sizeof(size_t)); /* first commune + 1 */
	size_t *next = cpts_calloc(com->feats.n + 1, sizeof(size_t)); /* next commune + 1 */
	int64_t k;
	cpts_vec mem; /* long: the cells of a territory's communes */

	cpts_vec_init(&mem, sizeof(long), SIZE_MAX / sizeof(long));
	for (size_t t = 0; t < ter->feats.n; t++)
		cpts_strmap_put(tix, cpts_vec_at(&ter->feats, feat, t).id, (int64_t)t);
	for (size_t i = com->feats.n; i-- > 0;) {
		const feat *e = &cpts_vec_at(&com->feats, feat, i);
		if (!e->terr)
			continue;
		if (!strchr(e->terr, ',')) {
			if (cpts_strmap_get(tix, e->terr, &k)) {
				next[i] = head[k];
				head[k] = i + 1;
			}
			continue;
		}
		for (const char *p = e->terr; *p;) {
			size_t n = strcspn(p, ",");
			char *tok = cpts_asprintf("%.*s", (int)n, p);
			if (cpts_strmap_get(tix, tok, &k))
				shared[k] = true;
			free(tok);
			p += n + (p[n] == ',');
		}
	}
	for (size_t t = 0; t < ter->feats.n; t++) {
		const char *tid = cpts_vec_at(&ter->feats, feat, t).id;
		if (shared[t])
			continue;
		for (const cpts_indicator *ind = cpts_indicators; ind->key; ind++) {
			long tc;
			if (ind->kind != CPTS_IND_COUNT ||
			    (tc = cell_of(s, ter->label, tid, ind->key)) < 0)
				continue;
			mem.n = 0;
			cpts_lp_rel_begin(s, 0, 0);
			cpts_lp_rel_term(s, (size_t)tc, 1);
			for (size_t i = head[t]; i; i = next[i - 1]) {
				const feat *e = &cpts_vec_at(&com->feats, feat, i - 1);
				long cc = cell_of(s, com->label, e->id, ind->key);
				if (cc >= 0) {
					cpts_lp_rel_term(s, (size_t)cc, -1);
					*(long *)cpts_vec_push(&mem) = cc;
				}
			}
			cpts_lp_rel_end(s);
			known_part_relation(s, (size_t)tc, mem.data, mem.n);
		}
	}
	cpts_vec_release(&mem);
	free(head);
	free(next);
	free(shared);
	cpts_strmap_free(tix);
}

int au_read_gpkg(cpts_ctx *ctx, cpts_lp *s, const char *path)
{
	layer_rd com = { "communes", NULL, { 0 } }, ter = { "territoires", NULL, { 0 } };
	GDALDatasetH ds;
	char *v;
	int rc;

	cpts_gdal_init();
	ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
	if (!ds)
		return cpts_fail_gdal(ctx, CPTS_EIO, "cannot open '%s' as a vector dataset",
				      path);
	if (!GDALDatasetGetLayerByName(ds, "communes") &&
	    !GDALDatasetGetLayerByName(ds, "territoires")) {
		GDALClose(ds);
		return cpts_fail(ctx, CPTS_EINPUT, "'%s' has neither a 'communes' nor a"
				 " 'territoires' layer: not a cpts export", path);
	}
	if (s->thr <= 0 && (v = meta_of(ds, "seuil_masquage")) != NULL) {
		s->thr = strtod(v, NULL);
		free(v);
	}
	if (s->thr <= 0)
		s->thr = CPTS_DOMAIN_MASK_THRESHOLD; /* the default when the file does not say */
	v = meta_of(ds, "nom");
	com.label = cpts_strdup("communes");
	ter.label = cpts_asprintf("territoires[%s]", v ? v : path);
	free(v);
	cpts_vec_init(&com.feats, sizeof(feat), SIZE_MAX / sizeof(feat));
	cpts_vec_init(&ter.feats, sizeof(feat), SIZE_MAX / sizeof(feat));
	if ((rc = read_layer(ctx, s, ds, path, &com, true)) == 0 &&
	    (rc = read_layer(ctx, s, ds, path, &ter, false)) == 0) {
		for (size_t i = 0; i < com.feats.n; i++)
			au_feature_relations(s, com.label, cpts_vec_at(&com.feats, feat, i).id);
		for (size_t i = 0; i < ter.feats.n; i++)
			au_feature_relations(s, ter.label, cpts_vec_at(&ter.feats, feat, i).id);
		spatial_relations(s, &com, &ter);
	}
	layer_release(&com);
	layer_release(&ter);
	GDALClose(ds);
	return rc;
}
