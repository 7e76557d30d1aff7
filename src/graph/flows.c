/*
 * flows.c - the flow matrix residence -> practice in compressed sparse rows.
 *
 * Why: every basin method and metric sums flows per row (a commune's residents) and
 * looks up flows to given destinations; a CSR matrix with sorted columns does both
 * without a hash table. Flows to destinations outside the ingested communes are not
 * columns: they are summed per row in outside[] and count in the row totals, so that
 * LI and shares keep the consultations made outside the area in their denominators
 * (DOMAIN.md section 3). Masked cells are counted, never read as zero volumes.
 *
 * Reading millions of rows back from SQLite costs more than every basin method, so the
 * matrix of all professions is cached in table flow_matrix as packed arrays, written
 * only when asked: right after `cpts ingest flows` (cpts_flows_cache) and by `cpts
 * diagnose` from the matrix its session holds (cpts_flows_cache_store); a load never
 * writes. The ingest drops it whenever flows or communes change (deps.c). A cache of
 * another model size, another byte order or a damaged blob is ignored.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/code.h"
#include "graph/graph_int.h"

typedef struct trip {
	size_t row, col;
	double vol;
} trip;

static int cmp_trip(const void *x, const void *y)
{
	const trip *p = x, *q = y;

	if (p->row != q->row)
		return p->row < q->row ? -1 : 1;
	return p->col < q->col ? -1 : p->col > q->col;
}

void cpts_flows_free(cpts_flows *f)
{
	if (!f)
		return;
	free(f->start);
	free(f->col);
	free(f->vol);
	free(f->outside);
	free(f->row_total);
	free(f->col_total);
	free(f);
}

/* Compress sorted triplets (duplicates summed) into f. */
static void compress(cpts_flows *f, const trip *t, size_t n_t)
{
	size_t k = 0;

	f->col = cpts_mallocarray(n_t + 1, sizeof(size_t));
	f->vol = cpts_mallocarray(n_t + 1, sizeof(double));
	for (size_t i = 0; i < n_t; i++) {
		if (k > 0 && i > 0 && t[i].row == t[i - 1].row && t[i].col == t[i - 1].col) {
			f->vol[k - 1] += t[i].vol;
			continue;
		}
		f->col[k] = t[i].col;
		f->vol[k] = t[i].vol;
		f->start[t[i].row + 1]++;
		k++;
	}
	for (size_t i = 0; i < f->n; i++)
		f->start[i + 1] += f->start[i];
}

/* Code -> model index without hashing (cpts_code_key): millions of flow rows are
 * resolved by one array read each. */
#define CODE_KEYS CPTS_CODE_KEYS
#define code_key cpts_code_key

static int32_t *code_table(const cpts_model *m)
{
	int32_t *t = cpts_mallocarray(CODE_KEYS, sizeof(int32_t));

	for (size_t k = 0; k < CODE_KEYS; k++)
		t[k] = -1;
	for (size_t i = 0; i < m->n; i++) {
		long k = code_key(m->c[i].code);
		if (k >= 0)
			t[k] = (int32_t)i;
	}
	return t;
}

static long find_code(const int32_t *t, const char *c)
{
	long k = code_key(c);

	return k >= 0 ? t[k] : -1;
}

static bool trips_sorted(const trip *t, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (cmp_trip(&t[i - 1], &t[i]) > 0)
			return false;
	return true;
}

/* Packed cache: header, then start (u32, n + 1), col (u32, nnz), vol (f64, nnz),
   outside (f64, n). */
typedef struct fm_header {
	char magic[8];     /* "CPTSFM1" */
	uint32_t order;    /* 0x01020304 in the writer's byte order */
	uint32_t pad;
	uint64_t n, nnz, n_masked;
	double total;
} fm_header;

static const char fm_magic[8] = "CPTSFM1";

static size_t fm_size(uint64_t n, uint64_t nnz)
{
	return sizeof(fm_header) + (n + 1) * 4 + nnz * 4 + nnz * 8 + n * 8;
}

