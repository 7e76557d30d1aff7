/*
 * publish_flows.c - flow totals as publications (cpts/publish.h, issue 19 points 1 and
 * 3): the totals behind the LI and MSI that `check`, `move`, `suggest` print and the
 * exports publish (flows of a territory's residents staying in it, all its residents'
 * flows, all flows into it; and their sums over a partition) are health counts over a
 * commune set, kept in the workspace's publication ledger like the catalogue's counts.
 *
 * Why not the catalogue's linear programs: a flow total staying in a territory is a sum
 * over pairs of its communes, not over its communes, so it has no commune cells to
 * relate; what gives a small flow away is the difference of two totals of the same kind
 * over two overlapping commune sets (a partition and the one after `cpts move`: the
 * moved commune's flows, issue 19 attack 7). Rule: a total is masked from 1 to T-1, and
 * withheld (masked, no bounds) when it differs by 1 to T-1 from a total of the same kind
 * published earlier over another, overlapping commune set (in the ledger, or earlier in
 * the same command), with a warning naming both. A ratio printed at 3 decimals is
 * recorded as its counts (more than a reader learnt, never less).
 *
 * Ledger rows: publication_values level 'flux' (code = territory, indicator = kind),
 * members under the same territory; an overall sum is level 'flux' with code '*' and a
 * hash of the partition. The catalogue's disclosure ignores level 'flux'
 * (disclosure_ledger.c reads 'commune' and 'territoire' only).
 * Commune pairs (a flux layer's rows, src/export/flux_pub.c) are level 'fluxpair', code
 * "orig>dest", indicator 'volume': a later export counts them as known.
 * Three or more publications (A and B of one partition, A u B u {c} of another give
 * c's flows): a total that passes the pairwise rule is also checked against the
 * combinations of the earlier totals of its kind near it (publish_flows_chain.c: those
 * sharing a commune with it, and those sharing one with them), withheld when they
 * would bound a group of communes' flows (or pairs of groups', for the staying flows)
 * to 1..T-1. Limits: sums over a whole partition ('*') and totals of another
 * profession are compared pairwise only; totals further than two overlaps away are
 * not in the system; flows published outside the workspace are not known.
 *
 * Ownership: cpts_pub_flows OWNS every record and string; nothing is BORROWED past a call.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/publish.h"
#include "cpts/store_ledger.h"
#include "profile/publish_flows_int.h"

/* Most earlier totals in one chain check: those sharing a commune with the new set
 * (up to PF_CHAIN_MAX_ROWS), then those sharing one with them while the system holds
 * at most PF_CHAIN_MAX_ROWS2 (two programs per group of communes, for every territory
 * of an export: the second hop is kept for small systems). */
#define PF_CHAIN_MAX_ROWS 200
#define PF_CHAIN_MAX_ROWS2 40

typedef struct pf_rec {
	char *kind;      /* "flows_in", "flows_res", "flows_into" */
	char *label;     /* territory id, or "*<hash>" for a partition's sum */
	char *partition; /* as published */
	char *what;      /* the publication ("stdout of cpts move", a file) */
	int64_t pub;     /* ledger id; -1 when published by this command */
	cpts_vec codes;  /* char *, sorted */
	char *sig;       /* identity: label for a sum, else the commune codes */
	double value;
	bool pending;    /* to record (published by this command) */
} pf_rec;

struct cpts_pub_flows {
	double threshold;
	cpts_vec recs;      /* pf_rec */
	cpts_strmap *byid;  /* "pub\x1flabel" -> index (loading) */
	size_t n_withheld;  /* cells withheld against a publication */
	char *prof;         /* OWNED profession of the flows (NULL: all) */
	cpts_strmap *pairs; /* "orig>dest" published earlier (ledger) or marked */
	cpts_vec pending;   /* pf_pair marked by this command, to record */
	cpts_strmap *cidx;  /* commune code -> index in crows */
	cpts_vec crows;     /* cpts_vec of size_t: the records holding each commune */
	bool warned_big;    /* the chain check was skipped once (system too large) */
};

typedef struct pf_pair {
	char *key;       /* "orig>dest" */
	char *partition;
	double value;
} pf_pair;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The identity of a total: its label when a sum, its profession (the part of its kind
 * after '@'), its communes. Totals of one base kind ("flows_in") over the same communes
 * but for another profession differ by the other professions' flows: compared too. */
