/*
 * profile_io.c - SQL of the indicator engine (cpts/store_profile.h): the rows of
 * `cpts ingest indicators` in table indicator_data. Kept here so that src/profile and
 * src/ingest stay free of raw sqlite calls for them.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/store_profile.h"
#include "cpts/util.h"
#include "store/store_int.h"

#define INDICATOR_DATA_DDL                                                              \
	"CREATE TABLE IF NOT EXISTS indicator_data(indicator TEXT NOT NULL,"           \
	" code TEXT NOT NULL, sex TEXT NOT NULL, age TEXT NOT NULL, year INTEGER NOT NULL," \
	" num REAL, den REAL, masked INTEGER NOT NULL DEFAULT 0,"                     \
	" PRIMARY KEY(indicator, code, sex, age, year)) WITHOUT ROWID"

int cpts_store_indicator_data_put(cpts_ctx *ctx, cpts_store *s, const cpts_indrow *rows,
				  size_t n)
{
	sqlite3_stmt *del = NULL, *ins = NULL;
	cpts_strmap *seen = NULL;
	int rc;

	if ((rc = cpts_store_exec(ctx, s, INDICATOR_DATA_DDL)) < 0 ||
	    (rc = cpts_store_prepare(ctx, s, &del, "DELETE FROM indicator_data WHERE"
				     " indicator = ?1")) < 0 ||
	    (rc = cpts_store_prepare(ctx, s, &ins, "INSERT OR REPLACE INTO indicator_data("
				     "indicator, code, sex, age, year, num, den, masked)"
				     " VALUES(?,?,?,?,?,?,?,?)")) < 0)
		goto out;
	seen = cpts_strmap_new(16);
	for (size_t i = 0; i < n; i++) {
		if (cpts_strmap_get(seen, rows[i].indicator, NULL))
			continue;
		cpts_strmap_put(seen, rows[i].indicator, 1);
		sqlite3_bind_text(del, 1, rows[i].indicator, -1, SQLITE_STATIC);
		if ((rc = cpts_store_step_done(ctx, s, del)) < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const cpts_indrow *r = &rows[i];
		sqlite3_bind_text(ins, 1, r->indicator, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, r->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, r->sex, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, r->age, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 5, r->year);
		if (isnan(r->num))
			sqlite3_bind_null(ins, 6);
		else
			sqlite3_bind_double(ins, 6, r->num);
		if (isnan(r->den))
			sqlite3_bind_null(ins, 7);
		else
			sqlite3_bind_double(ins, 7, r->den);
		sqlite3_bind_int(ins, 8, r->masked);
		if ((rc = cpts_store_step_done(ctx, s, ins)) < 0)
			goto out;
	}
	rc = CPTS_OK;
out:
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	cpts_strmap_free(seen);
	return rc;
}

/* Column col as text into dst (truncated to cap - 1 bytes); no printf and no
   sqlite3_column_bytes: millions of cells go through here, and the keys are short
   NUL-terminated texts. */
static void copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	size_t n = 0;

	if (t)
		while (n + 1 < cap && t[n])
			dst[n] = t[n], n++;
	dst[n] = 0;
}

/* The row of st (code, sex, age, year, num, den, flags: masked | num NULL << 1 | den
   NULL << 2) into r, whose indicator is that of the query. 7 column calls a row
   instead of 14 (France: 5 million rows). */
static void decode_indrow(sqlite3_stmt *st, cpts_indrow *r)
{
	int f;

	copy_text(r->code, sizeof(r->code), st, 0);
	copy_text(r->sex, sizeof(r->sex), st, 1);
	copy_text(r->age, sizeof(r->age), st, 2);
	r->year = sqlite3_column_int(st, 3);
	f = sqlite3_column_int(st, 6);
	r->num = f & 2 ? NAN : sqlite3_column_double(st, 4);
	r->den = f & 4 ? NAN : sqlite3_column_double(st, 5);
	r->masked = (f & 1) != 0;
}

/* ---- the same rows in two halves, read at once (France: 5 million rows) ---- */

/* The indicators of the table, in order: each the smallest above the one before (one
   B-tree seek each, not a scan). OWNED array of OWNED strings in *out. */
