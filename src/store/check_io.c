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
	int rc;

	if (cpts_store_count(s, "SELECT count(*) FROM sqlite_master WHERE name ="
			     " 'basin_stability'", 0) != 1)
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

int cpts_store_partition_move(cpts_ctx *ctx, cpts_store *s, const char *from, const char *as,
			      const char *const *codes, size_t n_codes, const char *to)
{
	cpts_buf params = CPTS_BUF_INIT;
	sqlite3_stmt *st = NULL;
	char ts[32];
	int rc;

	cpts_buf_addf(&params, "to=%s;communes=", to);
	for (size_t k = 0; k < n_codes; k++)
		cpts_buf_addf(&params, "%s%s", k ? "," : "", codes[k]);
	cpts_timestamp_utc(ts);
	/* a replaced partition takes nothing of the old one: members, attraction classes,
	 * metrics and profiles all go (they describe other territories) */
	if ((rc = cpts_store_run(ctx, s, "DELETE FROM partition_members WHERE partition = ?1",
				 as, NULL)) < 0 ||
	    (rc = cpts_store_input_replaced(ctx, s, "partition", as)) < 0)
		goto out;
	if ((rc = cpts_store_prepare(ctx, s, &st, "INSERT OR REPLACE INTO partitions(name, kind,"
				     " source, params, created) VALUES(?1, 'move', ?2, ?3, ?4)")) < 0)
		goto out;
	sqlite3_bind_text(st, 1, as, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, params.data, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ts, -1, SQLITE_STATIC);
	if ((rc = cpts_store_step_done(ctx, s, st)) < 0)
		goto out;
	if ((rc = cpts_store_run(ctx, s, "INSERT INTO partition_members(partition, code, territory,"
			  " statut, weight) SELECT ?1, code, territory, statut, weight FROM"
			  " partition_members WHERE partition = ?2", as, from, NULL)) < 0)
		goto out;
	/* the territories keep their ids, hence their display names */
	if ((rc = cpts_store_run(ctx, s, "DELETE FROM territory_names WHERE partition = ?1",
				 as, NULL)) < 0 ||
	    (rc = cpts_store_run(ctx, s, "INSERT INTO territory_names(partition, territory, nom)"
			  " SELECT ?1, territory, nom FROM territory_names WHERE partition = ?2",
			  as, from, NULL)) < 0)
		goto out;
	for (size_t k = 0; k < n_codes && rc == CPTS_OK; k++) {
		if ((rc = cpts_store_run(ctx, s, "DELETE FROM partition_members WHERE partition = ?1 AND"
				  " code = ?2", as, codes[k], NULL)) < 0)
			goto out;
		rc = cpts_store_run(ctx, s, "INSERT INTO partition_members(partition, code, territory,"
			     " statut, weight) VALUES(?1, ?2, ?3, (SELECT min(statut) FROM"
			     " partition_members WHERE partition = ?1 AND territory = ?3), 1)",
			     as, codes[k], to, NULL);
	}
out:
	sqlite3_finalize(st);
	cpts_buf_release(&params);
	return rc;
}
