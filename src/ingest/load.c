/*
 * load.c - cpts_ingest_table: one CSV into one workspace table, in one transaction.
 *
 * Why here and not in read_tables.c: this file owns the workspace side. For each parsed
 * row it resolves the commune codes (resolve.c), then inserts. A row whose codes are
 * communes of the workspace is inserted as is and a primary-key conflict is a duplicate
 * in the file; a row mapped through the passage table adds up onto its commune (the
 * kind's add_set clause); a row of an arrondissement adds up onto its commune unless
 * the file also has the commune's own row, which then wins (never both). Only the keys
 * touched by mapping are kept in memory (state), so memory stays bounded on big files.
 * Flows are the exception: millions of rows, gathered in memory (32 bytes each), folded
 * by key with the same rules whatever their order and stored in key order
 * (flowset.c, cpts_store_flows_write).
 *
 * Invariant: on any error the transaction is rolled back; the workspace is unchanged.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpts/code.h"
#include "cpts/model.h"
#include "cpts/outfile.h"
#include "cpts/store.h"
#include "cpts/store_ingest.h"
#include "cpts/store_partition.h"
#include "ingest/ingest_int.h"
#include "ingest/read_int.h"
#include "ingest/resolve.h"

enum key_state {
	KS_DIRECT = 1 << 0,  /* a direct row was stored for the key */
	KS_PASSAGE = 1 << 1, /* a row mapped through the passage table added to it */
	KS_ARM = 1 << 2,     /* a row of an arrondissement added to it */
};

static void loader_init(cpts_loader *L, cpts_table_kind kind, const cpts_ingest_table_opts *o)
{
	memset(L, 0, sizeof(*L));
	L->kind = &cpts_ingest__kinds[kind];
	L->kind_id = kind;
	L->opts = o;
	cpts_resolver_init(&L->res);
	L->state = cpts_strmap_new(256);
	L->seen_raw = cpts_strmap_new(256);
	L->unknown = cpts_strmap_new(64);
	L->arm_idx = cpts_strmap_new(64);
	cpts_buf_init(&L->key);
}

static void loader_release(cpts_loader *L)
{
	cpts_csv_free(L->csv);
	cpts_store_tw_free(L->tw);
	for (size_t i = 0; i < L->n_members; i++) {
		free((char *)L->members[i].code);
		free((char *)L->members[i].territory);
		free((char *)L->members[i].statut);
	}
	free(L->members);
	cpts_strmap_free(L->m_idx);
	cpts_resolver_release(&L->res);
	cpts_flowset_release(L->fs);
	free(L->fs);
	cpts_strmap_free(L->state);
	cpts_strmap_free(L->seen_raw);
	free(L->stored_code);
	cpts_strmap_free(L->unknown);
	cpts_strmap_free(L->arm_idx);
	free(L->partition_owned);
	for (size_t i = 0; i < L->n_nm; i++) {
		free(L->nm_terr[i]);
		free(L->nm_nom[i]);
	}
	free(L->nm_terr);
	free(L->nm_nom);
	free(L->nm_line);
	cpts_strmap_free(L->name_idx);
	cpts_buf_release(&L->key);
}

/* ---- territory names (partition) ------------------------------------------------- */

/* Record the name of a territory; a different name for the same territory is an error
 * naming both lines. */
static int record_name(cpts_ctx *ctx, cpts_loader *L, const char *file, size_t line,
		       const char *terr, const char *nom)
{
	int64_t k;

	if (!L->name_idx)
		L->name_idx = cpts_strmap_new(64);
	if (cpts_strmap_get(L->name_idx, terr, &k)) {
		if (strcmp(L->nm_nom[k], nom) == 0)
			return CPTS_OK;
		return cpts_fail(ctx, CPTS_EINPUT, "%s:%zu: territory '%s' is named '%s' here but"
				 " '%s' at line %zu (one name per territory)", file, line, terr,
				 nom, L->nm_nom[k], L->nm_line[k]);
	}
	L->nm_terr = cpts_reallocarray(L->nm_terr, L->n_nm + 1, sizeof(char *));
	L->nm_nom = cpts_reallocarray(L->nm_nom, L->n_nm + 1, sizeof(char *));
	L->nm_line = cpts_reallocarray(L->nm_line, L->n_nm + 1, sizeof(size_t));
	L->nm_terr[L->n_nm] = cpts_strdup(terr);
	L->nm_nom[L->n_nm] = cpts_strdup(nom);
	L->nm_line[L->n_nm] = line;
	cpts_strmap_put(L->name_idx, L->nm_terr[L->n_nm], (int64_t)L->n_nm);
	L->n_nm++;
	return CPTS_OK;
}

/* --names FILE: the territory id in the first column (or one named territoire, code,
 * id), the name in column nom (or name, libelle). */
static int load_names_file(cpts_ctx *ctx, cpts_loader *L, const char *path)
{
	static const char *const id_cols[] = { "territoire", "territory", "code", "id", NULL };
	static const char *const nom_cols[] = { "nom", "name", "libelle", "lib", NULL };
	cpts_csv *c = NULL;
	char **f;
	size_t n;
	int rc, ci = -1, ni = -1;

	if ((rc = cpts_csv_open(ctx, &c, path)) < 0)
		return rc;
	for (int i = 0; id_cols[i] && ci < 0; i++)
		ci = cpts_ingest__find_header(c, id_cols[i]);
	for (int i = 0; nom_cols[i] && ni < 0; i++)
		ni = cpts_ingest__find_header(c, nom_cols[i]);
	if (ci < 0)
		ci = 0;
	if (ni < 0 || ni == ci) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "'%s': no column 'nom' for the territory names"
			       " (expected: the territory id in the first column, and nom)", path);
		goto out;
	}
	L->nm_file = path;
	while ((rc = cpts_csv_next(ctx, c, &f, &n)) == 1) {
		char id[256], nom[256];
		snprintf(id, sizeof(id), "%s", f[ci]);
		snprintf(nom, sizeof(nom), "%s", f[ni]);
		cpts_trim(id);
		cpts_trim(nom);
		if (!*id || !*nom)
			continue;
		if ((rc = record_name(ctx, L, cpts_csv_name(c), cpts_csv_line(c), id, nom)) < 0)
			goto out;
	}
out:
	cpts_csv_free(c);
	return rc < 0 ? rc : CPTS_OK;
}

/* The first uncovered communes, listed for the report. */
static int note_uncovered(void *arg, const char *code, const char *name)
{
	void **a = arg;
	cpts_loader *L = a[0];
	cpts_buf *b = a[1];

	if (L->n_uncovered++ < 5)
		cpts_buf_addf(b, "%s%s %s", L->n_uncovered > 1 ? ", " : "", code, name);
	return CPTS_OK;
}

/* Count and list the uncovered communes of the partition written. */
static int store_names(cpts_ctx *ctx, cpts_loader *L)
{
	cpts_buf b = CPTS_BUF_INIT;
	void *arg[2] = { L, &b };
	int rc;

	if ((rc = cpts_store_uncovered_each(ctx, L->s, L->partition, note_uncovered, arg)) < 0) {
		cpts_buf_release(&b);
		return rc;
	}
	if (L->n_uncovered > 5)
		cpts_buf_addstr(&b, ", ...");
	snprintf(L->uncovered, sizeof(L->uncovered), "%s", b.data ? b.data : "");
	cpts_buf_release(&b);
	return CPTS_OK;
}