static int list_indicators(cpts_ctx *ctx, cpts_store *s, char ***out, size_t *n_out)
{
	sqlite3_stmt *st = NULL;
	char **v = NULL;
	const char *after = ""; /* BORROWED: "" or the last entry of v */
	size_t n = 0;
	int rc, step;

	*out = NULL;
	*n_out = 0;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT min(indicator) FROM indicator_data"
				     " WHERE indicator > ?1")) < 0)
		return rc;
	for (;;) {
		sqlite3_bind_text(st, 1, after, -1, SQLITE_STATIC);
		step = sqlite3_step(st);
		if (step != SQLITE_ROW) {
			rc = cpts_store_fail(ctx, s, "indicator_data");
			break;
		}
		if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
			rc = CPTS_OK;
			break;
		}
		v = cpts_reallocarray(v, n + 1, sizeof(*v));
		v[n] = cpts_strdup((const char *)sqlite3_column_text(st, 0));
		after = v[n++];
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	*out = v;
	*n_out = n;
	return rc;
}

/* One half: the rows of each indicator whose code is below split (upper: at or above
   it), in key order, through fn. Raw SQLite calls so that it can run on a connection
   of its own in another thread (no ctx there): returns CPTS_OK, fn's error, or the
   SQLite code (> 0) with its message in err. */
