/*
 * read_flux.c - the audit's reading of published flows (issue 19, attack 6): the flux
 * layer of a GeoPackage (commune pairs, exact) against the report's flow tables and
 * named destinations.
 *
 * A flow table row is a block of commune pairs: the residents of the page's territory
 * going to another territory ("Destination"), to the communes outside the territories,
 * outside the area, or coming from them ("Origine"); "Autres" holds every block no
 * row shows, the Total all. A block = its pairs in the flux layer (constants: a pair is
 * one number in every file read) + a residual >= 0, the sum of its unpublished small
 * pairs: the residual is the target, narrowed when it does not reach 1 and T-1 and is
 * not proved 0 (no unpublished flow: nothing learnt) or >= T. A named destination
 * ("Principales communes de recours hors du territoire : X (1,7 %)") is a sub-block of
 * its commune: at least T flows (named only then), its share of the Total at the
 * printed decimals; its residual is a target too, and the block's residual is at least
 * the sum of its named destinations'. Zones are placed by the report's commune tables
 * (a commune of no page is outside the territories); pages and pairs of one partition
 * are related, pairs of any file (a flux layer of another partition) are known.
 *
 * Ownership: au_flux OWNS every string and vector it holds.
 */
#include <gdal.h>
#include <libxml/tree.h>
#include <math.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_int.h"
#include "cpts/util.h"
#include "dep/dep.h"

typedef struct fx_pair {
	char *o, *d;     /* commune codes */
	char *zo, *zd;   /* territory ids of the flux layer (NULL: none), of part */
	char *part;
	double vol;
} fx_pair;

typedef struct fx_table {
	char *part, *terr, *dir; /* dir: "Destination" / "Origine" */
	cpts_vec labels;         /* char * OWNED */
} fx_table;

typedef struct fx_top {
	char *part, *terr, *name;
	double share;
	int dec;
} fx_top;

struct au_flux {
	cpts_vec pairs;     /* fx_pair */
	cpts_strmap *pix;   /* "o>d" -> pair index */
	cpts_vec tables;    /* fx_table */
	cpts_vec tops;      /* fx_top */
	cpts_strmap *terr_of; /* "part\x1fcode" -> index in terr_names */
	cpts_vec terr_names;  /* char * OWNED */
	cpts_strmap *names;   /* commune name -> index in codes, -1 when ambiguous */
	cpts_vec codes;       /* char * OWNED */
	cpts_strmap *in_ws;   /* "part\x1fcode": a commune of the GeoPackage's layer */
};

au_flux *au_flux_new(void)
{
	au_flux *f = cpts_calloc(1, sizeof(*f));

	cpts_vec_init(&f->pairs, sizeof(fx_pair), SIZE_MAX / sizeof(fx_pair));
	cpts_vec_init(&f->tables, sizeof(fx_table), SIZE_MAX / sizeof(fx_table));
	cpts_vec_init(&f->tops, sizeof(fx_top), SIZE_MAX / sizeof(fx_top));
	cpts_vec_init(&f->terr_names, sizeof(char *), SIZE_MAX / sizeof(char *));
	cpts_vec_init(&f->codes, sizeof(char *), SIZE_MAX / sizeof(char *));
	f->pix = cpts_strmap_new(1024);
	f->terr_of = cpts_strmap_new(1024);
	f->names = cpts_strmap_new(1024);
	f->in_ws = cpts_strmap_new(1024);
	return f;
}