/* Read n u32 values at offset off of the blob, widened into out (in slices). */
static bool blob_u32(sqlite3_blob *b, size_t off, size_t n, size_t *out)
{
	uint32_t buf[16384];

	for (size_t done = 0; done < n;) {
		size_t k = n - done < 16384 ? n - done : 16384;
		if (sqlite3_blob_read(b, buf, (int)(k * 4), (int)(off + done * 4)) != SQLITE_OK)
			return false;
		for (size_t i = 0; i < k; i++)
			out[done + i] = buf[i];
		done += k;
	}
	return true;
}

/* Read len bytes at offset off of the blob into out (a blob is below INT_MAX bytes). */
static bool blob_bytes(sqlite3_blob *b, size_t off, size_t len, void *out)
{
	return sqlite3_blob_read(b, out, (int)len, (int)off) == SQLITE_OK;
}

/*
 * Fill f from a cached blob; false when there is none usable. Incremental blob I/O
 * reads the arrays straight into f: no copy of the whole blob (60 MB on France).
 */
static bool cache_read(cpts_store *s, cpts_flows *f)
{
	sqlite3 *db = cpts_store_db(s);
	sqlite3_stmt *st = NULL;
	sqlite3_blob *b = NULL;
	sqlite3_int64 id = 0;
	fm_header h;
	size_t off = sizeof(h);
	bool ok = false, found;

	if (sqlite3_prepare_v2(db, "SELECT rowid FROM flow_matrix WHERE profession = '' AND"
			       " n_communes = ?", -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)f->n);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!found || sqlite3_blob_open(db, "main", "flow_matrix", "data", id, 0, &b) != SQLITE_OK)
		goto out;
	if ((size_t)sqlite3_blob_bytes(b) < sizeof(h) ||
	    sqlite3_blob_read(b, &h, sizeof(h), 0) != SQLITE_OK)
		goto out;
	if (memcmp(h.magic, fm_magic, 8) != 0 || h.order != 0x01020304u || h.n != f->n ||
	    h.nnz > UINT32_MAX || (size_t)sqlite3_blob_bytes(b) != fm_size(h.n, h.nnz))
		goto out;
	f->col = cpts_mallocarray(h.nnz + 1, sizeof(size_t));
	f->vol = cpts_mallocarray(h.nnz + 1, sizeof(double));
	ok = blob_u32(b, off, h.n + 1, f->start) &&
	     blob_u32(b, off + (h.n + 1) * 4, h.nnz, f->col) &&
	     blob_bytes(b, off + (h.n + 1) * 4 + h.nnz * 4, h.nnz * 8, f->vol) &&
	     blob_bytes(b, off + (h.n + 1) * 4 + h.nnz * 12, h.n * 8, f->outside);
	/* a damaged cache is ignored, never trusted */
	ok = ok && f->start[0] == 0 && f->start[h.n] == h.nnz;
	for (size_t i = 0; i < h.n && ok; i++)
		ok = f->start[i + 1] >= f->start[i];
	for (size_t e = 0; e < h.nnz && ok; e++)
		ok = f->col[e] < h.n;
	if (!ok) {
		free(f->col);
		free(f->vol);
		f->col = NULL;
		f->vol = NULL;
		memset(f->start, 0, (f->n + 1) * sizeof(size_t));
		memset(f->outside, 0, (f->n + 1) * sizeof(double));
		goto out;
	}
	f->n_masked = h.n_masked;
	f->total = h.total;
out:
	if (b)
		sqlite3_blob_close(b);
	return ok;
}

/* Write n size_t values as u32 at offset off of the blob (in slices). */
static bool blob_put_u32(sqlite3_blob *b, size_t off, size_t n, const size_t *in)
{
	uint32_t buf[16384];

	for (size_t done = 0; done < n;) {
		size_t k = n - done < 16384 ? n - done : 16384;
		for (size_t i = 0; i < k; i++)
			buf[i] = (uint32_t)in[done + i];
		if (sqlite3_blob_write(b, buf, (int)(k * 4), (int)(off + done * 4)) != SQLITE_OK)
			return false;
		done += k;
	}
	return true;
}