static bool has_code_cols(const cpts_kindspec *k)
{
	for (size_t i = 0; i < k->n_cols; i++)
		if (k->cols[i].type == CPTS_COL_CODE || k->cols[i].type == CPTS_COL_DEST)
			return true;
	return false;
}

/* Index of an arrondissement in the arm_* arrays (added when new); -1 when full. */
static int arm_slot(cpts_loader *L, const char *code)
{
	int64_t v;

	if (cpts_strmap_get(L->arm_idx, code, &v))
		return (int)v;
	if (L->n_arms >= 64)
		return -1;
	memcpy(L->arm_code[L->n_arms], code, 6);
	cpts_strmap_put(L->arm_idx, code, (int64_t)L->n_arms);
	return (int)L->n_arms++;
}

/* ---- statements ------------------------------------------------------------------ */

static int prepare(cpts_ctx *ctx, cpts_loader *L)
{
	const cpts_kindspec *k = L->kind;

	return cpts_store_tw_open(ctx, L->s, k->table, k->db_cols, k->key_cols, k->add_set,
				  &L->tw);
}

#define TEXT(t, n) ((cpts_store_val){ .type = CPTS_VAL_TEXT, .text = (t), .len = (n) })
#define REAL(x) ((cpts_store_val){ .type = CPTS_VAL_REAL, .num = (x) })
#define INT(x) ((cpts_store_val){ .type = CPTS_VAL_INT, .i = (x) })

/* The values of the current row with its resolved codes, into L->vals (L->n_vals);
 * counts scaled by weight. Texts point into buffers of the loader: no copy per value
 * (millions of rows). */
static void bind_row(cpts_loader *L, char codes[][6], double weight, bool outside)
{
	const cpts_kindspec *k = L->kind;
	int p = 1, ci = 0;
	bool masked = false;
	long long mask = 0, bit = 1;

	cpts_store_val *val = L->vals;

	p = 0;
	if (k->extra == CPTS_X_PARTITION)
		val[p++] = TEXT(L->partition, -1);
	for (size_t i = 0; i < k->n_cols; i++) {
		const cpts_colspec *cs = &k->cols[i];
		const cpts_value *v = &L->v[i];
		if (cs->flags & CPTS_COL_SIDE)
			continue;
		switch (cs->type) {
		case CPTS_COL_CODE:
		case CPTS_COL_DEST:
			memcpy(L->bound_codes[ci], codes[ci], 6);
			val[p++] = TEXT(L->bound_codes[ci], 5);
			ci++;
			break;
		case CPTS_COL_TEXT:
		case CPTS_COL_SEX:
		case CPTS_COL_AGE:
			if (v->state == CPTS_V_VALUE || cs->type != CPTS_COL_TEXT || (cs->flags & CPTS_COL_KEY))
				val[p++] = TEXT(v->text, -1);
			else
				val[p++] = (cpts_store_val){ .type = CPTS_VAL_NULL };
			break;
		case CPTS_COL_COUNT:
			if (v->state == CPTS_V_VALUE)
				val[p++] = REAL(v->num * weight);
			else
				val[p++] = (cpts_store_val){ .type = CPTS_VAL_NULL };
			if (v->state == CPTS_V_MASKED) {
				masked = true;
				mask |= bit;
			}
			bit <<= 1;
			break;
		case CPTS_COL_REAL:
			val[p++] = REAL(v->num);
			break;
		}
	}
	switch (k->extra) {
	case CPTS_X_NONE:
		break;
	case CPTS_X_MASKED:
		val[p++] = INT(masked);
		break;
	case CPTS_X_MASKBITS:
		val[p++] = INT(mask);
		break;
	case CPTS_X_MASKED_OUTSIDE:
		val[p++] = INT(masked);
		val[p++] = INT(outside);
		break;
	case CPTS_X_PARTITION:
		val[p++] = REAL(weight > 1.0 ? 1.0 : weight);
		break;
	}
	L->n_vals = (size_t)p;
	if (masked)
		L->n_masked++;
}

/* Key of a row: resolved codes and key text columns, joined by 0x1f. */
static const char *row_key(cpts_loader *L, char codes[][6], bool raw)
{
	int ci = 0;

	cpts_buf_reset(&L->key);
	for (size_t i = 0; i < L->kind->n_cols; i++) {
		const cpts_colspec *cs = &L->kind->cols[i];
		if (!(cs->flags & CPTS_COL_KEY))
			continue;
		if ((cs->type == CPTS_COL_CODE || cs->type == CPTS_COL_DEST) && !raw)
			cpts_buf_addstr(&L->key, codes[ci++]);
		else
			cpts_buf_addstr(&L->key, L->v[i].text);
		cpts_buf_addch(&L->key, '\x1f');
	}
	return L->key.data;
}

/* The row at line of the file repeats a key (its key values in L->v). */
static int duplicate_error(cpts_ctx *ctx, cpts_loader *L, size_t line)
{
	cpts_buf b = CPTS_BUF_INIT;
	int rc;

	for (size_t i = 0, n = 0; i < L->kind->n_cols; i++) {
		if (!(L->kind->cols[i].flags & CPTS_COL_KEY) || L->col[i] < 0)
			continue;
		cpts_buf_addf(&b, "%s%s '%s'", n++ ? ", " : "", cpts_csv_col(L->csv, (size_t)L->col[i]),
			      L->v[i].text);
	}
	rc = cpts_fail(ctx, CPTS_EINPUT, "%s:%zu: duplicate row for %s (each key may appear"
		       " once)", cpts_csv_name(L->csv), line, b.data);
	cpts_buf_release(&b);
	return rc;
}

/* Write the row bound by bind_row. */
/* Partition: the row bound in vals (partition, code, territory, statut, weight) into
 * the members in memory, with the rules of the table writer (insert: a conflict is
 * reported; add: weights add up to at most 1; replace). */
static void member_put(cpts_loader *L, enum cpts_store_put how, bool *conflict)
{
	const cpts_store_val *v = L->vals;
	const char *statut = v[3].type == CPTS_VAL_TEXT ? v[3].text : NULL;
	cpts_member_rec *m;
	int64_t k;

	*conflict = false;
	cpts_buf_reset(&L->key);
	cpts_buf_add(&L->key, v[1].text, 5);
	cpts_buf_addch(&L->key, '\x1f');
	cpts_buf_addstr(&L->key, v[2].text);
	if (cpts_strmap_get(L->m_idx, L->key.data, &k)) {
		m = &L->members[k];
		if (how == CPTS_PUT_INSERT) {
			*conflict = true;
		} else if (how == CPTS_PUT_ADD) {
			m->weight = fmin(1.0, m->weight + v[4].num);
		} else {
			free((char *)m->statut);
			m->statut = statut ? cpts_strdup(statut) : NULL;
			m->weight = v[4].num;
		}
		return;
	}
	if (L->n_members == L->cap_members) {
		L->cap_members = L->cap_members ? 2 * L->cap_members : 1024;
		L->members = cpts_reallocarray(L->members, L->cap_members, sizeof(*L->members));
	}
	m = &L->members[L->n_members];
	m->code = cpts_strndup(v[1].text, 5);
	m->territory = cpts_strdup(v[2].text);
	m->statut = statut ? cpts_strdup(statut) : NULL;
	m->weight = v[4].num;
	cpts_strmap_put(L->m_idx, L->key.data, (int64_t)L->n_members++);
}