static char *make_sig(const char *label, const char *kind, const cpts_vec *codes)
{
	cpts_buf b = CPTS_BUF_INIT;
	const char *at = kind ? strchr(kind, '@') : NULL;

	if (label && label[0] == '*')
		cpts_buf_addstr(&b, label);
	if (at)
		cpts_buf_addstr(&b, at);
	cpts_buf_addch(&b, '|');
	for (size_t i = 0; i < codes->n; i++)
		cpts_buf_addf(&b, "%s%s", i ? "," : "", cpts_vec_at(codes, char *, i));
	return cpts_buf_detach(&b, NULL);
}

static pf_rec *rec_push(cpts_pub_flows *f, const char *kind, const char *label,
			const char *partition, const char *what, int64_t pub, double value)
{
	pf_rec *r = cpts_vec_push(&f->recs);

	if (!r)
		CPTS_BUG("too many flow publications");
	memset(r, 0, sizeof(*r));
	r->kind = cpts_strdup(kind);
	r->label = cpts_strdup(label);
	r->partition = cpts_strdup(partition ? partition : "");
	r->what = cpts_strdup(what ? what : "");
	r->pub = pub;
	r->value = value;
	cpts_vec_init(&r->codes, sizeof(char *), SIZE_MAX / sizeof(char *));
	return r;
}

static void on_value(void *arg, int64_t pub, const char *partition, const char *what,
		     const char *level, const char *code, const char *indicator, double value)
{
	cpts_pub_flows *f = arg;
	cpts_buf key = CPTS_BUF_INIT;

	(void)partition;
	if (level && code && strcmp(level, "fluxpair") == 0) {
		cpts_strmap_put(f->pairs, code, 1);
		return;
	}
	if (!level || strcmp(level, "flux") != 0 || !code || !indicator || isnan(value))
		return;
	rec_push(f, indicator, code, partition, what, pub, value);
	cpts_buf_addf(&key, "%lld\x1f%s", (long long)pub, code);
	/* several kinds of one territory share its members: the first record's index,
	   the others follow it (recorded together, read back in order) */
	if (!cpts_strmap_get(f->byid, key.data, NULL))
		cpts_strmap_put(f->byid, key.data, (int64_t)(f->recs.n - 1));
	cpts_buf_release(&key);
}

static void on_member(void *arg, int64_t pub, const char *territory, const char *code)
{
	cpts_pub_flows *f = arg;
	cpts_buf key = CPTS_BUF_INIT;
	int64_t k;

	if (!territory || !code)
		return;
	cpts_buf_addf(&key, "%lld\x1f%s", (long long)pub, territory);
	if (cpts_strmap_get(f->byid, key.data, &k)) {
		for (size_t i = (size_t)k; i < f->recs.n; i++) {
			pf_rec *r = &cpts_vec_at(&f->recs, pf_rec, i);
			if (r->pub != pub || strcmp(r->label, territory) != 0)
				break;
			*(char **)cpts_vec_push(&r->codes) = cpts_strdup(code);
		}
	}
	cpts_buf_release(&key);
}

/* Index record i by its communes (for the chain check's neighbourhood). */
static void idx_add(cpts_pub_flows *f, size_t i)
{
	const pf_rec *r = &cpts_vec_at(&f->recs, pf_rec, i);

	for (size_t k = 0; k < r->codes.n; k++) {
		const char *code = cpts_vec_at(&r->codes, char *, k);
		int64_t slot;
		if (!cpts_strmap_get(f->cidx, code, &slot)) {
			cpts_vec *v = cpts_vec_push(&f->crows);
			if (!v)
				CPTS_BUG("too many communes");
			cpts_vec_init(v, sizeof(size_t), SIZE_MAX / sizeof(size_t));
			slot = (int64_t)f->crows.n - 1;
			cpts_strmap_put(f->cidx, code, slot);
		}
		*(size_t *)cpts_vec_push(&cpts_vec_at(&f->crows, cpts_vec, (size_t)slot)) = i;
	}
}

