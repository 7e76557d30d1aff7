/*
 * deps.c - versions of the input tables and provenance of the derived results: the one
 * table that says "when input X is replaced, derived result Y is dropped or stale".
 *
 * Why: a profile, the metrics of a partition or a basins partition computed from an
 * mt (or flows, population, ...) table that was re-ingested since would be published
 * with the new file's SHA-256 and the old numbers. Every input table gets a version (a
 * counter, increased each time the table is replaced, in table `versions`); every
 * derived result records the versions of the inputs it was computed from (table
 * `derived`). A reader compares them: equal means fresh, anything else is stale and
 * the reader recomputes it or stops, naming what changed.
 *
 * The dependencies live in deps[] below and nowhere else: ingest calls
 * cpts_store_input_replaced(), which bumps the version and applies the DROP rows
 * (deleting the derived rows, e.g. the graph when communes change; a profile or basin
 * metrics keep their record, which then reads as stale, naming the input, and carries
 * the options to recompute them with); STALE rows keep the result, whose record then
 * no longer matches.
 *
 * Both tables are created on the first write (CREATE TABLE IF NOT EXISTS inside the
 * writer's transaction), so workspaces made before them still open, unchanged; until
 * then their results have no record and read as "never computed".
 */
#include <stdlib.h>
#include <string.h>

#include "cpts/util.h"
#include "store/store_int.h"

enum dep_action {
	DEP_STALE, /* keep the result; its record no longer matches */
	DEP_DROP,  /* delete the result (and its record, unless the kind keeps it) */
};

/* One edge "when input is replaced, derived is dropped / stale". */
struct dep {
	const char *input;   /* an input table; "partition" = the partition of the result */
	const char *derived; /* a derived kind of kinds[] */
	enum dep_action action;
};

static const struct dep deps[] = {
	/* input         derived             action */
	{ "communes",    "graph",            DEP_DROP },
	{ "communes",    "flow_matrix",      DEP_DROP },
	{ "flows",       "flow_matrix",      DEP_DROP },
	{ "population",  "population_total", DEP_DROP },
	/* a basins partition: its membership was computed from these */
	{ "communes",    "basin_partition",  DEP_STALE },
	{ "population",  "basin_partition",  DEP_STALE },
	{ "flows",       "basin_partition",  DEP_STALE },
	{ "partition",   "basin_partition",  DEP_DROP },
	/* basin_metrics + basin_communes of a partition */
	{ "communes",    "basins",           DEP_DROP },
	{ "population",  "basins",           DEP_STALE },
	{ "flows",       "basins",           DEP_STALE },
	{ "partition",   "basins",           DEP_DROP },
	/* profile_values of a partition */
	{ "communes",    "profile",          DEP_DROP },
	{ "population",  "profile",          DEP_STALE },
	{ "consumption", "profile",          DEP_STALE },
	{ "reference",   "profile",          DEP_STALE },
	{ "mt",          "profile",          DEP_STALE },
	{ "supply",      "profile",          DEP_STALE },
	{ "traveltime",  "profile",          DEP_STALE },
	{ "attributes",  "profile",          DEP_STALE },
	{ "partition",   "profile",          DEP_DROP },
};

/* A derived kind: how to drop its rows (?1 = the partition, NULL for all). */
struct kind {
	const char *name;
	bool per_partition;  /* one result per partition ("profile:NAME") */
	bool keep_record;    /* a drop keeps the record: the result then reads as stale,
				naming what changed, and is recomputed with its params */
	const char *drop[3]; /* statements deleting its rows, or for a per-partition kind the
				tables holding them (by their column partition); NULL-ended */
	const char *what_fr; /* for messages */
};

