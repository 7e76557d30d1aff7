/*
 * partition_io.c - the one writer of partitions and the raw readers a copy needs
 * (cpts/store_partition.h). Before, three writers each had their own SQL (the store's
 * cpts_partition_save_named, the ingest's row-by-row loader, the move's SQL copy) and
 * their own idea of what a replaced partition takes with it; now basins, --communes,
 * ingest and move all call cpts_store_partition_write. Read loops end on SQLITE_DONE or
 * report an internal error.
 */
#include <stdlib.h>

#include "cpts/store_partition.h"
#include "cpts/util.h"
#include "store/store_int.h"

static void bind_member(sqlite3_stmt *st, int k, size_t i, void *arg)
{
	const cpts_partition_rec *p = arg;
	const cpts_member_rec *m = &p->members[i];

	sqlite3_bind_text(st, k, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k + 1, m->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k + 2, m->territory, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k + 3, m->statut, -1, SQLITE_STATIC); /* NULL binds NULL */
	sqlite3_bind_double(st, k + 4, m->weight);
}

int cpts_store_partition_write(cpts_ctx *ctx, cpts_store *s, const cpts_partition_rec *p)
{
	sqlite3_stmt *st = NULL;
	char ts[32];
	int rc;

	cpts_timestamp_utc(ts);
	/* a replaced partition takes nothing of the old one: members, names, attraction
	 * classes, metrics and profiles all go (they describe other territories) */
	if ((rc = cpts_store_run(ctx, s, "DELETE FROM partition_members WHERE partition = ?",
				 p->name, (const char *)NULL)) < 0 ||
	    (rc = cpts_store_run(ctx, s, "DELETE FROM territory_names WHERE partition = ?",
				 p->name, (const char *)NULL)) < 0 ||
	    (rc = cpts_store_input_replaced(ctx, s, "partition", p->name)) < 0)
		return rc;
	/* source and params may be NULL: bound by hand */
	if ((rc = cpts_store_prepare(ctx, s, &st, "INSERT OR REPLACE INTO partitions(name, kind,"
				     " source, params, created) VALUES(?,?,?,?,?)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->params, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, ts, -1, SQLITE_STATIC);
	rc = cpts_store_step_done(ctx, s, st);
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	if ((rc = cpts_store__insert_rows(ctx, s, "INSERT INTO partition_members(partition, code,"
					  " territory, statut, weight)", 5, p->n_members,
					  bind_member, (void *)p)) < 0 || p->n_names == 0)
		return rc;
	/* names of the territories that have members */
	if ((rc = cpts_store_prepare(ctx, s, &st, "INSERT OR REPLACE INTO territory_names("
				     "partition, territory, nom) SELECT ?1, ?2, ?3 WHERE EXISTS"
				     " (SELECT 1 FROM partition_members WHERE partition = ?1 AND"
				     " territory = ?2)")) < 0)
		return rc;
	for (size_t t = 0; t < p->n_names && rc == CPTS_OK; t++) {
		if (!p->terr[t] || !p->nom[t] || !*p->nom[t])
			continue;
		sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, p->terr[t], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, p->nom[t], -1, SQLITE_STATIC);
		rc = cpts_store_step_done(ctx, s, st);
	}
	sqlite3_finalize(st);
	return rc;
}

int cpts_store_partition_members_each(cpts_ctx *ctx, cpts_store *s, const char *name,
				      int (*fn)(void *arg, const char *code, const char *terr,
						const char *statut, double weight),
				      void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT code, territory, statut, weight FROM"
				     " partition_members WHERE partition = ? ORDER BY code,"
				     " territory")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((rc = cpts_store_row(ctx, s, st, "reading partition members")) > 0) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		const char *terr = (const char *)sqlite3_column_text(st, 1);
		const char *statut = (const char *)sqlite3_column_text(st, 2);
		if ((rc = fn(arg, code ? code : "", terr ? terr : "", statut,
			     sqlite3_column_double(st, 3))) < 0)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : CPTS_OK;
}

int cpts_store_territory_names_each(cpts_ctx *ctx, cpts_store *s, const char *name,
				    int (*fn)(void *arg, const char *terr, const char *nom),
				    void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT territory, nom FROM territory_names"
				     " WHERE partition = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((rc = cpts_store_row(ctx, s, st, "reading territory names")) > 0) {
		const char *terr = (const char *)sqlite3_column_text(st, 0);
		const char *nom = (const char *)sqlite3_column_text(st, 1);
		if (terr && nom && (rc = fn(arg, terr, nom)) < 0)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : CPTS_OK;
}