/* Write the row bound by bind_row. */
static int step(cpts_ctx *ctx, cpts_loader *L, enum cpts_store_put how, bool *conflict)
{
	if (L->m_idx) {
		member_put(L, how, conflict);
		return CPTS_OK;
	}
	return cpts_store_tw_put(ctx, L->tw, how, L->vals, L->n_vals, conflict);
}

/* A row with first code c was stored: count the distinct ones (sources.n_communes). */
static void note_stored_code(cpts_loader *L, const char *c)
{
	long k = cpts_code_key(c);

	if (L->n_stored_codes < 0)
		return;
	if (k < 0) {
		L->n_stored_codes = -1; /* the table is counted instead (finish) */
		return;
	}
	if (!L->stored_code)
		L->stored_code = cpts_calloc(CPTS_CODE_KEYS, 1);
	if (!L->stored_code[k]) {
		L->stored_code[k] = 1;
		L->n_stored_codes++;
	}
}

static bool touches_arm_commune(const cpts_loader *L, char codes[][6], int n_codes)
{
	for (int i = 0; i < n_codes; i++)
		if (cpts_code_has_arms(codes[i]))
			return true;
	(void)L;
	return false;
}

/*
 * Store one resolved row. how is the strongest mapping among its codes: a direct row
 * may meet a key built by mapping (add or replace), a mapped row adds up.
 */
static int emit(cpts_ctx *ctx, cpts_loader *L, char codes[][6], int n_codes, double w,
		bool outside, enum cpts_resolve_how how)
{
	const char *key = NULL;
	int64_t ks = 0;
	bool conflict, track;
	int rc;

	if (!L->s && !L->fs)
		return CPTS_OK; /* only checking (a prefetch gathers its flows, below) */
	if (n_codes > 0)
		note_stored_code(L, codes[0]);
	if (L->fs) {
		/* flows: gathered, folded by key and stored in key order (store_flowset) */
		const cpts_value *vol = &L->v[3];
		bool masked = vol->state == CPTS_V_MASKED;
		if (masked)
			L->n_masked++;
		cpts_flowset_add(L->fs, codes[0], codes[1], L->v[2].text, vol->num * w,
				 vol->state != CPTS_V_VALUE, outside, (int)how,
				 cpts_csv_line(L->csv));
		return CPTS_OK;
	}
	/* the key is only built for the rows whose mapping is tracked (most rows are not:
	 * building it for each of millions of flow rows was 3 % of their ingest) */
	track = how != CPTS_RESOLVE_DIRECT || touches_arm_commune(L, codes, n_codes);
	if (track) {
		key = row_key(L, codes, false);
		cpts_strmap_get(L->state, key, &ks);
	}
	if (how == CPTS_RESOLVE_DIRECT) {
		bind_row(L, codes, w, outside);
		if ((rc = step(ctx, L, CPTS_PUT_INSERT, &conflict)) < 0)
			return rc;
		if (conflict) {
			if (!track || (ks & KS_DIRECT) || ks == 0)
				return duplicate_error(ctx, L, cpts_csv_line(L->csv));
			if (ks & KS_ARM) {
				L->n_arm_dropped++;
				bind_row(L, codes, w, outside);
				rc = step(ctx, L, CPTS_PUT_REPLACE, &conflict);
			} else {
				bind_row(L, codes, w, outside);
				rc = step(ctx, L, CPTS_PUT_ADD, &conflict);
			}
			if (rc < 0)
				return rc;
		}
		if (track)
			cpts_strmap_put(L->state, key, ks | KS_DIRECT);
		return CPTS_OK;
	}
	if (how == CPTS_RESOLVE_ARM && (ks & KS_DIRECT)) {
		L->n_arm_dropped++; /* the commune's own row is there: never both */
		return CPTS_OK;
	}
	bind_row(L, codes, w, outside);
	if ((rc = step(ctx, L, CPTS_PUT_ADD, &conflict)) < 0)
		return rc;
	cpts_strmap_put(L->state, key, ks | (how == CPTS_RESOLVE_ARM ? KS_ARM : KS_PASSAGE));
	return CPTS_OK;
}

/* Flows: fold the gathered rows by key (a duplicate is reported with its line), then
 * store them in key order. */
static int store_flowset(cpts_ctx *ctx, cpts_loader *L)
{
	cpts_flowset *fs = L->fs;
	double t0 = (double)clock() / CLOCKS_PER_SEC, t1;
	size_t dup = SIZE_MAX;
	int rc;

	if (!fs->folded) {
		cpts_flowset_fold(fs, &dup, &L->n_arm_dropped);
		fs->fold_s = (double)clock() / CLOCKS_PER_SEC - t0;
	}
	t1 = (double)clock() / CLOCKS_PER_SEC;
	if (dup != SIZE_MAX) {
		const cpts_flow_rec *r = &fs->r[dup];
		memcpy(L->v[0].text, r->orig, 5);
		L->v[0].text[5] = '\0';
		memcpy(L->v[1].text, r->dest, 5);
		L->v[1].text[5] = '\0';
		snprintf(L->v[2].text, sizeof(L->v[2].text), "%s", fs->profs[r->prof]);
		return duplicate_error(ctx, L, r->line);
	}
	if (L->fs_in_table) {
		rc = cpts_store_flows_adopt(ctx, L->s, fs->r, fs->n);
		if (rc == CPTS_OK)
			cpts_note(ctx, "%s: %zu flow rows sorted by key in %.3f s, stored in %.3f s"
				  " (CPU time, while the communes were read)",
				  cpts_csv_name(L->csv), fs->n, fs->fold_s, fs->store_s);
		return rc;
	}
	rc = cpts_store_flows_write(ctx, L->s, fs->r, fs->n, (const char *const *)fs->profs);
	if (rc == CPTS_OK)
		cpts_note(ctx, "%s: %zu flow rows sorted by key in %.3f s, stored in %.3f s (CPU time)",
			  cpts_csv_name(L->csv), fs->n, fs->fold_s, (double)clock() / CLOCKS_PER_SEC - t1);
	return rc;
}

/* ---- resolution ------------------------------------------------------------------ */

static void note_unknown(cpts_loader *L, const char *code)
{
	int64_t n = 0;

	L->n_unknown_rows++;
	if (!cpts_strmap_get(L->unknown, code, &n) && L->n_first_unknown < 16) {
		if (L->n_first_unknown == 0)
			L->first_unknown_line = cpts_csv_line(L->csv);
		memcpy(L->first_unknown[L->n_first_unknown++], code, 6);
	}
	if (cpts_strmap_count(L->unknown) < 1000000)
		cpts_strmap_put(L->unknown, code, n + 1);
}