static const struct kind kinds[] = {
	{ "graph", false, false, { "DELETE FROM graph_edges",
			    "DELETE FROM meta WHERE key LIKE 'graph\\_%' ESCAPE '\\'", NULL },
	  "the contiguity graph" },
	{ "flow_matrix", false, false, { "DELETE FROM flow_matrix", NULL },
	  "the flow matrix cache" },
	{ "population_total", false, false, { "DELETE FROM population_total", NULL },
	  "the population totals" },
	{ "basin_partition", true, false,
	  { "basin_stability", NULL },
	  "the basins" },
	{ "basins", true, true, { "basin_metrics", "basin_communes", NULL },
	  "the basin metrics (LI, MSI, PAC, pole)" },
	{ "profile", true, true, { "profile_values", NULL },
	  "the profile" },
};

#define N_DEPS (sizeof(deps) / sizeof(deps[0]))
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

static const char tables_sql[] =
	"CREATE TABLE IF NOT EXISTS versions(name TEXT PRIMARY KEY, version INTEGER NOT NULL,"
	" replaced_at TEXT);"
	"CREATE TABLE IF NOT EXISTS derived(name TEXT PRIMARY KEY, inputs TEXT NOT NULL,"
	" params TEXT, computed_at TEXT)";

static const struct kind *kind_find(const char *name)
{
	for (size_t k = 0; k < N_KINDS; k++)
		if (strcmp(kinds[k].name, name) == 0)
			return &kinds[k];
	CPTS_BUG("unknown derived kind '%s'", name);
	return NULL;
}

/* 1 when the versions and derived tables exist (a read-only workspace of an older cpts
 * has none), 0 when not, < 0 on a read error. */
static int has_tables(cpts_ctx *ctx, cpts_store *s)
{
	long long n = 0;
	int rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM sqlite_master WHERE name IN"
				      " ('versions', 'derived')", &n);

	return rc < 0 ? rc : n == 2;
}

/* Record key of a result: "profile:NAME" or "graph". OWNED by caller. */
static char *record_key(const struct kind *k, const char *partition)
{
	return k->per_partition ? cpts_asprintf("%s:%s", k->name, partition ? partition : "")
				: cpts_strdup(k->name);
}

/* Version key of an input: "mt", or "partition:NAME" for the partition input. */
static char *input_key(const char *input, const char *partition)
{
	return strcmp(input, "partition") == 0
		       ? cpts_asprintf("partition:%s", partition ? partition : "")
		       : cpts_strdup(input);
}

/* Current version of an input (0 when never ingested). */
/* The version of input key into *out (0 when never replaced). */
static int version_of(cpts_ctx *ctx, cpts_store *s, const char *key, long long *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = 0;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT version FROM versions WHERE name ="
				     " ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((rc = cpts_store_row(ctx, s, st, "reading versions")) > 0)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc < 0 ? rc : CPTS_OK;
}

/* "communes=3;mt=7;partition=9": the versions of the inputs of a derived kind, in the
 * order of deps[], into *out (OWNED by caller; NULL on error). */
static int inputs_string(cpts_ctx *ctx, cpts_store *s, const char *derived,
			 const char *partition, char **out)
{
	cpts_buf b = CPTS_BUF_INIT;
	int rc = CPTS_OK;

	*out = NULL;
	for (size_t i = 0; i < N_DEPS && rc == CPTS_OK; i++) {
		char *key;
		long long v;
		if (strcmp(deps[i].derived, derived) != 0)
			continue;
		key = input_key(deps[i].input, partition);
		if ((rc = version_of(ctx, s, key, &v)) == CPTS_OK)
			cpts_buf_addf(&b, "%s%s=%lld", b.len ? ";" : "", deps[i].input, v);
		free(key);
	}
	if (rc < 0) {
		cpts_buf_release(&b);
		return rc;
	}
	*out = cpts_buf_detach(&b, NULL);
	return CPTS_OK;
}

bool cpts_store_readonly(cpts_store *s)
{
	return sqlite3_db_readonly(s->db, "main") != 0;
}

