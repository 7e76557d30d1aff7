/*
 * stats.c - the row counts `cpts info` shows (rows, communes covered, masked cells of
 * each input table), kept in table table_stats by the transaction that writes the table.
 *
 * Why: `cpts info` on the France workspace (5 M flow pairs) spent 1.0 s of CPU, nearly
 * all of it in count(DISTINCT orig) and count(*) WHERE masked over the flows: two full
 * scans to print two numbers. The counts now live in table_stats, written before the
 * COMMIT of every transaction that wrote the table, so they are committed (or rolled
 * back) with the rows they count, and info reads them in O(1).
 *
 * How the store knows a table was written, whatever module wrote it: an authorizer on
 * the connection (sqlite3_set_authorizer) sees every INSERT, UPDATE and DELETE when it
 * is prepared and marks its table dirty; cpts_store_commit() recounts the dirty tables
 * (cpts_store__stats_commit). Recounting is cheap: count(*) reads the B-tree pages
 * without decoding a row, the communes covered are counted by a skip scan of the key
 * (one seek per commune), and the masked rows of the flows come from the writer
 * (cpts_store_flows_write counts them as it binds them) when it wrote every row of the
 * table in this transaction; other tables scan theirs (small: tens of thousands).
 *
 * A stats row also records the version of its input (table versions, deps.c): a row
 * whose version differs (the table was replaced by a cpts that did not keep the counts)
 * is ignored and info counts live, as it does for a workspace made before table_stats
 * (the table is then created at the next writable open, cpts_store_schema_upgrade_sql).
 */
#include <stdlib.h>
#include <string.h>

#include "cpts/util.h"
#include "store/store_int.h"

/* The tables info describes (their order is info's); masked: SQL condition of a masked
 * row, NULL when the table has none. */
const cpts_store_tbl cpts_store__tables[] = {
	{ "communes", "code", NULL, "commune geometries" },
	{ "population", "code", NULL, "population by sex and age" },
	{ "consumption", "code", "masked", "GP consultations (ICC)" },
	{ "reference", NULL, NULL, "reference rates" },
	{ "mt", "code", "mask <> 0", "médecin traitant" },
	{ "supply", "code", NULL, "GP supply" },
	{ "flows", "orig", "masked", "patient flows" },
	{ "traveltime", "orig", NULL, "travel times" },
	{ "attributes", "code", NULL, "per-commune attributes" },
	{ "passage", NULL, NULL, "COG passage table" },
	{ "graph_edges", NULL, NULL, "contiguity graph" },
	{ NULL, NULL, NULL, NULL },
};

static int table_index(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; cpts_store__tables[i].name; i++)
		if (strcmp(cpts_store__tables[i].name, name) == 0)
			return i;
	return -1;
}

/* The authorizer: marks the tracked tables a statement writes. Never refuses. */
static int authorize(void *arg, int action, const char *a3, const char *a4, const char *db,
		     const char *trigger)
{
	cpts_store *s = arg;
	int i = -1;

	(void)db;
	(void)trigger;
	switch (action) {
	case SQLITE_INSERT:
	case SQLITE_UPDATE:
	case SQLITE_DELETE:
	case SQLITE_DROP_TABLE:
		i = table_index(a3);
		break;
	case SQLITE_ALTER_TABLE:
		i = table_index(a4);
		break;
	default:
		break;
	}
	if (i >= 0)
		s->stats_dirty |= 1u << i;
	return SQLITE_OK;
}

void cpts_store__stats_attach(cpts_store *s)
{
	sqlite3_set_authorizer(s->db, authorize, s);
}

void cpts_store__stats_tx_reset(cpts_store *s)
{
	s->flows_rows_tx = 0;
	s->flows_masked_tx = 0;
}

/* 1 when a statement that writes is still prepared: it may run in a later transaction
 * without being prepared again (the authorizer runs at prepare), so its tables stay
 * dirty. */
static int writer_pending(cpts_store *s)
{
	for (sqlite3_stmt *p = sqlite3_next_stmt(s->db, NULL); p; p = sqlite3_next_stmt(s->db, p))
		if (!sqlite3_stmt_readonly(p))
			return 1;
	return 0;
}

void cpts_store__stats_rolled_back(cpts_store *s)
{
	cpts_store__stats_tx_reset(s);
	if (!writer_pending(s))
		s->stats_dirty = 0; /* the writes are undone with their counts */
}

void cpts_store__stats_mark(cpts_store *s, const char *name)
{
	int i = table_index(name);

	if (i >= 0)
		s->stats_dirty |= 1u << i;
}

void cpts_store__flows_written(cpts_store *s, long long rows, long long masked)
{
	s->flows_rows_tx += rows;
	s->flows_masked_tx += masked;
}

/* One number from sql, ?1 bound to key when not NULL (0 when NULL or no row): SQLITE_OK
 * or the error code (the connection holds the message). Raw SQLite, so that this file
 * needs nothing of store.c, which calls it from cpts_store_commit. */