/* Write len bytes at offset off of the blob (cache_write keeps it below INT_MAX). */
static bool blob_put(sqlite3_blob *b, size_t off, size_t len, const void *in)
{
	return sqlite3_blob_write(b, in, (int)len, (int)off) == SQLITE_OK;
}

/*
 * Write the cache inside the caller's write transaction (its rollback drops it too): a
 * zero-filled blob of the final size, then the arrays written into it piece by piece,
 * so that no packed copy of the matrix is ever held in memory. A matrix too big for
 * the packed form is not cached (a note says so).
 */
static void cache_write(cpts_ctx *ctx, cpts_store *s, const cpts_flows *f)
{
	sqlite3 *db = cpts_store_db(s);
	sqlite3_stmt *st = NULL;
	sqlite3_blob *b = NULL;
	size_t nnz = f->start[f->n], len = fm_size(f->n, nnz), off = sizeof(fm_header);
	fm_header h;
	bool ok = false;

	if (sqlite3_get_autocommit(db) || sqlite3_db_readonly(db, "main") == 1 ||
	    nnz > UINT32_MAX || len > INT_MAX)
		return;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, fm_magic, 8);
	h.order = 0x01020304u;
	h.n = f->n;
	h.nnz = nnz;
	h.n_masked = f->n_masked;
	h.total = f->total;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO flow_matrix(profession, n_communes,"
			       " data) VALUES('', ?, zeroblob(?))", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)f->n);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)len);
	if (sqlite3_step(st) != SQLITE_DONE ||
	    sqlite3_blob_open(db, "main", "flow_matrix", "data", sqlite3_last_insert_rowid(db), 1,
			      &b) != SQLITE_OK)
		goto out;
	ok = blob_put(b, 0, sizeof(h), &h) && blob_put_u32(b, off, f->n + 1, f->start) &&
	     blob_put_u32(b, off + (f->n + 1) * 4, nnz, f->col) &&
	     blob_put(b, off + (f->n + 1) * 4 + nnz * 4, nnz * 8, f->vol) &&
	     blob_put(b, off + (f->n + 1) * 4 + nnz * 12, f->n * 8, f->outside);
out:
	if (ok && cpts_store_derived_record(ctx, s, "flow_matrix", NULL, NULL) < 0) {
		cpts_error_clear(ctx); /* the cache is optional: dropped below */
		ok = false;
	}
	if (!ok) {
		cpts_note(ctx, "flow matrix not cached: %s", sqlite3_errmsg(db));
		/* a half-written blob would be ignored (its checks fail), but drop it */
		sqlite3_exec(db, "DELETE FROM flow_matrix WHERE profession = ''", NULL, NULL, NULL);
	}
	if (b)
		sqlite3_blob_close(b);
	sqlite3_finalize(st);
}

/* Row and column totals of a filled matrix (outside flows in the row totals). */
static void totals(cpts_flows *f)
{
	for (size_t i = 0; i < f->n; i++) {
		for (size_t e = f->start[i]; e < f->start[i + 1]; e++) {
			f->row_total[i] += f->vol[e];
			f->col_total[f->col[e]] += f->vol[e];
		}
		f->row_total[i] += f->outside[i];
	}
}

/*
 * The matrix being read. Rows come in key order (the flows table's key is (orig, dest,
 * profession) and the model is in code order), so entries are appended to the CSR
 * arrays as they come, the professions of a pair summed in reading order; a table read
 * in any other order turns what was appended into triplets, sorted at the end. No
 * triplet array on the usual path: 24 bytes a pair less (240 MB on 10 million pairs).
 */
typedef struct reader {
	cpts_flows *f;
	size_t nnz, cap;      /* entries appended to f->col and f->vol */
	size_t prow, pcol;    /* the last one */
	trip *t;              /* OWNED once the rows came out of order */
	size_t n_t, cap_t;
} reader;

static void push_trip(reader *r, size_t row, size_t col, double v)
{
	if (r->n_t == r->cap_t) {
		r->cap_t = r->cap_t ? 2 * r->cap_t : 4096;
		r->t = cpts_reallocarray(r->t, r->cap_t, sizeof(trip));
	}
	r->t[r->n_t++] = (trip){ row, col, v };
}

