/*
 * check_io.c - the workspace reads of src/check and of the report's partition check
 * (cpts/store_check.h): which partitions to compare with, the basin stability table,
 * and the partition `cpts move` makes (the copy with the moved rows). Why here: SQL
 * stays in src/store; src/check works on plain values.
 *
 * Every read loop ends on SQLITE_DONE or reports the error (a corrupt page must not
 * read as the end of the data).
 */
#include <stdlib.h>
#include <string.h>

#include "cpts/store_check.h"
#include "cpts/store_partition.h"
#include "cpts/util.h"
#include "store/store_int.h"

int cpts_store_compare_targets(cpts_ctx *ctx, cpts_store *s, const char *self, size_t max,
			       char ***names, size_t *n)
{
	sqlite3_stmt *st = NULL;
	char **v = NULL;
	size_t k = 0, cap = 0;
	int rc, src = SQLITE_DONE;

	*names = NULL;
	*n = 0;
	if ((rc = cpts_store_prepare(ctx, s, &st,
			"SELECT name FROM partitions WHERE name <> ?1 AND (kind = 'basins' OR"
			" lower(name) LIKE '%bv%' OR lower(name) LIKE '%bassin%' OR"
			" lower(name) LIKE '%epci%') ORDER BY kind <> 'basins', name")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, self ? self : "", -1, SQLITE_STATIC);
	while ((max == 0 || k < max) && (src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (k == cap) {
			cap = cap ? 2 * cap : 8;
			v = cpts_reallocarray(v, cap, sizeof(char *));
		}
		v[k++] = cpts_strdup(name ? name : "");
	}
	if ((max == 0 || k < max) && src != SQLITE_DONE) {
		rc = cpts_store_fail(ctx, s, "reading the partitions to compare with");
		cpts_store_names_free(v, k);
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	*names = v;
	*n = k;
	return CPTS_OK;
}

void cpts_store_names_free(char **names, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(names[k]);
	free(names);
}

int cpts_store_basin_stability(cpts_ctx *ctx, cpts_store *s, const char *partition,
			       void (*fn)(void *arg, const char *code, double coassign,
					  int resamples),
			       void *arg)
{
	sqlite3_stmt *st = NULL;
	long long has = 0;
	int rc;

	if ((rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM sqlite_master WHERE name ="
				       " 'basin_stability'", &has)) < 0)
		return rc;
	if (has != 1)
		return CPTS_OK;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT code, coassign, resamples FROM"
				     " basin_stability WHERE partition = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, partition, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		fn(arg, code ? code : "", sqlite3_column_double(st, 1), sqlite3_column_int(st, 2));
	}
	rc = rc == SQLITE_DONE ? CPTS_OK : cpts_store_fail(ctx, s, "reading basin_stability");
	sqlite3_finalize(st);
	return rc;
}

int cpts_store_has_commune(cpts_ctx *ctx, cpts_store *s, const char *code)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT 1 FROM communes WHERE code = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	rc = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : cpts_store_fail(ctx, s, "reading communes");
	sqlite3_finalize(st);
	return rc;
}

/* The members and names of a partition read into memory (strings OWNED). */
struct copy {
	cpts_member_rec *m;  /* OWNED, n of cap; code, territory, statut OWNED */
	size_t n, cap;
	char **terr, **nom;  /* OWNED, n_names */
	size_t n_names;
};

static int keep_member(void *arg, const char *code, const char *terr, const char *statut,
		       double weight)
{
	struct copy *c = arg;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->m = cpts_reallocarray(c->m, c->cap, sizeof(*c->m));
	}
	c->m[c->n++] = (cpts_member_rec){ cpts_strdup(code), cpts_strdup(terr),
					  statut ? cpts_strdup(statut) : NULL, weight };
	return CPTS_OK;
}

static int keep_name(void *arg, const char *terr, const char *nom)
{
	struct copy *c = arg;

	c->terr = cpts_reallocarray(c->terr, c->n_names + 1, sizeof(char *));
	c->nom = cpts_reallocarray(c->nom, c->n_names + 1, sizeof(char *));
	c->terr[c->n_names] = cpts_strdup(terr);
	c->nom[c->n_names++] = cpts_strdup(nom);
	return CPTS_OK;
}

static void drop_member(cpts_member_rec *m)
{
	free((char *)m->code);
	free((char *)m->territory);
	free((char *)m->statut);
}

int cpts_store_partition_move(cpts_ctx *ctx, cpts_store *s, const char *from, const char *as,
			      const char *const *codes, size_t n_codes, const char *to)
{
	cpts_buf params = CPTS_BUF_INIT;
	struct copy c = { 0 };
	int rc;

	cpts_buf_addf(&params, "to=%s;communes=", to);
	for (size_t k = 0; k < n_codes; k++)
		cpts_buf_addf(&params, "%s%s", k ? "," : "", codes[k]);
	/* the copy of from: members with their statut and weight; the territories keep
	 * their ids, hence their display names */
	if ((rc = cpts_store_partition_members_each(ctx, s, from, keep_member, &c)) < 0 ||
	    (rc = cpts_store_territory_names_each(ctx, s, from, keep_name, &c)) < 0)
		goto out;
	/* each moved commune, in turn: its rows go, one row in to whose statut is the
	 * smallest of to's members at that point (NULLs aside) */
	for (size_t k = 0; k < n_codes; k++) {
		const char *st = NULL;
		size_t w = 0;
		for (size_t i = 0; i < c.n; i++) {
			if (strcmp(c.m[i].code, codes[k]) == 0) {
				drop_member(&c.m[i]);
				continue;
			}
			c.m[w++] = c.m[i];
		}
		c.n = w;
		for (size_t i = 0; i < c.n; i++)
			if (strcmp(c.m[i].territory, to) == 0 && c.m[i].statut &&
			    (!st || strcmp(c.m[i].statut, st) < 0))
				st = c.m[i].statut;
		keep_member(&c, codes[k], to, st, 1.0);
	}
	{
		cpts_partition_rec p = { as, "move", from, params.data, c.m, c.n,
					 (const char *const *)c.terr, (const char *const *)c.nom,
					 c.n_names };
		rc = cpts_store_partition_write(ctx, s, &p);
	}
out:
	for (size_t i = 0; i < c.n; i++)
		drop_member(&c.m[i]);
	free(c.m);
	for (size_t i = 0; i < c.n_names; i++) {
		free(c.terr[i]);
		free(c.nom[i]);
	}
	free(c.terr);
	free(c.nom);
	cpts_buf_release(&params);
	return rc;
}