void au_flux_free(au_flux *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->pairs.n; i++) {
		fx_pair *p = &cpts_vec_at(&f->pairs, fx_pair, i);
		free(p->o);
		free(p->d);
		free(p->zo);
		free(p->zd);
		free(p->part);
	}
	for (size_t i = 0; i < f->tables.n; i++) {
		fx_table *t = &cpts_vec_at(&f->tables, fx_table, i);
		for (size_t k = 0; k < t->labels.n; k++)
			free(cpts_vec_at(&t->labels, char *, k));
		cpts_vec_release(&t->labels);
		free(t->part);
		free(t->terr);
		free(t->dir);
	}
	for (size_t i = 0; i < f->tops.n; i++) {
		fx_top *t = &cpts_vec_at(&f->tops, fx_top, i);
		free(t->part);
		free(t->terr);
		free(t->name);
	}
	for (size_t i = 0; i < f->terr_names.n; i++)
		free(cpts_vec_at(&f->terr_names, char *, i));
	for (size_t i = 0; i < f->codes.n; i++)
		free(cpts_vec_at(&f->codes, char *, i));
	cpts_vec_release(&f->pairs);
	cpts_vec_release(&f->tables);
	cpts_vec_release(&f->tops);
	cpts_vec_release(&f->terr_names);
	cpts_vec_release(&f->codes);
	cpts_strmap_free(f->pix);
	cpts_strmap_free(f->terr_of);
	cpts_strmap_free(f->names);
	cpts_strmap_free(f->in_ws);
	free(f);
}

static void add_name(au_flux *f, const char *name, const char *code)
{
	int64_t k;

	if (!name || !*name || !code)
		return;
	if (cpts_strmap_get(f->names, name, &k)) {
		if (k >= 0 && strcmp(cpts_vec_at(&f->codes, char *, (size_t)k), code) != 0)
			cpts_strmap_put(f->names, name, -1); /* two communes of that name */
		return;
	}
	*(char **)cpts_vec_push(&f->codes) = cpts_strdup(code);
	cpts_strmap_put(f->names, name, (int64_t)f->codes.n - 1);
}

static char *field_str(OGRFeatureH ft, int i)
{
	return i >= 0 && OGR_F_IsFieldSetAndNotNull(ft, i) ? cpts_strdup(OGR_F_GetFieldAsString(ft, i))
							   : NULL;
}

int au_flux_read_gpkg(cpts_ctx *ctx, au_flux *f, const char *path)
{
	GDALDatasetH ds;
	OGRLayerH lyr, q;
	OGRFeatureH ft;
	char *part = NULL;

	cpts_gdal_init();
	if (!(ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL)))
		return cpts_fail_gdal(ctx, CPTS_EIO, "cannot open '%s' as a vector dataset", path);
	if (GDALDatasetGetLayerByName(ds, "metadata") &&
	    (q = GDALDatasetExecuteSQL(ds, "SELECT valeur FROM metadata WHERE categorie ="
				       " 'partition' AND cle = 'nom'", NULL, NULL))) {
		if ((ft = OGR_L_GetNextFeature(q))) {
			part = field_str(ft, 0);
			OGR_F_Destroy(ft);
		}
		GDALDatasetReleaseResultSet(ds, q);
	}
	if (!part)
		part = cpts_strdup(path);
	if ((lyr = GDALDatasetGetLayerByName(ds, "communes"))) {
		OGRFeatureDefnH fd = OGR_L_GetLayerDefn(lyr);
		int ic = OGR_FD_GetFieldIndex(fd, "code"), in = OGR_FD_GetFieldIndex(fd, "nom");
		OGR_L_ResetReading(lyr);
		while (ic >= 0 && (ft = OGR_L_GetNextFeature(lyr))) {
			char *c = field_str(ft, ic), *n = field_str(ft, in);
			if (c) {
				char *k = cpts_asprintf("%s\x1f%s", part, c);
				cpts_strmap_put(f->in_ws, k, 1);
				free(k);
				add_name(f, n, c);
			}
			free(c);
			free(n);
			OGR_F_Destroy(ft);
		}
	}
	if ((lyr = GDALDatasetGetLayerByName(ds, "flux"))) {
		OGRFeatureDefnH fd = OGR_L_GetLayerDefn(lyr);
		int io = OGR_FD_GetFieldIndex(fd, "origine"), id = OGR_FD_GetFieldIndex(fd, "destination");
		int to = OGR_FD_GetFieldIndex(fd, "territoire_origine");
		int td = OGR_FD_GetFieldIndex(fd, "territoire_destination");
		int iv = OGR_FD_GetFieldIndex(fd, "volume");
		OGR_L_ResetReading(lyr);
		while (io >= 0 && id >= 0 && iv >= 0 && (ft = OGR_L_GetNextFeature(lyr))) {
			fx_pair p = { field_str(ft, io), field_str(ft, id), field_str(ft, to),
				      field_str(ft, td), cpts_strdup(part),
				      OGR_F_GetFieldAsDouble(ft, iv) };
			char *k = cpts_asprintf("%s>%s", p.o ? p.o : "", p.d ? p.d : "");
			if (p.o && p.d && !cpts_strmap_get(f->pix, k, NULL)) {
				*(fx_pair *)cpts_vec_push(&f->pairs) = p;
				cpts_strmap_put(f->pix, k, (int64_t)f->pairs.n - 1);
			} else {
				free(p.o);
				free(p.d);
				free(p.zo);
				free(p.zd);
				free(p.part);
			}
			free(k);
			OGR_F_Destroy(ft);
		}
	}
	free(part);
	GDALClose(ds);
	return CPTS_OK;
}