int cpts_pub_flows_open(cpts_ctx *ctx, cpts_store *s, double threshold,
			cpts_pub_flows **out)
{
	cpts_pub_flows *f = cpts_calloc(1, sizeof(*f));
	int rc = CPTS_OK;

	f->threshold = threshold >= 2 ? threshold : CPTS_MASK_THRESHOLD_DEFAULT;
	cpts_vec_init(&f->recs, sizeof(pf_rec), SIZE_MAX / sizeof(pf_rec));
	f->byid = cpts_strmap_new(256);
	f->pairs = cpts_strmap_new(256);
	cpts_vec_init(&f->pending, sizeof(pf_pair), SIZE_MAX / sizeof(pf_pair));
	f->cidx = cpts_strmap_new(1024);
	cpts_vec_init(&f->crows, sizeof(cpts_vec), SIZE_MAX / sizeof(cpts_vec));
	if (s && (rc = cpts_ledger_read(ctx, s, on_value, on_member, f)) < 0) {
		cpts_pub_flows_free(f);
		*out = NULL;
		return rc;
	}
	for (size_t i = 0; i < f->recs.n; i++) {
		pf_rec *r = &cpts_vec_at(&f->recs, pf_rec, i);
		qsort(r->codes.data, r->codes.n, sizeof(char *), cmp_str);
		r->sig = make_sig(r->label, r->kind, &r->codes);
		idx_add(f, i);
	}
	*out = f;
	return rc;
}

void cpts_pub_flows_free(cpts_pub_flows *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->recs.n; i++) {
		pf_rec *r = &cpts_vec_at(&f->recs, pf_rec, i);
		for (size_t k = 0; k < r->codes.n; k++)
			free(cpts_vec_at(&r->codes, char *, k));
		cpts_vec_release(&r->codes);
		free(r->kind);
		free(r->label);
		free(r->partition);
		free(r->what);
		free(r->sig);
	}
	cpts_vec_release(&f->recs);
	cpts_strmap_free(f->byid);
	cpts_strmap_free(f->pairs);
	for (size_t i = 0; i < f->pending.n; i++) {
		free(cpts_vec_at(&f->pending, pf_pair, i).key);
		free(cpts_vec_at(&f->pending, pf_pair, i).partition);
	}
	cpts_vec_release(&f->pending);
	for (size_t i = 0; i < f->crows.n; i++)
		cpts_vec_release(&cpts_vec_at(&f->crows, cpts_vec, i));
	cpts_vec_release(&f->crows);
	cpts_strmap_free(f->cidx);
	free(f->prof);
	free(f);
}

size_t cpts_pub_flows_withheld(const cpts_pub_flows *f)
{
	return f ? f->n_withheld : 0;
}

bool cpts_pub_flows_pair_known(const cpts_pub_flows *f, const char *orig, const char *dest)
{
	char key[64];

	if (!f || !orig || !dest)
		return false;
	snprintf(key, sizeof(key), "%s>%s", orig, dest);
	return cpts_strmap_get(f->pairs, key, NULL);
}

void cpts_pub_flows_pair_mark(cpts_pub_flows *f, const char *partition, const char *orig,
			      const char *dest, double value)
{
	pf_pair *q;
	char *key;

	if (!f || !orig || !dest)
		return;
	key = cpts_asprintf("%s>%s", orig, dest);
	if (cpts_strmap_get(f->pairs, key, NULL)) {
		free(key);
		return; /* known already */
	}
	cpts_strmap_put(f->pairs, key, 1);
	q = cpts_vec_push(&f->pending);
	if (!q)
		CPTS_BUG("too many flow pairs");
	q->key = key;
	q->partition = cpts_strdup(partition ? partition : "");
	q->value = value;
}

/* Record the marked pairs: one publication (the partition of the first). */
static int record_pairs(cpts_ctx *ctx, cpts_store *s, cpts_pub_flows *f, const char *what)
{
	cpts_ledger_writer *w = NULL;
	char when[32];
	int rc;

	if (!f->pending.n)
		return CPTS_OK;
	cpts_timestamp_utc(when);
	if ((rc = cpts_ledger_begin(ctx, s, &w, cpts_vec_at(&f->pending, pf_pair, 0).partition,
				    what, when)) < 0)
		return rc;
	for (size_t i = 0; i < f->pending.n && rc >= 0; i++) {
		pf_pair *q = &cpts_vec_at(&f->pending, pf_pair, i);
		rc = cpts_ledger_add_value(ctx, w, "fluxpair", q->key, "volume", q->value);
	}
	rc = cpts_ledger_end(ctx, w, rc >= 0) < 0 && rc >= 0 ? CPTS_EIO : rc;
	if (rc >= 0) {
		for (size_t i = 0; i < f->pending.n; i++) {
			free(cpts_vec_at(&f->pending, pf_pair, i).key);
			free(cpts_vec_at(&f->pending, pf_pair, i).partition);
		}
		f->pending.n = 0;
	}
	return rc;
}