static int drop_result(cpts_ctx *ctx, cpts_store *s, const struct kind *k,
		       const char *partition)
{
	sqlite3_stmt *st = NULL;
	char *key;
	int rc = CPTS_OK;

	for (size_t i = 0; i < 3 && k->drop[i] && rc == CPTS_OK; i++) {
		/* two statements, not "WHERE ?1 IS NULL OR partition = ?1": that form reads
		   the whole table (300,000 profile rows on France) to drop one partition */
		char *sql = !k->per_partition ? cpts_strdup(k->drop[i])
			    : partition ? cpts_asprintf("DELETE FROM %s WHERE partition = ?1",
							k->drop[i])
			    : cpts_asprintf("DELETE FROM %s", k->drop[i]);
		rc = cpts_store_prepare(ctx, s, &st, sql);
		free(sql);
		if (rc < 0)
			return rc;
		if (k->per_partition && partition)
			sqlite3_bind_text(st, 1, partition, -1, SQLITE_STATIC);
		rc = cpts_store_step_done(ctx, s, st);
		sqlite3_finalize(st);
	}
	if (rc < 0 || k->keep_record)
		return rc;
	if (!partition || !k->per_partition) {
		char *like = cpts_asprintf("%s%s", k->name, k->per_partition ? ":%" : "");
		rc = cpts_store_run(ctx, s, k->per_partition ? "DELETE FROM derived WHERE name LIKE ?"
							     : "DELETE FROM derived WHERE name = ?",
				    like, (const char *)NULL);
		free(like);
		return rc;
	}
	key = record_key(k, partition);
	rc = cpts_store_run(ctx, s, "DELETE FROM derived WHERE name = ?", key, (const char *)NULL);
	free(key);
	return rc;
}

int cpts_store_input_replaced(cpts_ctx *ctx, cpts_store *s, const char *input,
			      const char *partition)
{
	char *key = input_key(input, partition), ts[32], ver[32];
	long long next = 1;
	int rc;

	if ((rc = cpts_store_exec(ctx, s, tables_sql)) < 0 ||
	    (rc = cpts_store_count_get(ctx, s, "SELECT coalesce(max(version), 0) + 1 FROM"
				       " versions", &next)) < 0)
		goto out;
	snprintf(ver, sizeof(ver), "%lld", next);
	cpts_timestamp_utc(ts);
	if ((rc = cpts_store_run(ctx, s, "INSERT OR REPLACE INTO versions(name, version,"
				 " replaced_at) VALUES(?, CAST(? AS INTEGER), ?)", key, ver, ts,
				 (const char *)NULL)) < 0)
		goto out;
	for (size_t i = 0; i < N_DEPS && rc == CPTS_OK; i++)
		if (strcmp(deps[i].input, input) == 0 && deps[i].action == DEP_DROP)
			rc = drop_result(ctx, s, kind_find(deps[i].derived),
					 strcmp(input, "partition") == 0 ? partition : NULL);
out:
	free(key);
	return rc;
}

int cpts_store_derived_record(cpts_ctx *ctx, cpts_store *s, const char *derived,
			      const char *partition, const char *params)
{
	const struct kind *k = kind_find(derived);
	sqlite3_stmt *st = NULL;
	char *key = record_key(k, partition), *inputs = NULL, ts[32];
	int rc;

	if ((rc = cpts_store_exec(ctx, s, tables_sql)) < 0 ||
	    (rc = inputs_string(ctx, s, derived, partition, &inputs)) < 0)
		goto out;
	cpts_timestamp_utc(ts);
	if ((rc = cpts_store_prepare(ctx, s, &st, "INSERT OR REPLACE INTO derived(name, inputs,"
				     " params, computed_at) VALUES(?, ?, ?, ?)")) < 0)
		goto out;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, inputs, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, params, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ts, -1, SQLITE_STATIC);
	rc = cpts_store_step_done(ctx, s, st);
out:
	sqlite3_finalize(st);
	free(inputs);
	free(key);
	return rc;
}