void au_flux_table(au_flux *f, const char *part, const char *terr, const char *dir,
		   const char *const *labels, size_t n)
{
	fx_table *t = cpts_vec_push(&f->tables);

	t->part = cpts_strdup(part);
	t->terr = cpts_strdup(terr);
	t->dir = cpts_strdup(dir);
	cpts_vec_init(&t->labels, sizeof(char *), SIZE_MAX / sizeof(char *));
	for (size_t k = 0; k < n; k++)
		*(char **)cpts_vec_push(&t->labels) = cpts_strdup(labels[k]);
}

void au_flux_commune(au_flux *f, const char *part, const char *code, const char *name,
		     const char *terr)
{
	char *k = cpts_asprintf("%s\x1f%s", part, code);
	int64_t i;
	size_t j;

	for (j = 0; j < f->terr_names.n; j++)
		if (strcmp(cpts_vec_at(&f->terr_names, char *, j), terr) == 0)
			break;
	if (j == f->terr_names.n)
		*(char **)cpts_vec_push(&f->terr_names) = cpts_strdup(terr);
	if (!cpts_strmap_get(f->terr_of, k, &i))
		cpts_strmap_put(f->terr_of, k, (int64_t)j);
	free(k);
	add_name(f, name, code);
}

/* Text of a node, non-breaking spaces as spaces (OWNED). */
static char *text_of(xmlNode *n)
{
	xmlChar *raw = xmlNodeGetContent(n);
	cpts_buf b = CPTS_BUF_INIT;

	for (const unsigned char *p = raw ? raw : (const unsigned char *)""; *p; p++) {
		if (p[0] == 0xc2 && p[1] == 0xa0) {
			cpts_buf_addch(&b, ' ');
			p++;
		} else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xaf || p[2] == 0x89)) {
			cpts_buf_addch(&b, ' ');
			p += 2;
		} else {
			cpts_buf_addch(&b, (char)(*p == '\n' ? ' ' : *p));
		}
	}
	xmlFree(raw);
	return cpts_buf_detach(&b, NULL);
}

#define TOP_HEAD "Principales communes de recours hors du territoire : "

/* "X (1,7 %), commune 98001 (Département 98) (1,3 %)." into tops. */
static void parse_tops(au_flux *f, const char *part, const char *terr, const char *s)
{
	const char *p = s;

	while (*p) {
		const char *open = NULL, *q;
		/* the share is the last "(d,d %)" before ", " or "." ending the item */
		for (q = p; *q; q++) {
			if (*q == '(' && (q[1] >= '0' && q[1] <= '9')) {
				const char *e = q + 1;
				while ((*e >= '0' && *e <= '9') || *e == ',')
					e++;
				if (strncmp(e, " %)", 3) == 0 && (e[3] == ',' || e[3] == '.' || !e[3])) {
					open = q;
					break;
				}
			}
		}
		if (!open)
			return;
		const char *e = open + 1;
		char num[32];
		size_t n = 0;
		int dec = 0;
		bool frac = false;
		while (((*e >= '0' && *e <= '9') || *e == ',') && n + 1 < sizeof(num)) {
			if (*e == ',')
				frac = true;
			else if (frac)
				dec++;
			num[n++] = *e == ',' ? '.' : *e;
			e++;
		}
		num[n] = 0;
		size_t ln = (size_t)(open - p);
		while (ln && p[ln - 1] == ' ')
			ln--;
		fx_top *t = cpts_vec_push(&f->tops);
		t->part = cpts_strdup(part);
		t->terr = cpts_strdup(terr);
		t->name = cpts_asprintf("%.*s", (int)ln, p);
		t->share = strtod(num, NULL);
		t->dec = dec;
		p = e + 3;
		while (*p == ',' || *p == '.' || *p == ' ')
			p++;
	}
}

