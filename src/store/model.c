/*
 * model.c - load the communes and partitions of a workspace into arrays
 * (cpts/model.h), and save partitions back.
 */
#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/model.h"
#include "cpts/store_partition.h"
#include "dep/dep.h"

/* Copy text t (NULL: empty) into dst[n], truncated as snprintf would. */
static void copy_text(char *dst, size_t n, const char *t)
{
	size_t l = t ? strnlen(t, n - 1) : 0;

	memcpy(dst, t ? t : "", l);
	dst[l] = '\0';
}

/* The population of each commune: its total row, or the sum of its sex-by-age rows (an
 * ingest keeps one form per commune; never both). */
#define POP_TOTALS_SQL "SELECT code, sum(pop) FROM population WHERE (sex = 'T' AND" \
	" age = 'ALL') OR (sex <> 'T' AND age <> 'ALL') GROUP BY code"

int cpts_population_totals_refresh(cpts_ctx *ctx, cpts_store *s)
{
	int rc;

	if ((rc = cpts_store_exec(ctx, s, "DELETE FROM population_total;"
				  " INSERT INTO population_total " POP_TOTALS_SQL)) < 0)
		return rc;
	return cpts_store_derived_record(ctx, s, "population_total", NULL, NULL);
}

/* The query giving each commune's population: the stored totals when they are a fresh
 * derived result of the current population table (deps.c: replacing the population
 * drops them), else the sum. No other guard: the workspace is written by cpts only. */
static int pop_query(cpts_ctx *ctx, cpts_store *s, const char **out)
{
	int st = cpts_store_derived_status(ctx, s, "population_total", NULL, NULL, 0, NULL);

	*out = st == CPTS_DERIVED_FRESH ? "SELECT code, pop FROM population_total"
					: POP_TOTALS_SQL;
	return st < 0 ? st : CPTS_OK;
}