/* The entries appended so far become triplets (f->start held counts per row + 1). */
static void to_trips(reader *r)
{
	cpts_flows *f = r->f;
	size_t e = 0;

	r->cap_t = r->nnz + 4096;
	r->t = cpts_mallocarray(r->cap_t, sizeof(trip));
	for (size_t i = 0; i < f->n; i++)
		for (size_t k = 0; k < f->start[i + 1]; k++, e++)
			r->t[r->n_t++] = (trip){ i, f->col[e], f->vol[e] };
	memset(f->start, 0, (f->n + 1) * sizeof(size_t));
	free(f->col);
	free(f->vol);
	f->col = NULL;
	f->vol = NULL;
}

static void add_pair(reader *r, size_t row, size_t col, double v)
{
	cpts_flows *f = r->f;

	if (!r->t) {
		if (r->nnz && row == r->prow && col == r->pcol) {
			f->vol[r->nnz - 1] += v;
			return;
		}
		if (!r->nnz || row > r->prow || (row == r->prow && col > r->pcol)) {
			if (r->nnz == r->cap) {
				r->cap = r->cap ? 2 * r->cap : 4096;
				f->col = cpts_reallocarray(f->col, r->cap, sizeof(size_t));
				f->vol = cpts_reallocarray(f->vol, r->cap, sizeof(double));
			}
			f->col[r->nnz] = col;
			f->vol[r->nnz++] = v;
			f->start[row + 1]++;
			r->prow = row;
			r->pcol = col;
			return;
		}
		to_trips(r);
	}
	push_trip(r, row, col, v);
}

/* Finish the CSR arrays (prefix sums, or the sorted triplets compressed). */
static void reader_finish(reader *r)
{
	cpts_flows *f = r->f;

	if (r->t) {
		if (!trips_sorted(r->t, r->n_t))
			cpts_qsort(r->t, r->n_t, sizeof(trip), cmp_trip);
		compress(f, r->t, r->n_t);
		return;
	}
	for (size_t i = 0; i < f->n; i++)
		f->start[i + 1] += f->start[i];
	/* give back the slack of the doublings (up to half the arrays) */
	f->col = cpts_reallocarray(f->col, r->nnz + 1, sizeof(size_t));
	f->vol = cpts_reallocarray(f->vol, r->nnz + 1, sizeof(double));
}

int cpts_flows_load(cpts_ctx *ctx, cpts_flows **out, const cpts_model *m, cpts_store *s,
		    const char *profession)
{
	cpts_flows *f = cpts_calloc(1, sizeof(*f));
	sqlite3_stmt *st = NULL;
	int32_t *keys = code_table(m);
	reader r = { f, 0, 0, 0, 0, NULL, 0, 0 };
	size_t n_unknown = 0;
	int rc = CPTS_OK, src;

	*out = NULL;
	cpts_load_note(CPTS_LOAD_FLOWS);
	f->n = m->n;
	f->start = cpts_calloc(m->n + 1, sizeof(size_t));
	f->outside = cpts_calloc(m->n + 1, sizeof(double));
	f->row_total = cpts_calloc(m->n + 1, sizeof(double));
	f->col_total = cpts_calloc(m->n + 1, sizeof(double));
	if (!profession && cache_read(s, f)) {
		totals(f);
		*out = f;
		free(keys);
		return CPTS_OK;
	}
	if ((rc = cpts_store_prepare(ctx, s, &st, profession
			? "SELECT orig, dest, volume, masked FROM flows WHERE profession = ?"
			: "SELECT orig, dest, volume, masked FROM flows")) < 0)
		goto out;
	if (profession)
		sqlite3_bind_text(st, 1, profession, -1, SQLITE_STATIC);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *o = (const char *)sqlite3_column_text(st, 0);
		const char *d = (const char *)sqlite3_column_text(st, 1);
		double v = sqlite3_column_double(st, 2);
		long io = find_code(keys, o), id;
		if (sqlite3_column_int(st, 3) || sqlite3_column_type(st, 2) == SQLITE_NULL) {
			f->n_masked++;
			continue;
		}
		if (io < 0 || !(v > 0)) {
			n_unknown += io < 0;
			continue;
		}
		id = find_code(keys, d);
		if (id < 0) {
			f->outside[io] += v;
			f->total += v;
			continue;
		}
		add_pair(&r, (size_t)io, (size_t)id, v);
		f->total += v;
	}
	if (src != SQLITE_DONE) {
		rc = cpts_store_fail(ctx, s, "reading flows");
		goto out;
	}
	if (n_unknown)
		cpts_warn(ctx, "%zu flow rows from residences outside the workspace ignored",
			  n_unknown);
	reader_finish(&r);
	totals(f);
	*out = f;
	f = NULL;