/* kind, with "@profession" when the flows are one profession's: OWNED. */
static char *full_kind(const cpts_pub_flows *f, const char *kind)
{
	return f->prof && *f->prof ? cpts_asprintf("%s@%s", kind, f->prof) : cpts_strdup(kind);
}

/* Same kind up to the profession? */
static bool same_base(const char *a, const char *b)
{
	size_t la = strcspn(a, "@"), lb = strcspn(b, "@");

	return la == lb && strncmp(a, b, la) == 0;
}

void cpts_pub_flows_profession(cpts_pub_flows *f, const char *profession)
{
	if (!f)
		return;
	free(f->prof);
	f->prof = profession && *profession ? cpts_strdup(profession) : NULL;
}

/* A sorted copy of codes (strings BORROWED) and its identity. */
static char *set_of(const char *label, const char *kind, const char *const *codes, size_t n,
		    cpts_vec *out)
{
	cpts_vec_init(out, sizeof(char *), SIZE_MAX / sizeof(char *));
	for (size_t i = 0; i < n; i++)
		*(const char **)cpts_vec_push(out) = codes[i];
	qsort(out->data, out->n, sizeof(char *), cmp_str);
	return make_sig(label, kind, out);
}

/* Add record i to the neighbourhood when of kind full, not a partition's sum, not the
 * new set itself, and not in it yet. */
static void nb_add(const cpts_pub_flows *f, size_t i, const char *full, const char *sig,
		   cpts_strmap *seen, cpts_vec *nb)
{
	const pf_rec *r = &cpts_vec_at(&f->recs, pf_rec, i);
	char k[32];

	if (r->label[0] == '*' || strcmp(r->kind, full) != 0 || strcmp(r->sig, sig) == 0)
		return;
	snprintf(k, sizeof(k), "%zu", i);
	if (cpts_strmap_get(seen, k, NULL))
		return;
	cpts_strmap_put(seen, k, 1);
	*(size_t *)cpts_vec_push(nb) = i;
}

/* Records of the kind holding one of the codes. */
static void nb_codes(const cpts_pub_flows *f, const cpts_vec *codes, const char *full,
		     const char *sig, cpts_strmap *seen, cpts_vec *nb)
{
	for (size_t k = 0; k < codes->n; k++) {
		int64_t slot;
		if (!cpts_strmap_get(f->cidx, cpts_vec_at(codes, char *, k), &slot))
			continue;
		const cpts_vec *rows = &cpts_vec_at(&f->crows, cpts_vec, (size_t)slot);
		for (size_t j = 0; j < rows->n && nb->n < PF_CHAIN_MAX_ROWS; j++)
			nb_add(f, cpts_vec_at(rows, size_t, j), full, sig, seen, nb);
	}
}

/* The check of three or more publications (publish_flows_chain.c) of a total that
 * passed the pairwise rule: withholds *v with a warning naming the totals involved. */