int cpts_model_load(cpts_ctx *ctx, cpts_model **out, cpts_store *s)
{
	cpts_model *m = cpts_calloc(1, sizeof(*m));
	sqlite3_stmt *st = NULL;
	long long n = 0, n_pop;
	size_t i = 0;
	int rc = CPTS_OK, r = 0;

	*out = NULL;
	cpts_load_note(CPTS_LOAD_MODEL);
	if ((rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM communes", &n)) < 0)
		goto out;
	if (n <= 0) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "workspace '%s' holds no commune (run 'cpts ingest"
			       " communes' first)", cpts_store_path(s));
		goto out;
	}
	if ((rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM population", &n_pop)) < 0)
		goto out;
	m->has_population = n_pop > 0;
	m->c = cpts_calloc((size_t)n, sizeof(cpts_commune));
	m->index = cpts_strmap_new((size_t)n);
	if ((rc = cpts_store_prepare(ctx, s, &st,
			"SELECT code, name, dep, reg, parent, srid, area_km2, perimeter_km, px,"
			" py, lon, lat FROM communes ORDER BY code")) < 0)
		goto out;
	while (i < (size_t)n && (r = cpts_store_row(ctx, s, st, "reading communes")) > 0) {
		cpts_commune *c = &m->c[i];
		const char *t;
#define COPY(dst, col) copy_text(dst, sizeof(dst), (const char *)sqlite3_column_text(st, col))
		COPY(c->code, 0);
		COPY(c->dep, 2);
		COPY(c->reg, 3);
		COPY(c->parent, 4);
#undef COPY
		t = (const char *)sqlite3_column_text(st, 1);
		c->name = cpts_strdup(t ? t : c->code);
		c->srid = sqlite3_column_int(st, 5);
		c->area_km2 = sqlite3_column_double(st, 6);
		c->perimeter_km = sqlite3_column_double(st, 7);
		c->px = sqlite3_column_double(st, 8);
		c->py = sqlite3_column_double(st, 9);
		c->lon = sqlite3_column_double(st, 10);
		c->lat = sqlite3_column_double(st, 11);
		cpts_strmap_put(m->index, c->code, (int64_t)i);
		i++;
	}
	m->n = i; /* also on a read error: cpts_model_free frees the names read */
	if (r < 0) {
		rc = r;
		goto out;
	}
	/* populations (0 when none): read apart, a LEFT JOIN on the aggregate cost more
	 * than the whole commune scan */
	sqlite3_finalize(st);
	st = NULL;
	if (m->has_population) {
		const char *sql;
		if ((rc = pop_query(ctx, s, &sql)) < 0 ||
		    (rc = cpts_store_prepare(ctx, s, &st, sql)) < 0)
			goto out;
		while ((r = cpts_store_row(ctx, s, st, "reading populations")) > 0) {
			const char *code = (const char *)sqlite3_column_text(st, 0);
			int64_t k;
			if (code && sqlite3_column_type(st, 1) != SQLITE_NULL &&
			    cpts_strmap_get(m->index, code, &k))
				m->c[k].pop = sqlite3_column_double(st, 1);
		}
		if (r < 0) {
			rc = r;
			goto out;
		}
	}
	*out = m;
	m = NULL;
out:
	sqlite3_finalize(st);
	cpts_model_free(ctx, m);
	return rc;
}

int cpts_model_load_geoms(cpts_ctx *ctx, cpts_model *m, cpts_store *s)
{
	sqlite3_stmt *st = NULL;
	GEOSWKBReader *rd = NULL;
	int rc = CPTS_OK, r;

	if (m->geoms)
		return CPTS_OK;
	m->geoms = cpts_calloc(m->n, sizeof(GEOSGeometry *));
	rd = GEOSWKBReader_create_r(ctx->geos);
	if ((rc = cpts_store_prepare(ctx, s, &st,
				     "SELECT code, AsBinary(geom) FROM communes ORDER BY code")) < 0)
		goto out;
	while ((r = cpts_store_row(ctx, s, st, "reading commune geometries")) > 0) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		const unsigned char *wkb = sqlite3_column_blob(st, 1);
		int len = sqlite3_column_bytes(st, 1);
		long i = cpts_model_find(m, code);
		if (i < 0 || !wkb)
			continue;
		m->geoms[i] = GEOSWKBReader_read_r(ctx->geos, rd, wkb, (size_t)len);
		if (!m->geoms[i]) {
			rc = cpts_fail_geos(ctx, CPTS_EINPUT, "cannot read the geometry of commune %s",
					    code);
			goto out;
		}
	}
	if (r < 0)
		rc = r;
out:
	if (rd)
		GEOSWKBReader_destroy_r(ctx->geos, rd);
	sqlite3_finalize(st);
	return rc;
}

long cpts_model_find(const cpts_model *m, const char *code)
{
	int64_t v;

	if (!m || !cpts_strmap_get(m->index, code, &v))
		return -1;
	return (long)v;
}

void cpts_model_free(cpts_ctx *ctx, cpts_model *m)
{
	if (!m)
		return;
	if (m->geoms) {
		for (size_t i = 0; i < m->n; i++)
			if (m->geoms[i])
				GEOSGeom_destroy_r(ctx->geos, m->geoms[i]);
		free(m->geoms);
	}
	for (size_t i = 0; i < m->n; i++)
		free(m->c[i].name);
	free(m->c);
	cpts_strmap_free(m->index);
	free(m);
}

static int cmp_terr_name(const void *a, const void *b, void *names)
{
	char *const *terr = names;
	int c = strcmp(terr[*(const size_t *)a], terr[*(const size_t *)b]);

	return c ? c : (*(const size_t *)a > *(const size_t *)b) -
		       (*(const size_t *)a < *(const size_t *)b);
}

static int cmp_member(const void *a, const void *b)
{
	const cpts_member *x = a, *y = b;

	if (x->territory != y->territory)
		return x->territory < y->territory ? -1 : 1;
	return x->commune < y->commune ? -1 : x->commune > y->commune;
}

int cpts_partition_load(cpts_ctx *ctx, cpts_partition **out, cpts_store *s,
			const cpts_model *m, const char *name)
{
	cpts_partition *p = cpts_calloc(1, sizeof(*p));
	sqlite3_stmt *st = NULL;
	cpts_strmap *tmap = NULL;
	cpts_vec mem;
	int rc = CPTS_OK, r = 0;
	long long nt, has_names = 0;

	cpts_vec_init(&mem, sizeof(cpts_member), SIZE_MAX / sizeof(cpts_member));
	*out = NULL;
	cpts_load_note(CPTS_LOAD_PARTITION);
	p->name = cpts_strdup(name);
	if ((rc = cpts_store_has_partition(ctx, s, name)) < 0)
		goto out;
	if (!rc) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "no partition named '%s' in workspace '%s' (see "
			       "'cpts info %s')", name, cpts_store_path(s), cpts_store_path(s));
		goto out;
	}
	/* territories, sorted */
	if ((rc = cpts_store_prepare(ctx, s, &st,
			"SELECT territory, min(statut) FROM partition_members WHERE partition = ?"
			" GROUP BY territory ORDER BY territory")) < 0)
		goto out;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	nt = 0;
	while ((r = cpts_store_row(ctx, s, st, "reading partition territories")) > 0)
		nt++;
	if (r < 0) {
		rc = r;
		goto out;
	}
	sqlite3_reset(st);
	p->terr = cpts_calloc((size_t)nt + 1, sizeof(char *));
	p->statut = cpts_calloc((size_t)nt + 1, sizeof(char *));
	p->names = cpts_calloc((size_t)nt + 1, sizeof(char *));
	tmap = cpts_strmap_new((size_t)nt);
	while (p->n_terr < (size_t)nt &&
	       (r = cpts_store_row(ctx, s, st, "reading partition territories")) > 0) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		const char *stt = (const char *)sqlite3_column_text(st, 1);
		p->terr[p->n_terr] = cpts_strdup(t ? t : "");
		p->statut[p->n_terr] = stt ? cpts_strdup(stt) : NULL;
		cpts_strmap_put(tmap, p->terr[p->n_terr], (int64_t)p->n_terr);
		p->n_terr++;
	}
	if (r < 0) {
		rc = r;
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = cpts_store_prepare(ctx, s, &st,
			"SELECT code, territory, weight FROM partition_members WHERE partition = ?")) < 0)
		goto out;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((r = cpts_store_row(ctx, s, st, "reading partition members")) > 0) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		const char *t = (const char *)sqlite3_column_text(st, 1);
		long ci = cpts_model_find(m, code ? code : "");
		int64_t ti;
		cpts_member *mb;
		if (ci < 0) {
			rc = cpts_fail(ctx, CPTS_EINPUT, "partition '%s' names commune '%s', which is"
				       " not in the workspace", name, code ? code : "");
			goto out;
		}
		if (!cpts_strmap_get(tmap, t ? t : "", &ti))
			CPTS_BUG("territory vanished");
		mb = cpts_vec_push(&mem);
		mb->commune = (size_t)ci;
		mb->territory = (size_t)ti;
		mb->weight = sqlite3_column_double(st, 2);
	}
	if (r < 0) {
		rc = r;
		goto out;
	}
	cpts_qsort(mem.data, mem.n, sizeof(cpts_member), cmp_member);
	p->n_members = mem.n;
	p->members = mem.data;
	mem.data = NULL;
	p->terr_start = cpts_calloc(p->n_terr + 1, sizeof(size_t));
	p->commune_terr = cpts_mallocarray(m->n, sizeof(long));
	for (size_t i = 0; i < m->n; i++)
		p->commune_terr[i] = -1;
	for (size_t k = 0; k < p->n_members; k++) {
		const cpts_member *mb = &p->members[k];
		p->terr_start[mb->territory + 1]++;
		if (p->commune_terr[mb->commune] == -1 && mb->weight >= 1.0)
			p->commune_terr[mb->commune] = (long)mb->territory;
		else
			p->commune_terr[mb->commune] = -2;
	}
	for (size_t t = 0; t < p->n_terr; t++)
		p->terr_start[t + 1] += p->terr_start[t];
	sqlite3_finalize(st);
	st = NULL;
	/* display names (a read-only workspace of an older cpts has no such table) */
	if ((rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM sqlite_master WHERE type ="
				       " 'table' AND name = 'territory_names'", &has_names)) < 0)
		goto out;
	if (has_names > 0) {
		if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT territory, nom FROM"
					     " territory_names WHERE partition = ?")) < 0)
			goto out;
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		while ((r = cpts_store_row(ctx, s, st, "reading territory names")) > 0) {
			const char *t = (const char *)sqlite3_column_text(st, 0);
			const char *nom = (const char *)sqlite3_column_text(st, 1);
			int64_t ti;
			if (t && nom && *nom && cpts_strmap_get(tmap, t, &ti) && !p->names[ti])
				p->names[ti] = cpts_strdup(nom);
		}
		if (r < 0) {
			rc = r;
			goto out;
		}
	}
	*out = p;
	p = NULL;