static void walk_p(au_flux *f, const char *part, const char *terr, xmlNode *n)
{
	for (xmlNode *c = n; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "p") == 0) {
			char *t = text_of(c);
			char *h = strstr(t, TOP_HEAD);
			if (h)
				parse_tops(f, part, terr, h + strlen(TOP_HEAD));
			free(t);
			continue;
		}
		if (c->children)
			walk_p(f, part, terr, c->children);
	}
}

void au_flux_page(au_flux *f, const char *part, const char *terr, void *root)
{
	walk_p(f, part, terr, root);
}

/* ---- relations ---- */

/* The zone of a commune in partition part: its page's territory, else the territory
 * the flux layer of that partition gives, else "hors" (outside the territories). */
static const char *zone(const au_flux *f, const char *part, const char *code, const char *zid)
{
	char *k = cpts_asprintf("%s\x1f%s", part, code);
	int64_t i;
	bool ok = cpts_strmap_get(f->terr_of, k, &i);

	free(k);
	if (ok)
		return cpts_vec_at(&f->terr_names, char *, (size_t)i);
	return zid ? zid : "hors";
}

static size_t res_cell(cpts_lp *s, const char *part, const char *a, const char *b)
{
	char *nm = cpts_asprintf("fluxres[%s]|%s -> %s", part, a, b);
	long k = cpts_lp_cell_find(s, nm);
	size_t c;

	if (k >= 0) {
		free(nm);
		return (size_t)k;
	}
	c = cpts_lp_cell_add(s, nm);
	free(nm);
	cpts_lp_cell *x = &cpts_vec_at(&s->cells, cpts_lp_cell, c);
	x->is_target = x->is_integer = x->was_masked = x->zero_ok = true;
	x->need_lo = 1;
	x->need_hi = s->thr - 1;
	return c;
}

/* The known pairs of block a -> b (pre "c": of destination commune b). */
static double kof(const cpts_strmap *K, const cpts_vec *kv, const char *a, const char *b,
		  const char *pre)
{
	char *k = cpts_asprintf("%s\x1f%s%s", a, pre, b);
	int64_t i;
	double v = cpts_strmap_get(K, k, &i) ? cpts_vec_at(kv, double, (size_t)i) : 0;

	free(k);
	return v;
}

typedef struct fx_sub {
	size_t block, sub; /* residual cells */
} fx_sub;

static int cmp_sub(const void *a, const void *b)
{
	const fx_sub *x = a, *y = b;

	return (x->block > y->block) - (x->block < y->block);
}