static int read_half(sqlite3 *db, char *const *inds, size_t n_inds, const char *split,
		     bool upper, cpts_store_indrow_fn fn, void *arg, char *err, size_t cap)
{
	sqlite3_stmt *st = NULL;
	cpts_indrow r;
	int rc = CPTS_OK, step = SQLITE_DONE;

	/* the indicator is bound: not read back; the NULLs and the mask in one column */
	/* (SQL's << and | bind alike: every term in parentheses) */
#define READ_COLS "SELECT code, sex, age, year, num, den, (masked <> 0) + ((num IS NULL) * 2)" \
		  " + ((den IS NULL) * 4) FROM indicator_data WHERE indicator = ?1 AND code "
	if (sqlite3_prepare_v2(db, upper ? READ_COLS ">= ?2 ORDER BY code, sex, age, year"
			     : READ_COLS "< ?2 ORDER BY code, sex, age, year", -1, &st, NULL) !=
	    SQLITE_OK) {
#undef READ_COLS
		snprintf(err, cap, "%s", sqlite3_errmsg(db));
		return sqlite3_errcode(db) ? sqlite3_errcode(db) : SQLITE_ERROR;
	}
	memset(&r, 0, sizeof(r));
	for (size_t k = 0; k < n_inds && rc == CPTS_OK; k++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, inds[k], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, split, -1, SQLITE_STATIC);
		snprintf(r.indicator, sizeof(r.indicator), "%s", inds[k]);
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			decode_indrow(st, &r);
			if ((rc = fn(arg, &r)) < 0)
				break;
		}
		if (rc == CPTS_OK && step != SQLITE_DONE) {
			snprintf(err, cap, "%s", sqlite3_errmsg(db));
			rc = step;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

typedef struct half_job {
	sqlite3 *db;              /* OWNED: the second connection */
	char *const *inds;        /* BORROWED */
	size_t n_inds;
	const char *split;        /* BORROWED */
	cpts_store_indrow_fn fn;
	void *arg;
	int rc;
	char err[256];
} half_job;

static void *half_main(void *arg)
{
	half_job *j = arg;

	j->rc = read_half(j->db, j->inds, j->n_inds, j->split, true, j->fn, j->arg, j->err,
			  sizeof(j->err));
	return NULL;
}

/* A read-only connection of its own to the workspace file (NULL: none to be had, e.g.
   an in-memory workspace). OWNED by the caller. */
static sqlite3 *second_connection(cpts_store *s)
{
	sqlite3 *db = NULL;

	if (!s->path || !*s->path || strcmp(s->path, ":memory:") == 0)
		return NULL;
	if (sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA mmap_size=1073741824", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	return db;
}

int cpts_store_indicator_data_halves(cpts_ctx *ctx, cpts_store *s, const char *split,
				     cpts_store_indrow_fn fn_lo, void *arg_lo,
				     cpts_store_indrow_fn fn_hi, void *arg_hi)
{
	half_job job;
	char **inds = NULL, err[256] = "";
	size_t n_inds = 0;
	pthread_t th;
	bool threaded = false;
	long long exists = 0;
	int rc;

	memset(&job, 0, sizeof(job));
	if ((rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM sqlite_master WHERE type ="
				       " 'table' AND name = 'indicator_data'", &exists)) < 0)
		return rc;
	if (exists == 0)
		return CPTS_OK;
	if ((rc = list_indicators(ctx, s, &inds, &n_inds)) < 0)
		goto out;
	job.inds = inds;
	job.n_inds = n_inds;
	job.split = split;
	job.fn = fn_hi;
	job.arg = arg_hi;
	/* the caller's transaction has not written indicator_data: a second connection
	   sees the same rows */
	if ((job.db = second_connection(s)))
		threaded = pthread_create(&th, NULL, half_main, &job) == 0;
	rc = read_half(s->db, inds, n_inds, split, false, fn_lo, arg_lo, err, sizeof(err));
	if (threaded)
		pthread_join(th, NULL);
	else
		job.rc = rc == CPTS_OK ? read_half(s->db, inds, n_inds, split, true, fn_hi, arg_hi,
						   job.err, sizeof(job.err))
				       : CPTS_OK;
	if (rc > 0)
		rc = cpts_fail(ctx, cpts_store__status(s->db), "reading indicator_data: %s", err);
	else if (rc == CPTS_OK && job.rc > 0)
		rc = cpts_fail(ctx, CPTS_EIO, "reading indicator_data: %s", job.err);
	else if (rc == CPTS_OK)
		rc = job.rc;
out:
	if (job.db)
		sqlite3_close(job.db);
	for (size_t k = 0; k < n_inds; k++)
		free(inds[k]);
	free(inds);
	return rc;
}

/* ---- the other inputs of a profile ---- */

/* One SELECT per input; roles name what each column is: c code, s sex, a age, t text,
   v a value (the next of v[]), f the integer flag. */
static const struct pin_spec {
	const char *sql;
	const char *roles;
	const char *what; /* for messages */
} pins[] = {
	[CPTS_PIN_POPULATION_AGES] = { "SELECT DISTINCT age FROM population WHERE age <> 'ALL'"
				       " ORDER BY age", "a", "population" },
	[CPTS_PIN_CONSUMPTION_AGES] = { "SELECT DISTINCT age FROM consumption WHERE age <> 'ALL'"
					" ORDER BY age", "a", "consumption" },
	[CPTS_PIN_POPULATION] = { "SELECT code, sex, age, pop FROM population", "csav",
				  "population" },
	[CPTS_PIN_CONSUMPTION] = { "SELECT code, sex, age, actes, masked, profession FROM"
				   " consumption", "csavft", "consumption" },
	[CPTS_PIN_REFERENCE] = { "SELECT sex, age, rate FROM reference", "sav", "reference" },
	[CPTS_PIN_MT] = { "SELECT code, patients, sans_mt, sans_mt_mt_parti, sans_mt_fictif, ald,"
			  " ald_sans_mt, c2s, c2s_sans_mt, p70, p70_sans_mt, mask FROM mt",
			  "cvvvvvvvvvvf", "mt" },
	[CPTS_PIN_SUPPLY] = { "SELECT code, profession, effectif, etp, age_60p FROM supply",
			      "ctvvv", "supply" },
	[CPTS_PIN_DENS] = { "SELECT code, value FROM attributes WHERE upper(name) = 'DENS'",
			    "ct", "attributes" },
	[CPTS_PIN_TRAVELTIME] = { "SELECT orig, dest, minutes FROM traveltime", "ctv",
				  "traveltime" },
};

int cpts_store_profile_each(cpts_ctx *ctx, cpts_store *s, cpts_store_pin what,
			    cpts_store_cell_fn fn, void *arg)
{
	const struct pin_spec *ps = &pins[what];
	sqlite3_stmt *st = NULL;
	int rc, row;

	if ((rc = cpts_store_prepare(ctx, s, &st, ps->sql)) < 0)
		return rc;
	while ((row = cpts_store_row(ctx, s, st, ps->what)) > 0) {
		cpts_store_cell c;
		int nv = 0;
		memset(&c, 0, sizeof(c));
		for (int j = 0; ps->roles[j]; j++) {
			const char *t = (const char *)sqlite3_column_text(st, j);
			switch (ps->roles[j]) {
			case 'c': c.code = t; break;
			case 's': c.sex = t; break;
			case 'a': c.age = t; break;
			case 't': c.text = t; break;
			case 'f': c.flag = sqlite3_column_int(st, j); break;
			default: /* 'v' */
				if (sqlite3_column_type(st, j) == SQLITE_NULL)
					c.v_null |= 1u << nv;
				c.v[nv++] = sqlite3_column_double(st, j);
				break;
			}
		}
		if ((rc = fn(arg, &c)) < 0)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : row < 0 ? row : CPTS_OK;
}

unsigned cpts_store_consumption_levels(cpts_store *s)
{
	unsigned out = 0;

	if (cpts_store_count(s, "SELECT EXISTS(SELECT 1 FROM consumption WHERE sex IN"
			     " ('F','M','H') AND age <> 'ALL')", 0) > 0)
		out |= 1u;
	if (cpts_store_count(s, "SELECT EXISTS(SELECT 1 FROM consumption WHERE sex = 'T' AND"
			     " age <> 'ALL')", 0) > 0)
		out |= 2u;
	if (cpts_store_count(s, "SELECT EXISTS(SELECT 1 FROM consumption WHERE sex = 'T' AND"
			     " age = 'ALL')", 0) > 0)
		out |= 4u;
	return out;
}

long long cpts_store_reference_count(cpts_store *s)
{
	return cpts_store_count(s, "SELECT count(*) FROM reference", 0);
}

long long cpts_store_traveltime_count(cpts_store *s)
{
	return cpts_store_count(s, "SELECT count(*) FROM traveltime", 0);
}

/* ---- profile_values ---- */

#define PV_BATCH 64 /* rows per INSERT: one statement per row spent most of the run in
		       statement overhead */

struct cpts_store_pvwriter {
	cpts_store *s;         /* BORROWED */
	const char *partition; /* BORROWED */
	sqlite3_stmt *del;     /* OWNED */
	sqlite3_stmt *ins;     /* OWNED: one row */
	sqlite3_stmt *batch;   /* OWNED: PV_BATCH rows (prepared on first use) */
	const char *level, *code; /* BORROWED: those of the last row bound ... */
	int level_len, code_len;  /* ... and their lengths (no strlen for the next rows) */
};

int cpts_store_pvwriter_open(cpts_ctx *ctx, cpts_store *s, cpts_store_pvwriter **out,
			     const char *partition)
{
	cpts_store_pvwriter *w = cpts_calloc(1, sizeof(*w));
	int rc;

	w->s = s;
	w->partition = partition;
	*out = w;
	/* keep the pages of profile_values in memory until the commit instead of spilling
	   them (restored by cpts_store_pvwriter_free) */
	if ((rc = cpts_store_exec(ctx, s, "PRAGMA cache_size = -262144")) < 0 ||
	    (rc = cpts_store_prepare(ctx, s, &w->del, "DELETE FROM profile_values WHERE"
				     " partition = ?1 AND (?2 IS NULL OR territory = ?2)")) < 0 ||
	    (rc = cpts_store_prepare(ctx, s, &w->ins, "INSERT OR REPLACE INTO profile_values("
				     "partition, territory, level, level_code, indicator, value, lo,"
				     " hi, masked) VALUES(?,?,?,?,?,?,?,?,?)")) < 0)
		return rc;
	return CPTS_OK;
}

int cpts_store_pvwriter_clear(cpts_ctx *ctx, cpts_store_pvwriter *w, const char *territory)
{
	sqlite3_stmt *st = NULL;
	int rc, other;

	if (!territory) {
		/* the whole partition: when the table holds no other, a DELETE without WHERE
		   (SQLite clears the table's pages without visiting the rows: France's 4
		   million values went in 3.3 s of CPU row by row) */
		if ((rc = cpts_store_prepare(ctx, w->s, &st, "SELECT EXISTS(SELECT 1 FROM"
					     " profile_values WHERE partition <> ?1)")) < 0)
			return rc;
		sqlite3_bind_text(st, 1, w->partition, -1, SQLITE_STATIC);
		rc = cpts_store_row(ctx, w->s, st, "profile_values");
		other = rc > 0 ? sqlite3_column_int(st, 0) : 1;
		sqlite3_finalize(st);
		if (rc < 0)
			return rc;
		if (!other)
			return cpts_store_exec(ctx, w->s, "DELETE FROM profile_values");
	}
	sqlite3_bind_text(w->del, 1, w->partition, -1, SQLITE_STATIC);
	if (territory)
		sqlite3_bind_text(w->del, 2, territory, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(w->del, 2);
	return cpts_store_step_done(ctx, w->s, w->del);
}

static void bind_real(sqlite3_stmt *st, int p, double v)
{
	if (isnan(v))
		sqlite3_bind_null(st, p);
	else
		sqlite3_bind_double(st, p, v);
}

/* Bind the columns of row r after partition and territory, from parameter p on. The
   rows of a territory come sorted: level and code are mostly those of the row before
   (the same pointers), their lengths are kept. */
static void bind_pvvals(cpts_store_pvwriter *w, sqlite3_stmt *st, int p,
			const cpts_store_pvrow *r)
{
	if (r->level != w->level) {
		w->level = r->level;
		w->level_len = (int)strlen(r->level);
	}
	if (r->code != w->code) {
		w->code = r->code;
		w->code_len = (int)strlen(r->code);
	}
	sqlite3_bind_text(st, p, r->level, w->level_len, SQLITE_STATIC);
	sqlite3_bind_text(st, p + 1, r->code, w->code_len, SQLITE_STATIC);
	sqlite3_bind_text(st, p + 2, r->ind, (int)strnlen(r->ind, sizeof(r->ind)), SQLITE_STATIC);
	bind_real(st, p + 3, r->v);
	bind_real(st, p + 4, r->lo);
	bind_real(st, p + 5, r->hi);
	sqlite3_bind_int(st, p + 6, r->masked ? 1 : 0);
}

/* PV_BATCH rows per statement, then the rest one by one; rows go in the same order
   either way. The rows of a batch share parameters ?1 (partition) and ?2 (territory),
   bound once per call: 2 binds fewer per row (France: 4 million rows). */
int cpts_store_pvwriter_put(cpts_ctx *ctx, cpts_store_pvwriter *w, const char *territory,
			    const cpts_store_pvrow *rows, size_t n)
{
	size_t k = 0;
	int rc = CPTS_OK;

	if (n >= PV_BATCH && !w->batch) {
		cpts_buf q = CPTS_BUF_INIT;
		cpts_buf_addstr(&q, "INSERT OR REPLACE INTO profile_values(partition, territory,"
				" level, level_code, indicator, value, lo, hi, masked) VALUES");
		for (int i = 0; i < PV_BATCH; i++) {
			int p = 3 + 7 * i;
			cpts_buf_addf(&q, "%s(?1,?2,?%d,?%d,?%d,?%d,?%d,?%d,?%d)", i ? "," : "", p,
				      p + 1, p + 2, p + 3, p + 4, p + 5, p + 6);
		}
		rc = cpts_store_prepare(ctx, w->s, &w->batch, q.data);
		cpts_buf_release(&q);
	}
	if (rc == CPTS_OK && k + PV_BATCH <= n) {
		sqlite3_bind_text(w->batch, 1, w->partition, -1, SQLITE_STATIC);
		sqlite3_bind_text(w->batch, 2, territory, -1, SQLITE_STATIC);
	}
	for (; rc == CPTS_OK && k + PV_BATCH <= n; k += PV_BATCH) {
		for (int i = 0; i < PV_BATCH; i++)
			bind_pvvals(w, w->batch, 3 + 7 * i, &rows[k + (size_t)i]);
		rc = cpts_store_step_done(ctx, w->s, w->batch);
	}
	for (; rc == CPTS_OK && k < n; k++) {
		sqlite3_bind_text(w->ins, 1, w->partition, -1, SQLITE_STATIC);
		sqlite3_bind_text(w->ins, 2, territory, -1, SQLITE_STATIC);
		bind_pvvals(w, w->ins, 3, &rows[k]);
		rc = cpts_store_step_done(ctx, w->s, w->ins);
	}
	return rc;
}

void cpts_store_pvwriter_free(cpts_store_pvwriter *w)
{
	if (!w)
		return;
	sqlite3_exec(w->s->db, "PRAGMA cache_size = -2000", NULL, NULL, NULL);
	sqlite3_finalize(w->del);
	sqlite3_finalize(w->ins);
	sqlite3_finalize(w->batch);
	free(w);
}