/* Share of an arrondissement in its commune, for partitions given by arrondissement. */
static double arm_share(cpts_loader *L, const char *arm)
{
	int64_t v;
	const char *parent = cpts_code_arm_parent(arm);
	int n_arms = strcmp(parent, "75056") == 0 ? 20 : strcmp(parent, "69123") == 0 ? 9 : 16;

	if (cpts_strmap_get(L->arm_idx, arm, &v) && L->arm_share[v] > 0)
		return L->arm_share[v];
	/* no population for every arrondissement of the commune: equal shares, warned of */
	if (L->n_arm_equal++ == 0)
		snprintf(L->arm_equal_parent, sizeof(L->arm_equal_parent), "%s", parent);
	return 1.0 / n_arms;
}

/* Population: remember the populations of arrondissements (partition weights). */
static void keep_arm_population(cpts_loader *L, const char *code)
{
	const cpts_value *sex = &L->v[1], *age = &L->v[2], *pop = &L->v[3];
	int i;

	if (!cpts_code_arm_parent(code) || cpts_resolver_known(&L->res, code) ||
	    pop->state != CPTS_V_VALUE || (i = arm_slot(L, code)) < 0)
		return;
	if (strcmp(sex->text, "T") == 0 && strcmp(age->text, "ALL") == 0)
		L->arm_tot[i] += pop->num;
	else if (strcmp(sex->text, "T") != 0 && strcmp(age->text, "ALL") != 0)
		L->arm_det[i] += pop->num;
}

/* Resolve the codes of the current row and store it (with every target combination). */
static int resolve_and_emit(cpts_ctx *ctx, cpts_loader *L, char **f)
{
	cpts_target t[2][CPTS_RESOLVE_MAX];
	size_t nt[2] = { 1, 1 };
	int ci[2] = { -1, -1 }, n_codes = 0;
	bool outside = false;
	int rc;

	for (size_t i = 0; i < L->kind->n_cols && n_codes < 2; i++) {
		enum cpts_col_type ty = L->kind->cols[i].type;
		if (ty != CPTS_COL_CODE && ty != CPTS_COL_DEST)
			continue;
		ci[n_codes] = (int)i;
		if (!L->s) {
			memcpy(t[n_codes][0].code, L->v[i].text, 6);
			t[n_codes][0].weight = 1;
			t[n_codes][0].how = CPTS_RESOLVE_DIRECT;
			nt[n_codes++] = 1;
			continue;
		}
		nt[n_codes] = cpts_resolve(&L->res, L->v[i].text, t[n_codes], CPTS_RESOLVE_MAX);
		if (nt[n_codes] == 0 && ty == CPTS_COL_DEST) {
			memcpy(t[n_codes][0].code, L->v[i].text, 6);
			t[n_codes][0].weight = 1;
			t[n_codes][0].how = CPTS_RESOLVE_DIRECT;
			nt[n_codes] = 1;
			outside = true;
		} else if (nt[n_codes] == 0) {
			note_unknown(L, L->v[i].text);
			return CPTS_OK;
		}
		n_codes++;
	}
	if ((rc = cpts_ingest__parse_cells(ctx, L, f, true)) < 0)
		return rc;
	if (L->kind_id == CPTS_TABLE_POPULATION && L->s)
		keep_arm_population(L, L->v[0].text);
	if (outside)
		L->n_outside++;
	if (n_codes > 0 && (t[0][0].how != CPTS_RESOLVE_DIRECT ||
			    (n_codes > 1 && t[1][0].how != CPTS_RESOLVE_DIRECT))) {
		/* a mapped row: the same raw key twice is still a duplicate */
		int64_t dummy;
		const char *raw = row_key(L, NULL, true);
		if (cpts_strmap_get(L->seen_raw, raw, &dummy))
			return duplicate_error(ctx, L, cpts_csv_line(L->csv));
		cpts_strmap_put(L->seen_raw, raw, 1);
		L->n_mapped++;
	}
	for (size_t a = 0; a < nt[0]; a++) {
		for (size_t b = 0; b < (n_codes > 1 ? nt[1] : 1); b++) {
			char codes[2][6];
			double w = 1.0;
			enum cpts_resolve_how how = CPTS_RESOLVE_DIRECT;
			for (int k = 0; k < n_codes; k++) {
				const cpts_target *x = &t[k][k == 0 ? a : b];
				memcpy(codes[k], x->code, 6);
				w *= x->weight;
				if (x->how == CPTS_RESOLVE_ARM) {
					how = CPTS_RESOLVE_ARM;
					if (L->kind_id == CPTS_TABLE_PARTITION)
						w *= arm_share(L, L->v[ci[k]].text);
				} else if (x->how == CPTS_RESOLVE_PASSAGE && how == CPTS_RESOLVE_DIRECT) {
					how = CPTS_RESOLVE_PASSAGE;
				}
			}
			if ((rc = emit(ctx, L, codes, n_codes, w, outside, how)) < 0)
				return rc;
		}
	}
	return CPTS_OK;
}

/* attributes: one stored row per extra column of the file. */
static int emit_attributes(cpts_ctx *ctx, cpts_loader *L, char **f)
{
	cpts_target t[CPTS_RESOLVE_MAX];
	size_t nt = 1;
	int rc;

	if (L->s) {
		nt = cpts_resolve(&L->res, L->v[0].text, t, CPTS_RESOLVE_MAX);
		if (nt == 0) {
			note_unknown(L, L->v[0].text);
			return CPTS_OK;
		}
	}
	for (size_t i = 0; i < cpts_csv_n_cols(L->csv); i++) {
		char name[256], *val;
		if ((int)i == L->col[0])
			continue;
		snprintf(name, sizeof(name), "%s", cpts_csv_col(L->csv, i));
		cpts_trim(name);
		val = f[i];
		cpts_trim(val);
		if (!*val || !*name || !L->s)
			continue;
		for (size_t a = 0; a < nt; a++) {
			bool conflict;
			L->vals[0] = TEXT(t[a].code, 5);
			L->vals[1] = TEXT(name, -1);
			L->vals[2] = TEXT(val, -1);
			L->n_vals = 3;
			if ((rc = step(ctx, L, t[a].how == CPTS_RESOLVE_DIRECT ? CPTS_PUT_INSERT
					: CPTS_PUT_ADD, &conflict)) < 0)
				return rc;
			if (conflict) {
				snprintf(L->v[1].text, sizeof(L->v[1].text), "%s", name);
				return duplicate_error(ctx, L, cpts_csv_line(L->csv));
			}
		}
	}
	return CPTS_OK;
}

/* ---- the whole load -------------------------------------------------------------- */

static int unknown_error(cpts_ctx *ctx, cpts_loader *L)
{
	cpts_buf b = CPTS_BUF_INIT;
	size_t n_codes = cpts_strmap_count(L->unknown);
	int rc;

	for (size_t i = 0; i < L->n_first_unknown && i < 10; i++)
		cpts_buf_addf(&b, "%s%s", i ? ", " : "", L->first_unknown[i]);
	if (n_codes > 10)
		cpts_buf_addstr(&b, ", ...");
	if (L->opts->skip_unknown) {
		cpts_warn(ctx, "%s: set aside %lld row%s of %zu commune code%s not in the workspace"
			  " (%s)", cpts_csv_name(L->csv), L->n_unknown_rows,
			  L->n_unknown_rows > 1 ? "s" : "", n_codes, n_codes > 1 ? "s" : "", b.data);
		cpts_buf_release(&b);
		return CPTS_OK;
	}
	rc = cpts_fail(ctx, CPTS_EINPUT, "%s:%zu: %zu commune code%s not in the workspace (%lld "
		       "row%s): %s (use --skip-unknown to set them aside, or %s)",
		       cpts_csv_name(L->csv), L->first_unknown_line, n_codes,
		       n_codes > 1 ? "s are" : " is", L->n_unknown_rows,
		       L->n_unknown_rows > 1 ? "s" : "", b.data, L->opts->diagnose_hints
		       ? "give a passage table with --passage" : "ingest a passage table");
	cpts_buf_release(&b);
	return rc;
}