out:
	sqlite3_finalize(st);
	cpts_strmap_free(tmap);
	cpts_vec_release(&mem);
	cpts_partition_free(p);
	return rc;
}

cpts_partition *cpts_partition_from_labels(const cpts_model *m, const char *name,
					   char *const *terr, size_t n_terr,
					   const long *commune_terr)
{
	cpts_partition *p = cpts_calloc(1, sizeof(*p));
	size_t *count = cpts_calloc(n_terr + 1, sizeof(size_t));
	size_t *order = cpts_mallocarray(n_terr + 1, sizeof(size_t));
	long *new_id = cpts_mallocarray(n_terr + 1, sizeof(long));
	size_t *fill;

	p->name = cpts_strdup(name);
	for (size_t i = 0; i < m->n; i++)
		if (commune_terr[i] >= 0)
			count[commune_terr[i]]++;
	/* the territories with members, sorted by id as cpts_partition_load sorts them */
	for (size_t t = 0; t < n_terr; t++)
		if (count[t])
			order[p->n_terr++] = t;
	if (p->n_terr > 1)
		qsort_r(order, p->n_terr, sizeof(size_t), cmp_terr_name, (void *)terr);
	p->terr = cpts_calloc(p->n_terr + 1, sizeof(char *));
	p->statut = cpts_calloc(p->n_terr + 1, sizeof(char *));
	p->names = cpts_calloc(p->n_terr + 1, sizeof(char *));
	p->terr_start = cpts_calloc(p->n_terr + 1, sizeof(size_t));
	for (size_t t = 0; t < n_terr; t++)
		new_id[t] = -1;
	for (size_t k = 0; k < p->n_terr; k++) {
		new_id[order[k]] = (long)k;
		p->terr[k] = cpts_strdup(terr[order[k]]);
		p->terr_start[k + 1] = p->terr_start[k] + count[order[k]];
	}
	/* members by territory, then commune: a counting sort over the model order */
	p->n_members = p->terr_start[p->n_terr];
	p->members = cpts_mallocarray(p->n_members + 1, sizeof(cpts_member));
	p->commune_terr = cpts_mallocarray(m->n + 1, sizeof(long));
	fill = cpts_mallocarray(p->n_terr + 1, sizeof(size_t));
	memcpy(fill, p->terr_start, (p->n_terr + 1) * sizeof(size_t));
	for (size_t i = 0; i < m->n; i++) {
		long t = commune_terr[i] >= 0 ? new_id[commune_terr[i]] : -1;
		p->commune_terr[i] = t;
		if (t >= 0)
			p->members[fill[t]++] = (cpts_member){ i, (size_t)t, 1.0 };
	}
	free(fill);
	free(count);
	free(order);
	free(new_id);
	return p;
}