static void chain_check(cpts_ctx *ctx, cpts_pub_flows *f, const char *kind, const char *full,
			const char *partition, const char *label, const char *sig,
			const cpts_vec *set, double value, cpts_pvalue *v)
{
	cpts_strmap *seen = cpts_strmap_new(64);
	cpts_vec nb;
	size_t *cul = NULL, n_cul = 0, n_hop1;
	int rc;

	cpts_vec_init(&nb, sizeof(size_t), SIZE_MAX / sizeof(size_t));
	nb_codes(f, set, full, sig, seen, &nb);
	n_hop1 = nb.n;
	for (size_t i = 0; i < n_hop1 && nb.n < PF_CHAIN_MAX_ROWS2; i++)
		nb_codes(f, &cpts_vec_at(&f->recs, pf_rec, cpts_vec_at(&nb, size_t, i)).codes, full,
			 sig, seen, &nb);
	if (nb.n > PF_CHAIN_MAX_ROWS2 && nb.n > n_hop1)
		nb.n = n_hop1 > PF_CHAIN_MAX_ROWS2 ? n_hop1 : PF_CHAIN_MAX_ROWS2;
	if (nb.n >= 2) { /* one earlier set alone is the pairwise rule's */
		cpts_pf_set *old = cpts_calloc(nb.n, sizeof(cpts_pf_set));
		for (size_t i = 0; i < nb.n; i++) {
			const pf_rec *r = &cpts_vec_at(&f->recs, pf_rec, cpts_vec_at(&nb, size_t, i));
			old[i].codes = &r->codes;
			old[i].value = r->value;
		}
		cpts_error saved = ctx->err;
		rc = cpts_profile__flow_chain(ctx, &cul, &n_cul, f->threshold, old, nb.n, set,
					      value, strcmp(kind, "flows_in") == 0);
		free(old);
		if (rc < 0) {
			/* GLPK failed: withhold rather than publish unchecked (the error is
			   not the command's: its first error stays what it was) */
			cpts_warn(ctx, "partition '%s': %s of %s withheld: %s", partition ? partition
				  : "", kind, label, ctx->err.msg);
			ctx->err = saved;
			rc = 1;
		}
		if (rc == 2 && !f->warned_big) {
			f->warned_big = true;
			cpts_warn(ctx, "partition '%s': %s of %s: too many overlapping flow"
				  " publications to check their combinations; compared two at a"
				  " time only", partition ? partition : "", kind, label);
		}
		if (rc == 1) {
			cpts_buf names = CPTS_BUF_INIT;
			for (size_t i = 0; i < n_cul && i < 6; i++) {
				const pf_rec *r = &cpts_vec_at(&f->recs, pf_rec,
							       cpts_vec_at(&nb, size_t, cul[i]));
				cpts_buf_addf(&names, "%sterritory '%s' of partition '%s' (published in"
					      " %s)", i ? ", " : "", r->label, r->partition,
					      r->what[0] ? r->what : "this command");
			}
			if (n_cul > 6)
				cpts_buf_addf(&names, " and %zu more", n_cul - 6);
			v->masked = true;
			v->value = v->lo = v->hi = NAN;
			f->n_withheld++;
			cpts_warn(ctx, "partition '%s': %s of territory '%s' withheld: with %s it"
				  " would bound the flows of some of their communes to 1 to %.0f",
				  partition ? partition : "", kind, label,
				  names.data ? names.data : "earlier publications", f->threshold - 1);
			cpts_buf_release(&names);
		}
	}
	free(cul);
	cpts_vec_release(&nb);
	cpts_strmap_free(seen);
}

cpts_pvalue cpts_pub_flow(cpts_ctx *ctx, cpts_pub_flows *f, const char *kind,
			  const char *partition, const char *label, const char *const *codes,
			  size_t n, double value)
{
	cpts_pub p = CPTS_PUB_INIT;
	cpts_pvalue v;
	cpts_vec set;
	char *sig;

	p.threshold = f ? f->threshold : CPTS_MASK_THRESHOLD_DEFAULT;
	v = cpts_pub_count(&p, value);
	if (!f || cpts_pub_hidden(&v) || isnan(value))
		return v;
	char *full = full_kind(f, kind);
	sig = set_of(label, full, codes, n, &set);
	for (size_t i = 0; i < f->recs.n; i++) {
		const pf_rec *r = &cpts_vec_at(&f->recs, pf_rec, i);
		double d = fabs(value - r->value);
		if (!same_base(r->kind, kind) || strcmp(r->sig, sig) == 0 || !(d > 1e-9) ||
		    !(d < f->threshold - 1e-9) || !cpts_profile__codes_overlap(&r->codes, &set))
			continue;
		v.masked = true;
		v.value = v.lo = v.hi = NAN;
		f->n_withheld++;
		cpts_warn(ctx, "partition '%s': %s of %s withheld: its difference with %s%s%s of"
			  " partition '%s' (published in %s) would be a flow count from 1 to %.0f",
			  partition ? partition : "", kind,
			  label[0] == '*' ? "the whole partition" : label,
			  r->label[0] == '*' ? "the whole partition" : "territory '",
			  r->label[0] == '*' ? "" : r->label, r->label[0] == '*' ? "" : "'",
			  r->partition, r->what[0] ? r->what : "this command",
			  f->threshold - 1);
		break;
	}
	if (!v.masked && label[0] != '*')
		chain_check(ctx, f, kind, full, partition, label, sig, &set, value, &v);
	free(full);
	free(sig);
	cpts_vec_release(&set);
	return v;
}