/* Progress of the rows read; a prefetch thread (L->cancel set) reports none, so that the
 * process-wide interrupt counter of the tests counts the calls of the main thread only,
 * and stops when its owner gives up on it. */
static int rows_progress(cpts_ctx *ctx, cpts_loader *L, double frac, const char *msg)
{
	if (L->cancel)
		return atomic_load(L->cancel) ? cpts_fail(ctx, CPTS_ECANCEL, "interrupted") : CPTS_OK;
	return cpts_progress(ctx, frac, msg);
}

static int read_rows(cpts_ctx *ctx, cpts_loader *L)
{
	char **f;
	size_t n;
	int rc;
	char msg[64];

	snprintf(msg, sizeof(msg), "ingest %s", L->kind->name);
	while ((rc = cpts_csv_next(ctx, L->csv, &f, &n)) == 1) {
		L->n_rows++;
		if ((L->n_rows & 0xffff) == 0 &&
		    (rc = rows_progress(ctx, L, cpts_csv_progress(L->csv), msg)) < 0)
			return rc;
		rc = cpts_ingest__row(ctx, L, f);
		if (rc == 1) {
			L->n_set_aside++;
			continue;
		}
		if (rc < 0)
			return rc;
		if (L->kind_id == CPTS_TABLE_PARTITION && L->col[3] >= 0 &&
		    L->v[3].state == CPTS_V_VALUE && L->s &&
		    (rc = record_name(ctx, L, cpts_csv_name(L->csv), cpts_csv_line(L->csv),
				      L->v[1].text, L->v[3].text)) < 0)
			return rc;
		if (L->kind_id == CPTS_TABLE_ATTRIBUTES)
			rc = emit_attributes(ctx, L, f);
		else
			rc = resolve_and_emit(ctx, L, f);
		if (rc < 0)
			return rc;
	}
	if (rc < 0)
		return rc;
	if (L->n_rows == 0)
		return cpts_fail(ctx, CPTS_EINPUT, "'%s' has a header but no data row",
				 cpts_csv_name(L->csv));
	if (L->n_unknown_rows)
		return unknown_error(ctx, L);
	return rows_progress(ctx, L, 1.0, msg);
}

/* Population/consumption: drop totals of a commune that also has detailed rows. */
static int one_form_per_commune(cpts_ctx *ctx, cpts_loader *L)
{
	long long n = 0;
	int rc = cpts_store_one_form_per_commune(ctx, L->s, L->kind->table, &n);

	if (rc == CPTS_OK && n > 0)
		cpts_warn(ctx, "%s: %lld total row%s dropped for communes that also have rows by "
			  "sex and age (never both forms)", cpts_csv_name(L->csv), n, n > 1 ? "s" : "");
	return rc;
}

/* Population: record the populations of arrondissements (partition weights). */
static int store_arm_population(cpts_ctx *ctx, cpts_loader *L)
{
	double pop[64];

	for (size_t i = 0; i < L->n_arms; i++)
		pop[i] = L->arm_det[i] > 0 ? L->arm_det[i] : L->arm_tot[i];
	return cpts_store_arm_populations_replace(ctx, L->s, (const char (*)[6])L->arm_code, pop,
						  L->n_arms);
}

/* A stored population of an arrondissement into arm_share (normalised below). */
static int keep_arm_share(void *arg, const char *arm, double pop)
{
	cpts_loader *L = arg;
	int i;

	if (cpts_code_arm_parent(arm) && (i = arm_slot(L, arm)) >= 0)
		L->arm_share[i] = pop;
	return CPTS_OK;
}

/* Partition: shares of arrondissements in their commune from the stored populations. */
static int load_arm_shares(cpts_ctx *ctx, cpts_loader *L)
{
	double sum[3] = { 0, 0, 0 };
	static const char *const parents[3] = { "75056", "69123", "13055" };
	static const int n_arms[3] = { 20, 9, 16 };
	int known[3] = { 0, 0, 0 };
	int rc;

	if ((rc = cpts_store_arm_populations_each(ctx, L->s, keep_arm_share, L)) < 0)
		return rc;
	/* shares only when every arrondissement of the commune has a population */
	for (size_t i = 0; i < L->n_arms; i++)
		for (int p = 0; p < 3; p++)
			if (strcmp(cpts_code_arm_parent(L->arm_code[i]), parents[p]) == 0 &&
			    L->arm_share[i] > 0) {
				sum[p] += L->arm_share[i];
				known[p]++;
			}
	for (size_t i = 0; i < L->n_arms; i++)
		for (int p = 0; p < 3; p++)
			if (strcmp(cpts_code_arm_parent(L->arm_code[i]), parents[p]) == 0)
				L->arm_share[i] = known[p] == n_arms[p] && sum[p] > 0
							  ? L->arm_share[i] / sum[p] : 0;
	return CPTS_OK;
}

static int clear_table(cpts_ctx *ctx, cpts_loader *L)
{
	if (L->kind_id == CPTS_TABLE_PARTITION)
		return CPTS_OK; /* replaced whole by cpts_store_partition_write (finish) */
	if (L->fs_in_table) /* replaced by the read-ahead, adopted here (store_flowset) */
		return CPTS_OK;
	return cpts_store_input_clear(ctx, L->s, L->kind->name, L->kind->table);
}