void cpts_partition_free(cpts_partition *p)
{
	if (!p)
		return;
	for (size_t t = 0; t < p->n_terr; t++) {
		free(p->terr[t]);
		free(p->statut[t]);
		if (p->names)
			free(p->names[t]);
	}
	free(p->terr);
	free(p->statut);
	free(p->names);
	free(p->members);
	free(p->terr_start);
	free(p->commune_terr);
	free(p->name);
	free(p);
}

long cpts_partition_find(const cpts_partition *p, const char *terr)
{
	size_t lo = 0, hi = p->n_terr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(p->terr[mid], terr);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int cpts_partition_save(cpts_ctx *ctx, cpts_store *s, const cpts_model *m, const char *name,
			const char *kind, const char *source, const char *params,
			char *const *terr, const long *commune_terr)
{
	return cpts_partition_save_named(ctx, s, m, name, kind, source, params, terr, NULL,
					 commune_terr);
}

int cpts_partition_save_named(cpts_ctx *ctx, cpts_store *s, const cpts_model *m,
			      const char *name, const char *kind, const char *source,
			      const char *params, char *const *terr, char *const *names,
			      const long *commune_terr)
{
	cpts_member_rec *mem = cpts_calloc(m->n ? m->n : 1, sizeof(*mem));
	cpts_partition_rec p = { name, kind, source, params, mem, 0, NULL, NULL, 0 };
	size_t n_terr = 0;
	int rc;

	for (size_t i = 0; i < m->n; i++) {
		if (commune_terr[i] < 0)
			continue;
		mem[p.n_members++] = (cpts_member_rec){ m->c[i].code, terr[commune_terr[i]], NULL,
							1.0 };
		if ((size_t)commune_terr[i] + 1 > n_terr)
			n_terr = (size_t)commune_terr[i] + 1;
	}
	if (names) {
		/* names of the territories up to the largest used (the writer keeps those
		 * that have members) */
		p.terr = (const char *const *)terr;
		p.nom = (const char *const *)names;
		p.n_names = n_terr;
	}
	rc = cpts_store_partition_write(ctx, s, &p);
	free(mem);
	return rc;
}