void cpts_pub_flow_mark(cpts_pub_flows *f, const char *kind, const char *partition,
			const char *label, const char *const *codes, size_t n, double value)
{
	cpts_vec set;
	char *sig;
	pf_rec *r;

	if (!f || isnan(value))
		return;
	char *full = full_kind(f, kind);
	sig = set_of(label, full, codes, n, &set);
	for (size_t i = 0; i < f->recs.n; i++) {
		const pf_rec *o = &cpts_vec_at(&f->recs, pf_rec, i);
		if (strcmp(o->kind, full) == 0 && strcmp(o->sig, sig) == 0 &&
		    fabs(o->value - value) < 1e-9) {
			free(sig);
			free(full);
			cpts_vec_release(&set);
			return; /* known already: printing it again adds no publication */
		}
	}
	r = rec_push(f, full, label, partition, NULL, -1, value);
	free(full);
	r->pending = true;
	r->sig = sig;
	for (size_t i = 0; i < set.n; i++)
		*(char **)cpts_vec_push(&r->codes) = cpts_strdup(cpts_vec_at(&set, char *, i));
	cpts_vec_release(&set);
	idx_add(f, f->recs.n - 1);
}

/* A 64-bit FNV-1a hash, as hex, of a partition's territories (their sorted codes):
 * the label of its overall sums. */
void cpts_pub_flow_sum_label(char out[24], const char *const *codes, const size_t *terr_start,
			     size_t n_terr)
{
	uint64_t h = 1469598103934665603ULL;
	cpts_vec set;

	for (size_t t = 0; t < n_terr; t++) {
		char *sg = set_of("", NULL, codes + terr_start[t], terr_start[t + 1] - terr_start[t], &set);
		for (const unsigned char *c = (const unsigned char *)sg; *c; c++)
			h = (h ^ *c) * 1099511628211ULL;
		h = (h ^ ';') * 1099511628211ULL;
		free(sg);
		cpts_vec_release(&set);
	}
	snprintf(out, 24, "*%016llx", (unsigned long long)h);
}

int cpts_pub_flows_record(cpts_ctx *ctx, cpts_store *s, cpts_pub_flows *f, const char *what)
{
	char when[32];
	int rc = CPTS_OK;

	if (!f || !s)
		return CPTS_OK;
	if (f->pending.n && !cpts_store_readonly(s) && (rc = record_pairs(ctx, s, f, what)) < 0)
		return rc;
	for (size_t i = 0; i < f->recs.n && rc >= 0; i++) {
		pf_rec *r0 = &cpts_vec_at(&f->recs, pf_rec, i);
		cpts_ledger_writer *w = NULL;
		if (!r0->pending)
			continue;
		if (cpts_store_readonly(s)) {
			cpts_warn(ctx, "read-only workspace: the flow totals printed are not recorded"
				  " in its ledger (later publications will not be protected against"
				  " them)");
			return CPTS_OK;
		}
		/* one publication per partition: its pending records */
		cpts_timestamp_utc(when);
		if ((rc = cpts_ledger_begin(ctx, s, &w, r0->partition, what, when)) < 0)
			return rc;
		char *part = cpts_strdup(r0->partition);
		cpts_strmap *done = cpts_strmap_new(64);
		for (size_t j = i; j < f->recs.n && rc >= 0; j++) {
			pf_rec *r = &cpts_vec_at(&f->recs, pf_rec, j);
			if (!r->pending || strcmp(r->partition, part) != 0)
				continue;
			r->pending = false;
			rc = cpts_ledger_add_value(ctx, w, "flux", r->label, r->kind, r->value);
			if (rc >= 0 && !cpts_strmap_get(done, r->label, NULL)) {
				cpts_strmap_put(done, r->label, 1);
				for (size_t k = 0; k < r->codes.n && rc >= 0; k++)
					rc = cpts_ledger_add_member(ctx, w, r->label,
								    cpts_vec_at(&r->codes, char *, k));
			}
		}
		cpts_strmap_free(done);
		free(part);
		rc = cpts_ledger_end(ctx, w, rc >= 0) < 0 && rc >= 0 ? CPTS_EIO : rc;
	}
	return rc;
}