static int finish(cpts_ctx *ctx, cpts_loader *L, const char *path)
{
	cpts_source_info si = { 0 };
	char sha[65], tbl[300], opts[128];
	long long n = 0;
	int rc = CPTS_OK;

	if (L->kind_id == CPTS_TABLE_POPULATION || L->kind_id == CPTS_TABLE_CONSUMPTION)
		if ((rc = one_form_per_commune(ctx, L)) < 0)
			return rc;
	if (L->kind_id == CPTS_TABLE_POPULATION && (rc = store_arm_population(ctx, L)) < 0)
		return rc;
	if (L->kind_id == CPTS_TABLE_POPULATION &&
	    (rc = cpts_population_totals_refresh(ctx, L->s)) < 0)
		return rc;
	if (L->kind_id == CPTS_TABLE_PARTITION) {
		/* the one partition writer: members, record, names of the territories */
		cpts_partition_rec p = { L->partition, "input", path, NULL, L->members,
					 L->n_members, (const char *const *)L->nm_terr,
					 (const char *const *)L->nm_nom, L->n_nm };
		if ((rc = cpts_store_partition_write(ctx, L->s, &p)) < 0 ||
		    (rc = store_names(ctx, L)) < 0)
			return rc;
		snprintf(tbl, sizeof(tbl), "partition:%s", L->partition);
	} else {
		snprintf(tbl, sizeof(tbl), "%s", L->kind->table);
	}
	cpts_csv_sha256(L->csv, sha);
	if (L->kind_id == CPTS_TABLE_PARTITION) {
		if ((rc = cpts_store_partition_n_communes(ctx, L->s, L->partition, &n)) < 0)
			return rc;
		si.n_communes = n;
	} else if (has_code_cols(L->kind) && L->n_stored_codes >= 0) {
		si.n_communes = L->n_stored_codes; /* counted as the rows were stored */
	} else if (has_code_cols(L->kind)) {
		if ((rc = cpts_store_count_distinct(ctx, L->s, L->kind->table,
						    L->kind_id == CPTS_TABLE_FLOWS ||
						    L->kind_id == CPTS_TABLE_TRAVELTIME ? "orig"
						    : "code", &n)) < 0)
			return rc;
		si.n_communes = n;
	}
	snprintf(opts, sizeof(opts), "delimiter=%s encoding=%s%s%s",
		 cpts_csv_delim(L->csv) == '\t' ? "tab" : cpts_csv_delim(L->csv) == ';' ? ";" : ",",
		 cpts_csv_encoding(L->csv), L->opts->snds_codes ? " snds-codes" : "",
		 L->opts->skip_unknown ? " skip-unknown" : "");
	si.tbl = tbl;
	si.file = path;
	si.sha256 = sha;
	si.n_rows = L->n_rows;
	si.n_masked = L->n_masked;
	si.vintage = L->opts->vintage;
	si.options = opts;
	return cpts_store_record_source(ctx, L->s, &si);
}

static void report(cpts_ctx *ctx, cpts_loader *L)
{
	if (L->n_repaired)
		cpts_warn(ctx, "%s: %zu commune code%s had lost %s leading zero and %s repaired "
			  "(%s)", cpts_csv_name(L->csv), L->n_repaired, L->n_repaired > 1 ? "s" : "",
			  L->n_repaired > 1 ? "their" : "its", L->n_repaired > 1 ? "were" : "was",
			  L->repaired_example);
	if (L->n_arm_dropped)
		cpts_warn(ctx, "%s: %lld row%s of arrondissements ignored: the file also has the "
			  "row of their commune (never both)", cpts_csv_name(L->csv),
			  L->n_arm_dropped, L->n_arm_dropped > 1 ? "s" : "");
	if (L->n_arm_equal)
		cpts_warn(ctx, "%s: %lld arrondissement row%s weighted equally within their"
			  " commune (the first in %s): the workspace lacks the population of every"
			  " arrondissement (ingest a population file with arrondissement rows,"
			  " then this partition again)", cpts_csv_name(L->csv), L->n_arm_equal,
			  L->n_arm_equal > 1 ? "s" : "", L->arm_equal_parent);
	if (L->n_mapped)
		cpts_note(ctx, "%s: %lld row%s mapped onto the communes of the workspace (passage "
			  "table or arrondissements)", cpts_csv_name(L->csv), L->n_mapped,
			  L->n_mapped > 1 ? "s" : "");
	{
		/* the rows kept: those set aside (unknown communes, other professions, no
		 * territory) are not "ingested" */
		long long kept = L->n_rows - L->n_unknown_rows - L->n_set_aside;
		char of[48] = "";
		if (kept != L->n_rows)
			snprintf(of, sizeof(of), " of %lld", L->n_rows);
		cpts_info(ctx, "ingested %s: %lld row%s%s from %s (%s, '%s' delimited)%s%s",
			  L->kind_id == CPTS_TABLE_PARTITION ? L->partition : L->kind->name, kept,
			  kept == 1 ? "" : "s", of, cpts_csv_name(L->csv), cpts_csv_encoding(L->csv),
			  cpts_csv_delim(L->csv) == '\t' ? "tab"
			  : cpts_csv_delim(L->csv) == ';' ? ";" : ",",
			  L->n_masked ? ", masked cells kept as masked" : "",
			  L->n_outside ? ", flows to communes outside the area kept" : "");
	}
	if (L->kind_id != CPTS_TABLE_PARTITION)
		return;
	if (L->n_nm)
		cpts_note(ctx, "%s: territory names from %s", L->partition,
			  L->nm_file ? L->nm_file : cpts_csv_name(L->csv));
	if (L->n_no_value)
		cpts_note(ctx, "%s: %lld row%s without a value in column '%s' set aside",
			  cpts_csv_name(L->csv), L->n_no_value, L->n_no_value == 1 ? "" : "s",
			  cpts_csv_col(L->csv, (size_t)L->col[1]));
	if (L->n_uncovered)
		CPTS_LOG(ctx, L->opts->from_column ? CPTS_LOG_WARN : CPTS_LOG_NOTE,
			 "partition '%s': %lld commune%s of the workspace in no territory (%s)",
			 L->partition, L->n_uncovered, L->n_uncovered == 1 ? "" : "s",
			 L->uncovered);
}

/*
 * In one transaction: clear the kind's table, read the rows (or take those a prefetch
 * read: prefetched), store them, record the source; then report. Rolled back on any
 * error: the workspace is unchanged.
 */
static int store_rows(cpts_ctx *ctx, cpts_loader *L, const char *path, bool prefetched)
{
	int rc;

	if ((rc = cpts_store_begin(ctx, L->s)) < 0)
		return rc;
	if ((rc = clear_table(ctx, L)) < 0)
		goto out;
	if (L->kind_id == CPTS_TABLE_PARTITION && (rc = load_arm_shares(ctx, L)) < 0)
		goto out;
	if ((rc = prepare(ctx, L)) < 0)
		goto out;
	if (!prefetched && (rc = read_rows(ctx, L)) < 0)
		goto out;
	if (L->fs && (rc = store_flowset(ctx, L)) < 0)
		goto out;
	if ((rc = finish(ctx, L, path)) < 0)
		goto out;
	cpts_store_tw_free(L->tw);
	L->tw = NULL;
	if ((rc = cpts_store_commit(ctx, L->s)) < 0)
		goto out;
	report(ctx, L);
	return CPTS_OK;
out:
	cpts_store_rollback(L->s);
	return rc;
}