void au_flux_relations(cpts_lp *s, au_flux *f)
{
	cpts_strmap *K = cpts_strmap_new(1024), *done = cpts_strmap_new(64);
	cpts_vec kv;

	cpts_vec_init(&kv, sizeof(double), SIZE_MAX / sizeof(double));
	for (size_t ti = 0; ti < f->tables.n; ti++) {
		const char *part = cpts_vec_at(&f->tables, fx_table, ti).part;
		if (cpts_strmap_get(done, part, NULL))
			continue;
		cpts_strmap_put(done, part, 1);
		/* blocks of known pairs in this partition: "zo\x1fzd" and "terr\x1fcode" */
		cpts_strmap_free(K);
		K = cpts_strmap_new(1024);
		kv.n = 0;
		for (size_t i = 0; i < f->pairs.n; i++) {
			const fx_pair *p = &cpts_vec_at(&f->pairs, fx_pair, i);
			bool own = strcmp(p->part, part) == 0;
			const char *a = zone(f, part, p->o, own ? p->zo : NULL);
			const char *b = zone(f, part, p->d, own ? p->zd : NULL);
			char *keys[2] = { cpts_asprintf("%s\x1f%s", a, b),
					  cpts_asprintf("%s\x1f" "c%s", a, p->d) };
			for (int j = 0; j < 2; j++) {
				int64_t k;
				if (!cpts_strmap_get(K, keys[j], &k)) {
					*(double *)cpts_vec_push(&kv) = 0;
					k = (int64_t)kv.n - 1;
					cpts_strmap_put(K, keys[j], k);
				}
				cpts_vec_at(&kv, double, (size_t)k) += p->vol;
				free(keys[j]);
			}
		}
		/* the zones: every page of the partition, the communes outside the
		   territories, outside the area (destinations only) */
		cpts_vec zones;
		cpts_vec_init(&zones, sizeof(char *), SIZE_MAX / sizeof(char *));
		for (size_t t = 0; t < f->tables.n; t++) {
			const fx_table *x = &cpts_vec_at(&f->tables, fx_table, t);
			bool seen = false;
			if (strcmp(x->part, part) != 0)
				continue;
			for (size_t z = 0; z < zones.n && !seen; z++)
				seen = strcmp(cpts_vec_at(&zones, char *, z), x->terr) == 0;
			if (!seen)
				*(const char **)cpts_vec_push(&zones) = x->terr;
		}
		for (size_t t = 0; t < f->tables.n; t++) {
			const fx_table *x = &cpts_vec_at(&f->tables, fx_table, t);
			bool out = strcmp(x->dir, "Destination") == 0;
			size_t nz = zones.n + (out ? 2 : 1);
			bool *shown = cpts_calloc(nz + 1, sizeof(bool));
			char *autres = NULL;
			if (strcmp(x->part, part) != 0) {
				free(shown);
				continue;
			}
			for (size_t r = 0; r < x->labels.n; r++) {
				const char *lb = cpts_vec_at(&x->labels, char *, r);
				char *cn = cpts_asprintf("flux[%s]|%s|%s|%s", part, x->terr, x->dir, lb);
				long c = cpts_lp_cell_find(s, cn);
				const char *z;
				size_t zi = SIZE_MAX;
				size_t sfx = strlen(" (le territoire)"), ll = strlen(lb);
				if (strcmp(lb, "Total") == 0 || c < 0) {
					free(cn);
					continue;
				}
				if (strncmp(lb, "Autres ", 7) == 0) {
					free(autres);
					autres = cn;
					continue;
				}
				if (ll > sfx && strcmp(lb + ll - sfx, " (le territoire)") == 0)
					z = x->terr;
				else if (strcmp(lb, "communes hors des territoires") == 0)
					z = "hors";
				else if (strcmp(lb, "communes hors de la zone étudiée") == 0)
					z = "ext";
				else
					z = lb;
				for (size_t k = 0; k < zones.n; k++)
					if (strcmp(cpts_vec_at(&zones, char *, k), z) == 0)
						zi = k;
				if (strcmp(z, "hors") == 0)
					zi = zones.n;
				if (strcmp(z, "ext") == 0 && out)
					zi = zones.n + 1;
				if (zi < nz)
					shown[zi] = true;
				const char *a = out ? x->terr : z, *b = out ? z : x->terr;
				double k = kof(K, &kv, a, b, "");
				cpts_lp_rel_begin(s, k, k);
				cpts_lp_rel_term(s, (size_t)c, 1);
				cpts_lp_rel_term(s, res_cell(s, part, a, b), -1);
				cpts_lp_rel_end(s);
				free(cn);
			}
			/* "Autres": every block no row shows; none: they hold no flow */
			long ac = autres ? cpts_lp_cell_find(s, autres) : -1;
			double ksum = 0;
			for (size_t zi = 0; zi < nz; zi++) {
				const char *z = zi < zones.n ? cpts_vec_at(&zones, char *, zi)
					       : zi == zones.n ? "hors" : "ext";
				if (!shown[zi])
					ksum += out ? kof(K, &kv, x->terr, z, "") : kof(K, &kv, z, x->terr, "");
			}
			if (x->labels.n) {
				cpts_lp_rel_begin(s, ac >= 0 ? ksum : -ksum, ac >= 0 ? ksum : -ksum);
				if (ac >= 0)
					cpts_lp_rel_term(s, (size_t)ac, 1);
				for (size_t zi = 0; zi < nz; zi++) {
					const char *z = zi < zones.n ? cpts_vec_at(&zones, char *, zi)
						       : zi == zones.n ? "hors" : "ext";
					if (!shown[zi])
						cpts_lp_rel_term(s, out ? res_cell(s, part, x->terr, z)
								     : res_cell(s, part, z, x->terr),
								 ac >= 0 ? -1 : 1);
				}
				cpts_lp_rel_end(s);
			}
			free(autres);
			free(shown);
		}
		/* named destinations: sub-blocks of one commune */
		cpts_vec subs;
		cpts_vec_init(&subs, sizeof(fx_sub), SIZE_MAX / sizeof(fx_sub));
		for (size_t i = 0; i < f->tops.n; i++) {
			const fx_top *tp = &cpts_vec_at(&f->tops, fx_top, i);
			int64_t ci;
			const char *code;
			char cb[16];
			if (strcmp(tp->part, part) != 0)
				continue;
			if (sscanf(tp->name, "commune %15s (", cb) == 1)
				code = cb;
			else if (cpts_strmap_get(f->names, tp->name, &ci) && ci >= 0)
				code = cpts_vec_at(&f->codes, char *, (size_t)ci);
			else
				continue;
			char *tn = cpts_asprintf("flux[%s]|%s|Destination|Total", part, tp->terr);
			long tc = cpts_lp_cell_find(s, tn);
			free(tn);
			if (tc < 0)
				continue;
			char *ik = cpts_asprintf("%s\x1f%s", part, code);
			bool ws = cpts_strmap_get(f->in_ws, ik, NULL);
			free(ik);
			const char *z = zone(f, part, code, NULL);
			if (strcmp(z, "hors") == 0 && !ws && code == cb)
				z = "ext";
			double kd = kof(K, &kv, tp->terr, code, "c"), h = 0.5 * pow(10, -tp->dec) + 1e-9;
			size_t sc = res_cell(s, part, tp->terr, code);
			cpts_lp_rel_begin(s, -INFINITY, -100 * kd);
			cpts_lp_rel_term(s, sc, 100);
			cpts_lp_rel_term(s, (size_t)tc, -(tp->share + h));
			cpts_lp_rel_end(s);
			cpts_lp_rel_begin(s, -100 * kd, INFINITY);
			cpts_lp_rel_term(s, sc, 100);
			cpts_lp_rel_term(s, (size_t)tc, -(tp->share - h));
			cpts_lp_rel_end(s);
			cpts_lp_rel_begin(s, s->thr - kd, INFINITY); /* named: at least T */
			cpts_lp_rel_term(s, sc, 1);
			cpts_lp_rel_end(s);
			*(fx_sub *)cpts_vec_push(&subs) = (fx_sub){ res_cell(s, part, tp->terr, z), sc };
		}
		/* the named destinations of a block hold at most its residual */
		cpts_qsort(subs.data, subs.n, sizeof(fx_sub), cmp_sub);
		for (size_t a = 0, b; a < subs.n; a = b) {
			cpts_lp_rel_begin(s, 0, INFINITY);
			cpts_lp_rel_term(s, cpts_vec_at(&subs, fx_sub, a).block, 1);
			for (b = a; b < subs.n && cpts_vec_at(&subs, fx_sub, b).block ==
						  cpts_vec_at(&subs, fx_sub, a).block; b++)
				cpts_lp_rel_term(s, cpts_vec_at(&subs, fx_sub, b).sub, -1);
			cpts_lp_rel_end(s);
		}
		cpts_vec_release(&subs);
		cpts_vec_release(&zones);
	}
	cpts_vec_release(&kv);
	cpts_strmap_free(K);
	cpts_strmap_free(done);
}