static int count_sql(sqlite3 *db, const char *sql, const char *key, long long *out)
{
	sqlite3_stmt *st = NULL;
	int r;

	*out = 0;
	if ((r = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		return r;
	if (key)
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? SQLITE_OK : r;
}

static int has_table(sqlite3 *db, const char *name, long long *yes)
{
	return count_sql(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND"
			 " name = ?1", name, yes);
}

int cpts_store__stats_count(cpts_store *s, const cpts_store_tbl *t, long long *rows,
			    long long *n_com, long long *masked)
{
	char sql[512];
	int r;

	*n_com = -1;
	*masked = 0;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", t->name);
	if ((r = count_sql(s->db, sql, NULL, rows)) != SQLITE_OK)
		return r;
	if (t->code_col) {
		/* count(DISTINCT) decodes every row; the code column leads the key of each
		   table, so one seek per distinct code finds the next */
		const char *c = t->code_col;
		snprintf(sql, sizeof(sql), "WITH RECURSIVE c(v) AS (SELECT min(%s) FROM %s"
			 " UNION ALL SELECT (SELECT %s FROM %s WHERE %s > c.v ORDER BY %s"
			 " LIMIT 1) FROM c WHERE c.v IS NOT NULL) SELECT count(v) FROM c",
			 c, t->name, c, t->name, c, c);
		if ((r = count_sql(s->db, sql, NULL, n_com)) != SQLITE_OK)
			return r;
	}
	if (t->masked) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE %s", t->name, t->masked);
		r = count_sql(s->db, sql, NULL, masked);
	}
	return r;
}

/* Forget the counts of tbl. */
static int drop_counts(sqlite3 *db, const char *tbl)
{
	sqlite3_stmt *st = NULL;
	int r = sqlite3_prepare_v2(db, "DELETE FROM table_stats WHERE tbl = ?1", -1, &st, NULL);

	if (r != SQLITE_OK)
		return r;
	sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? SQLITE_OK : r;
}

/* The version of input tbl (0 when never recorded or no versions table). */
static const char version_sql[] =
	"coalesce((SELECT version FROM versions WHERE name = ?1), 0)";

int cpts_store__stats_commit(cpts_store *s)
{
	sqlite3_stmt *st = NULL;
	char sql[256];
	unsigned dirty = s->stats_dirty;
	long long has_stats = 0, has_versions = 0;
	int r;

	if (!dirty)
		return SQLITE_OK;
	if ((r = has_table(s->db, "table_stats", &has_stats)) != SQLITE_OK || !has_stats)
		return r; /* a workspace opened read-only cannot have written */
	if ((r = has_table(s->db, "versions", &has_versions)) != SQLITE_OK)
		return r;
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO table_stats(tbl, version, n_rows,"
		 " n_communes, n_masked) VALUES(?1, %s, ?2, ?3, ?4)",
		 has_versions ? version_sql : "0");
	if ((r = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return r;
	for (int i = 0; cpts_store__tables[i].name && r == SQLITE_OK; i++) {
		const cpts_store_tbl *t = &cpts_store__tables[i];
		cpts_store_tbl quick = *t;
		long long rows, n_com, masked, exists = 0;

		if (!(dirty & (1u << i)))
			continue;
		/* a table dropped (and not made again) has no counts */
		if ((r = has_table(s->db, t->name, &exists)) != SQLITE_OK)
			break;
		if (!exists) {
			r = drop_counts(s->db, t->name);
			continue;
		}
		/* every row of the flows written by the flows writer in this transaction:
		   it counted the masked ones */
		if (strcmp(t->name, "flows") == 0 && s->flows_rows_tx > 0)
			quick.masked = NULL;
		if ((r = cpts_store__stats_count(s, &quick, &rows, &n_com, &masked)) != SQLITE_OK)
			break;
		if (t->masked && !quick.masked) {
			if (rows == s->flows_rows_tx)
				masked = s->flows_masked_tx;
			else if ((r = cpts_store__stats_count(s, t, &rows, &n_com, &masked)) !=
				 SQLITE_OK)
				break;
		}
		sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, rows);
		if (n_com >= 0)
			sqlite3_bind_int64(st, 3, n_com);
		else
			sqlite3_bind_null(st, 3);
		sqlite3_bind_int64(st, 4, masked);
		r = sqlite3_step(st);
		r = r == SQLITE_DONE ? sqlite3_reset(st) : r;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_OK)
		return r;
	if (!writer_pending(s))
		s->stats_dirty = 0;
	return SQLITE_OK;
}

int cpts_store__stats_get(cpts_store *s, const cpts_store_tbl *t, long long *rows,
			  long long *n_com, long long *masked)
{
	sqlite3_stmt *st = NULL;
	long long yes = 0, has_versions = 0;
	int r;

	if (s->stats_known == 0) {
		if ((r = has_table(s->db, "table_stats", &yes)) != SQLITE_OK)
			return r;
		s->stats_known = yes ? 1 : -1;
	}
	if (s->stats_known < 0)
		return SQLITE_DONE;
	if ((r = has_table(s->db, "versions", &has_versions)) != SQLITE_OK)
		return r;
	if ((r = sqlite3_prepare_v2(s->db, has_versions
			? "SELECT n_rows, n_communes, n_masked FROM table_stats WHERE tbl = ?1 AND"
			  " version = coalesce((SELECT version FROM versions WHERE name = ?1), 0)"
			: "SELECT n_rows, n_communes, n_masked FROM table_stats WHERE tbl = ?1 AND"
			  " version = 0", -1, &st, NULL)) != SQLITE_OK)
		return r;
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*rows = sqlite3_column_int64(st, 0);
		*n_com = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 1);
		*masked = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return r;
}