int cpts_ingest_table(cpts_ctx *ctx, cpts_store *s, cpts_table_kind kind, const char *path,
		      const cpts_ingest_table_opts *opts)
{
	static const cpts_ingest_table_opts defaults = CPTS_INGEST_TABLE_OPTS_INIT;
	cpts_ingest_table_opts fo;
	char **map = NULL, *owned[2] = { NULL, NULL };
	cpts_loader L;
	int rc;

	if (!opts)
		opts = &defaults;
	if ((int)kind < 0 || kind >= CPTS_TABLE_N_KINDS)
		return cpts_fail(ctx, CPTS_EUSAGE, "unknown table kind %d", (int)kind);
	if (kind != CPTS_TABLE_PARTITION && (opts->from_column || opts->name_column ||
					     opts->names_file))
		return cpts_fail(ctx, CPTS_EUSAGE, "territory columns and names are for a"
				 " partition, not for %s", cpts_table_kind_name(kind));
	if (opts->name_column && !opts->from_column)
		return cpts_fail(ctx, CPTS_EUSAGE, "a name column goes with a territory column"
				 " (--from-column)");
	if (opts->name_column && opts->names_file)
		return cpts_fail(ctx, CPTS_EUSAGE, "territory names come from a column of the file"
				 " or from a names file, not both");
	if (opts->from_column) {
		/* --from-column C [--name-column N]: --map territoire=C [nom=N] */
		fo = *opts;
		map = cpts_calloc(opts->n_map + 2, sizeof(char *));
		for (size_t i = 0; i < opts->n_map; i++)
			map[i] = (char *)opts->map[i];
		owned[0] = map[opts->n_map] = cpts_asprintf("territoire=%s", opts->from_column);
		fo.n_map = opts->n_map + 1;
		if (opts->name_column)
			owned[1] = map[fo.n_map++] = cpts_asprintf("nom=%s", opts->name_column);
		fo.map = (const char *const *)map;
		opts = &fo;
	}
	loader_init(&L, kind, opts);
	L.s = s;
	if (kind == CPTS_TABLE_FLOWS) {
		L.fs = cpts_calloc(1, sizeof(*L.fs));
		cpts_flowset_init(L.fs);
	}
	if (kind == CPTS_TABLE_PARTITION)
		L.m_idx = cpts_strmap_new(4096);
	if ((rc = cpts_csv_open(ctx, &L.csv, path)) < 0)
		goto out;
	if (kind == CPTS_TABLE_PASSAGE) {
		rc = cpts_ingest__passage(ctx, s, path, opts, L.csv, &L.n_rows, false);
		goto out;
	}
	if ((rc = cpts_ingest__match_columns(ctx, L.csv, L.kind, opts, L.col)) < 0)
		goto out;
	/* a comma-delimited file cannot hold unquoted decimal commas */
	L.dec = cpts_csv_delim(L.csv) == ',' ? '.' : '\0';
	if (kind == CPTS_TABLE_PARTITION) {
		L.partition_owned = opts->name ? cpts_strdup(opts->name) : cpts_path_stem(path);
		L.partition = L.partition_owned;
		if (opts->from_column) {
			/* any per-commune file: only the territory (and name) columns count */
			L.col[2] = -1;
			if (!opts->name_column)
				L.col[3] = -1;
		}
		if (opts->names_file) {
			L.col[3] = -1;
			if ((rc = load_names_file(ctx, &L, opts->names_file)) < 0)
				goto out;
		}
	}
	if (has_code_cols(L.kind)) {
		if ((rc = cpts_resolver_load(ctx, &L.res, s)) < 0)
			goto out;
		if (L.res.n_communes == 0) {
			rc = cpts_fail(ctx, CPTS_EINPUT, "the workspace '%s' has no communes: run "
				       "'cpts ingest communes' first", cpts_store_path(s));
			goto out;
		}
	}
	rc = store_rows(ctx, &L, path, false);
out:
	loader_release(&L);
	free(owned[0]);
	free(owned[1]);
	free(map);
	return rc;
}

int cpts_ingest__check_csv_mem(cpts_ctx *ctx, cpts_table_kind kind, const void *data,
			       size_t len, long long *n_rows_out)
{
	static const cpts_ingest_table_opts opts = CPTS_INGEST_TABLE_OPTS_INIT;
	cpts_loader L;
	int rc;

	*n_rows_out = 0;
	loader_init(&L, kind, &opts);
	if ((rc = cpts_csv_open_mem(ctx, &L.csv, data, len, "<memory>")) < 0)
		goto out;
	if (kind == CPTS_TABLE_PASSAGE) {
		rc = cpts_ingest__passage(ctx, NULL, "<memory>", &opts, L.csv, &L.n_rows, true);
		goto out;
	}
	if ((rc = cpts_ingest__match_columns(ctx, L.csv, L.kind, &opts, L.col)) < 0)
		goto out;
	L.dec = cpts_csv_delim(L.csv) == ',' ? '.' : '\0';
	L.partition = "p";
	rc = read_rows(ctx, &L);
out:
	*n_rows_out = L.n_rows;
	loader_release(&L);
	return rc;
}

/* ---- flows read ahead (cpts_ingest_prefetch_start) ------------------------------- */

/*
 * Why: in `cpts diagnose` the commune layer is read by GDAL on one core while the other
 * waits, and then the flows file (millions of rows) is parsed and folded on one core
 * too. The flows are read ahead on a thread of their own while the communes are read:
 * every row parsed (the same cells, errors and warnings), gathered and folded with its
 * codes taken as they are, which is what the loader does when each code is a commune of
 * the workspace. Once the communes are stored, that is checked record by record: when
 * it holds, the result is the one of the sequential loader and only the store remains;
 * when it does not (a passage table or an arrondissement to map, a code unknown, a
 * destination outside) or the thread met any error, its work is dropped and the file is
 * read again by cpts_ingest_table, whose messages and result are then the user's. The
 * thread's messages are held in memory and printed when its work is adopted, where the
 * sequential loader would have printed them.
 *
 * Given the workspace (cpts_ingest_prefetch_start_into), the thread also writes the
 * folded rows into its flows table, on a connection of its own and in one transaction,
 * while the caller still reads the communes with GDAL: writing 5 M rows was 2.6 s of CPU
 * on the caller's thread after the communes (France, 5 M pairs), with the other core
 * idle. The caller must not write meanwhile: cpts_ingest_prefetch_wait before it does
 * (the communes' store waits for it). The rows are then adopted (cpts_store_flows_adopt)
 * by the loader's transaction, which records the input as replaced (the thread writes
 * only into an empty table, recording nothing) as the sequential loader does;
 * when the check above fails, that loader clears the table first, as always. A failed
 * write leaves the table as it was and the rows to be written by the loader.
 */
struct cpts_ingest_prefetch {
	cpts_ctx ctx;                       /* OWNED: the thread's (GEOS/PROJ unused) */
	cpts_loader L;                      /* OWNED: the rows, folded (L.fs) */
	const char *path;                   /* BORROWED */
	const cpts_ingest_table_opts *opts; /* BORROWED */
	FILE *mem;                          /* OWNED: the thread's log (a memstream into
					       msgs) until joined */
	char *msgs;                         /* OWNED: the thread's messages */
	size_t msgs_len;
	atomic_bool cancel;                 /* set by cpts_ingest_prefetch_free: stop reading */
	char *ws;                           /* OWNED: the workspace to write the rows into,
					       NULL: none */
	bool stored;                        /* the thread committed the rows into ws */
	pthread_t th;
	bool running;                       /* started, not joined yet */
	int rc;                             /* the thread's status once joined */
};

