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
 * another model size, another byte order or a damaged blob is ignored. A command that
 * holds the table's rows in memory (`diagnose`, after its ingest) builds the matrix
 * from them (cpts_flows_from_rows): the same rows in the same order, the same sums.
 */
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/code.h"
#include "cpts/store_graph.h"
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

/* One row of table flows into the matrix being read. */
typedef struct load_arg {
	reader *r;
	const int32_t *keys;
	size_t n_unknown;
} load_arg;

static int add_row(void *arg, const char *o, const char *d, double v, bool masked)
{
	load_arg *a = arg;
	cpts_flows *f = a->r->f;
	long io = find_code(a->keys, o), id;

	if (masked || isnan(v)) {
		f->n_masked++;
		return CPTS_OK;
	}
	if (io < 0 || !(v > 0)) {
		a->n_unknown += io < 0;
		return CPTS_OK;
	}
	id = find_code(a->keys, d);
	if (id < 0) {
		f->outside[io] += v;
		f->total += v;
		return CPTS_OK;
	}
	add_pair(a->r, (size_t)io, (size_t)id, v);
	f->total += v;
	return CPTS_OK;
}

/* The matrix from the rows in memory when given, else from the cache or the table of s. */
static int load(cpts_ctx *ctx, cpts_flows **out, const cpts_model *m, cpts_store *s,
		const cpts_flow_rows *rows, const char *profession)
{
	cpts_flows *f = cpts_calloc(1, sizeof(*f));
	int32_t *keys = code_table(m);
	reader r = { f, 0, 0, 0, 0, NULL, 0, 0 };
	load_arg a = { &r, keys, 0 };
	int rc = CPTS_OK;

	*out = NULL;
	cpts_load_note(CPTS_LOAD_FLOWS);
	f->n = m->n;
	f->start = cpts_calloc(m->n + 1, sizeof(size_t));
	f->outside = cpts_calloc(m->n + 1, sizeof(double));
	f->row_total = cpts_calloc(m->n + 1, sizeof(double));
	f->col_total = cpts_calloc(m->n + 1, sizeof(double));
	if (!profession && !rows) {
		cpts_flow_matrix_io io = { m->n, 0, f->start, NULL, NULL, f->outside, 0, 0 };
		if (cpts_store_flow_matrix_read(s, &io)) {
			f->col = io.col;
			f->vol = io.vol;
			f->n_masked = io.n_masked;
			f->total = io.total;
			totals(f);
			*out = f;
			free(keys);
			return CPTS_OK;
		}
	}
	if ((rc = rows ? cpts_flow_rows_each(rows, profession, add_row, &a)
		       : cpts_store_flows_each(ctx, s, profession, add_row, &a)) < 0)
		goto out;
	if (a.n_unknown)
		cpts_warn(ctx, "%zu flow rows from residences outside the workspace ignored",
			  a.n_unknown);
	reader_finish(&r);
	totals(f);
	*out = f;
	f = NULL;
out:
	free(r.t);
	free(keys);
	cpts_flows_free(f);
	return rc;
}

int cpts_flows_load(cpts_ctx *ctx, cpts_flows **out, const cpts_model *m, cpts_store *s,
		    const char *profession)
{
	return load(ctx, out, m, s, NULL, profession);
}

int cpts_flows_from_rows(cpts_ctx *ctx, cpts_flows **out, const cpts_model *m,
			 const cpts_flow_rows *rows, const char *profession)
{
	return load(ctx, out, m, NULL, rows, profession);
}

int cpts_flows_cache(cpts_ctx *ctx, cpts_store *s)
{
	cpts_model *m = NULL;
	cpts_flows *f = NULL;
	double t0 = cpts_now();
	long long n_com = 0, n_packed = 0;
	int rc;

	if ((rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM communes", &n_com)) < 0 ||
	    (rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM flow_matrix WHERE"
				       " profession = ''", &n_packed)) < 0)
		return rc;
	if (n_com <= 0 || n_packed > 0)
		return CPTS_OK; /* nothing to pack, or packed already */
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
	cpts_flow_matrix_io io = { f->n, f->start[f->n], f->start, f->col, f->vol, f->outside,
				   f->n_masked, f->total };

	if (cpts_store_readonly(s))
		return CPTS_OK;
	if (!cpts_store_in_transaction(s))
		return cpts_fail(ctx, CPTS_EINTERNAL, "the flow matrix cache is written inside"
				 " a transaction");
	(void)cpts_store_flow_matrix_write(ctx, s, &io); /* optional: a failure is noted */
	return CPTS_OK;
}