/* The record of a result: inputs and params (OWNED, NULL when no record: CPTS_ABSENT). */
static int read_record(cpts_ctx *ctx, cpts_store *s, const char *key, char **inputs,
		       char **params)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*inputs = *params = NULL;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT inputs, params FROM derived WHERE"
				     " name = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((rc = cpts_store_row(ctx, s, st, "reading derived")) > 0) {
		const char *a = (const char *)sqlite3_column_text(st, 0);
		const char *b = (const char *)sqlite3_column_text(st, 1);
		*inputs = cpts_strdup(a ? a : "");
		*params = b ? cpts_strdup(b) : NULL;
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : rc > 0 ? CPTS_OK : CPTS_ABSENT;
}

/* Say which input changed: "mt was re-ingested from 'x.csv' (2026-...)". */
static int explain(cpts_ctx *ctx, cpts_store *s, const char *input, const char *partition,
		   char *why, size_t n_why)
{
	sqlite3_stmt *st = NULL;
	char *key = input_key(input, partition);
	const char *file = NULL, *at = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT file, ingested_at FROM sources WHERE"
				     " tbl = ?")) < 0)
		goto out;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((rc = cpts_store_row(ctx, s, st, "reading sources")) < 0)
		goto out;
	if (rc > 0) {
		file = (const char *)sqlite3_column_text(st, 0);
		at = (const char *)sqlite3_column_text(st, 1);
	}
	rc = CPTS_OK;
	if (strcmp(input, "partition") == 0)
		snprintf(why, n_why, "partition '%s' was replaced", partition ? partition : "");
	else if (file)
		snprintf(why, n_why, "%s was re-ingested (from '%s' at %s)", input, file,
			 at ? at : "?");
	else
		snprintf(why, n_why, "%s was replaced", input);
out:
	sqlite3_finalize(st);
	free(key);
	return rc;
}

int cpts_store_derived_status(cpts_ctx *ctx, cpts_store *s, const char *derived,
			      const char *partition, char *why, size_t n_why, char **params_out)
{
	const struct kind *k = kind_find(derived);
	char *key = record_key(k, partition), *rec = NULL, *params = NULL, *now = NULL;
	int state = CPTS_DERIVED_MISSING, rc;

	if (why && n_why)
		snprintf(why, n_why, "%s was never computed", k->what_fr);
	if (params_out)
		*params_out = NULL;
	/* no tables, or no record: an expected absence (missing); a read error is returned */
	if ((rc = has_tables(ctx, s)) <= 0 ||
	    (rc = read_record(ctx, s, key, &rec, &params)) != CPTS_OK ||
	    (rc = inputs_string(ctx, s, derived, partition, &now)) < 0) {
		state = rc < 0 ? rc : CPTS_DERIVED_MISSING;
		goto out;
	}
	state = CPTS_DERIVED_FRESH;
	if (strcmp(now, rec) != 0) {
		/* the first input whose version differs */
		const char *p = now, *q = rec;
		state = CPTS_DERIVED_STALE;
		if (why && n_why)
			snprintf(why, n_why, "its inputs changed");
		/* every input whose version differs, "; "-separated */
		for (size_t used = 0; *p && *q && why && n_why;) {
			size_t lp = strcspn(p, ";"), lq = strcspn(q, ";");
			if (lp != lq || memcmp(p, q, lp) != 0) {
				char input[64];
				size_t li = strcspn(p, "=");
				snprintf(input, sizeof(input), "%.*s", (int)(li < 63 ? li : 63), p);
				if (used > 0 && used + 2 < n_why)
					used += (size_t)snprintf(why + used, n_why - used, "; ");
				if (used + 1 < n_why &&
				    (rc = explain(ctx, s, input, partition, why + used,
						  n_why - used)) < 0) {
					state = rc;
					goto out;
				}
				used += strlen(why + used);
			}
			p += lp + (p[lp] == ';');
			q += lq + (q[lq] == ';');
		}
	}
	if (params_out) {
		*params_out = params;
		params = NULL;
	}
out:
	free(now);
	free(rec);
	free(params);
	free(key);
	return state;
}