static double thread_cpu_s(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The folded rows into pf->ws (see the header): true when committed. A failure leaves
 * the table as it was (rolled back) and is the loader's to meet again and report. */
static bool store_ahead(cpts_ingest_prefetch *pf)
{
	cpts_ctx *ctx = &pf->ctx;
	cpts_flowset *fs = pf->L.fs;
	cpts_store *s = NULL;
	double t0 = thread_cpu_s();
	bool ok = false;

	if (cpts_store_open(ctx, &s, pf->ws, CPTS_STORE_SCRATCH) == CPTS_OK &&
	    cpts_store_begin(ctx, s) == CPTS_OK) {
		ok = cpts_store_flows_write_ahead(ctx, s, fs->r, fs->n,
						  (const char *const *)fs->profs) == CPTS_OK &&
		     cpts_store_commit(ctx, s) == CPTS_OK;
		cpts_store_rollback(s); /* when not committed */
	}
	cpts_store_free(s);
	fs->store_s = thread_cpu_s() - t0;
	return ok;
}

static void *prefetch_main(void *arg)
{
	cpts_ingest_prefetch *pf = arg;
	cpts_loader *L = &pf->L;
	cpts_ctx *ctx = &pf->ctx;
	size_t dup = SIZE_MAX;
	int rc;

	if ((rc = cpts_csv_open(ctx, &L->csv, pf->path)) == CPTS_OK &&
	    (rc = cpts_ingest__match_columns(ctx, L->csv, L->kind, L->opts, L->col)) == CPTS_OK) {
		L->dec = cpts_csv_delim(L->csv) == ',' ? '.' : '\0';
		rc = read_rows(ctx, L); /* L->s is NULL: every code taken as it is */
	}
	if (rc == CPTS_OK) {
		double t0 = thread_cpu_s();
		cpts_flowset_fold(L->fs, &dup, &L->n_arm_dropped);
		L->fs->fold_s = thread_cpu_s() - t0;
		L->fs->folded = true;
		if (dup != SIZE_MAX)
			rc = CPTS_EINPUT; /* named by the loader that reads the file again */
	}
	if (rc == CPTS_OK && pf->ws && !atomic_load(&pf->cancel))
		pf->stored = store_ahead(pf);
	pf->rc = rc;
	if (ctx->log)
		fflush(ctx->log);
	cpts_text_release(); /* escaped copies this thread's messages made, if any */
	return NULL;
}

cpts_ingest_prefetch *cpts_ingest_prefetch_start(cpts_ctx *ctx, cpts_table_kind kind,
						 const char *path,
						 const cpts_ingest_table_opts *opts)
{
	return cpts_ingest_prefetch_start_into(ctx, kind, path, opts, NULL);
}

cpts_ingest_prefetch *cpts_ingest_prefetch_start_into(cpts_ctx *ctx, cpts_table_kind kind,
						      const char *path,
						      const cpts_ingest_table_opts *opts,
						      const char *ws)
{
	cpts_ingest_prefetch *pf;

	if (kind != CPTS_TABLE_FLOWS || !path || !opts || opts->from_column ||
	    opts->name_column || opts->names_file)
		return NULL; /* only flows; the loader reports misused options */
	pf = cpts_calloc(1, sizeof(*pf));
	pf->path = path;
	pf->opts = opts;
	pf->ws = ws ? cpts_strdup(ws) : NULL;
	if (cpts_ctx_init(&pf->ctx) != CPTS_OK ||
	    !(pf->ctx.log = pf->mem = open_memstream(&pf->msgs, &pf->msgs_len))) {
		cpts_ctx_release(&pf->ctx);
		free(pf->ws);
		free(pf);
		return NULL;
	}
	pf->ctx.verbosity = ctx->verbosity; /* its messages are the user's; no progress */
	loader_init(&pf->L, kind, opts);
	atomic_init(&pf->cancel, false);
	pf->L.cancel = &pf->cancel;
	pf->L.fs = cpts_calloc(1, sizeof(*pf->L.fs));
	cpts_flowset_init(pf->L.fs);
	pf->running = pthread_create(&pf->th, NULL, prefetch_main, pf) == 0;
	if (!pf->running) {
		pf->running = false;
		cpts_ingest_prefetch_free(pf);
		return NULL;
	}
	return pf;
}

/* Wait for the thread (once) and close its message stream. */
static void prefetch_join(cpts_ingest_prefetch *pf)
{
	if (pf->running) {
		pthread_join(pf->th, NULL);
		pf->running = false;
	}
	if (pf->mem) {
		fclose(pf->mem);
		pf->mem = NULL;
		pf->ctx.log = NULL;
	}
}

void cpts_ingest_prefetch_wait(cpts_ingest_prefetch *pf)
{
	if (pf)
		prefetch_join(pf);
}

void cpts_ingest_prefetch_free(cpts_ingest_prefetch *pf)
{
	if (!pf)
		return;
	atomic_store(&pf->cancel, true);
	prefetch_join(pf);
	loader_release(&pf->L);
	cpts_ctx_release(&pf->ctx);
	free(pf->msgs);
	free(pf->ws);
	free(pf);
}

/* Whether every code of the gathered flows is a commune of the workspace (the loader
 * would have stored each row as it is: no mapping, no unknown code, none outside). */
static bool all_direct(const cpts_loader *L)
{
	const cpts_flowset *fs = L->fs;
	char o[6] = "", d[6] = "";

	for (size_t i = 0; i < fs->n; i++) {
		memcpy(o, fs->r[i].orig, 5);
		memcpy(d, fs->r[i].dest, 5);
		if (!cpts_resolver_known(&L->res, o) || !cpts_resolver_known(&L->res, d))
			return false;
	}
	return true;
}

/* The rows L stored, taken out of its flowset (which is left empty). */
static cpts_flow_rows *take_rows(cpts_loader *L)
{
	cpts_flow_rows *rows = cpts_calloc(1, sizeof(*rows));

	rows->r = L->fs->r;
	rows->n = L->fs->n;
	rows->profs = L->fs->profs;
	rows->n_profs = L->fs->n_profs;
	L->fs->r = NULL;
	L->fs->n = L->fs->cap = 0;
	L->fs->profs = NULL;
	L->fs->n_profs = 0;
	return rows;
}

int cpts_ingest_table_prefetched(cpts_ctx *ctx, cpts_store *s, cpts_ingest_prefetch *pf)
{
	return cpts_ingest_table_prefetched_rows(ctx, s, pf, NULL);
}

int cpts_ingest_table_prefetched_rows(cpts_ctx *ctx, cpts_store *s, cpts_ingest_prefetch *pf,
				      cpts_flow_rows **rows)
{
	cpts_loader *L = &pf->L;
	const char *path = pf->path;
	const cpts_ingest_table_opts *opts = pf->opts;
	int rc;

	if (rows)
		*rows = NULL;
	prefetch_join(pf);
	if (pf->rc == CPTS_OK) {
		L->s = s;
		if ((rc = cpts_resolver_load(ctx, &L->res, s)) < 0)
			goto out;
		if (L->res.n_communes > 0 && all_direct(L)) {
			FILE *f = ctx->log ? ctx->log : stderr;
			if (pf->msgs_len)
				fwrite(pf->msgs, 1, pf->msgs_len, f);
			ctx->n_warnings += pf->ctx.n_warnings;
			pf->ctx.log = ctx->log; /* anything the file says from now on */
			L->fs_in_table = pf->stored;
			rc = store_rows(ctx, L, path, true);
			if (rc == CPTS_OK && rows)
				*rows = take_rows(L); /* exactly what the table now holds */
			goto out;
		}
	}
	/* the thread's work does not hold: the loader reads the file (its messages) */
	cpts_ingest_prefetch_free(pf);
	return cpts_ingest_table(ctx, s, CPTS_TABLE_FLOWS, path, opts);
out:
	cpts_ingest_prefetch_free(pf);
	return rc;
}