out:
	sqlite3_finalize(st);
	free(r.t);
	free(keys);
	cpts_flows_free(f);
	return rc;
}

int cpts_flows_cache(cpts_ctx *ctx, cpts_store *s)
{
	cpts_model *m = NULL;
	cpts_flows *f = NULL;
	double t0 = cpts_now();
	int rc;

	if (cpts_store_count(s, "SELECT count(*) FROM communes", 0) <= 0 ||
	    cpts_store_count(s, "SELECT count(*) FROM flow_matrix WHERE profession = ''", 0) > 0)
		return CPTS_OK;
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		return rc;
	if ((rc = cpts_model_load(ctx, &m, s)) >= 0 &&
	    (rc = cpts_flows_load(ctx, &f, m, s, NULL)) >= 0 &&
	    (rc = cpts_flows_cache_store(ctx, s, f)) >= 0)
		rc = cpts_store_commit(ctx, s);
	if (rc < 0)
		cpts_store_rollback(s);
	else
		cpts_note(ctx, "flow matrix cached in %.3f s (%zu pairs)", cpts_now() - t0,
			  f->start[f->n]);
	cpts_flows_free(f);
	cpts_model_free(ctx, m);
	return rc;
}

cpts_flows *cpts_flows_transpose(const cpts_flows *f)
{
	cpts_flows *t = cpts_calloc(1, sizeof(*t));
	size_t nnz = f->start[f->n], *next;

	t->n = f->n;
	t->start = cpts_calloc(f->n + 1, sizeof(size_t));
	t->col = cpts_mallocarray(nnz + 1, sizeof(size_t));
	t->vol = cpts_mallocarray(nnz + 1, sizeof(double));
	t->outside = cpts_calloc(f->n + 1, sizeof(double));
	t->row_total = cpts_mallocarray(f->n + 1, sizeof(double));
	t->col_total = cpts_mallocarray(f->n + 1, sizeof(double));
	memcpy(t->row_total, f->col_total, f->n * sizeof(double));
	memcpy(t->col_total, f->row_total, f->n * sizeof(double));
	t->total = f->total;
	t->n_masked = f->n_masked;
	for (size_t e = 0; e < nnz; e++)
		t->start[f->col[e] + 1]++;
	for (size_t i = 0; i < f->n; i++)
		t->start[i + 1] += t->start[i];
	next = cpts_mallocarray(f->n + 1, sizeof(size_t));
	memcpy(next, t->start, (f->n + 1) * sizeof(size_t));
	/* rows of f in order: each column of t receives its residences sorted */
	for (size_t i = 0; i < f->n; i++)
		for (size_t e = f->start[i]; e < f->start[i + 1]; e++) {
			size_t k = next[f->col[e]]++;
			t->col[k] = i;
			t->vol[k] = f->vol[e];
		}
	free(next);
	return t;
}

int cpts_flows_cache_store(cpts_ctx *ctx, cpts_store *s, const cpts_flows *f)
{
	if (sqlite3_get_autocommit(cpts_store_db(s)))
		return cpts_fail(ctx, CPTS_EINTERNAL, "the flow matrix cache is written inside"
				 " a transaction");
	cache_write(ctx, s, f);
	return CPTS_OK;
}
