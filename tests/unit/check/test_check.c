/*
 * test_check.c - the checks of a partition on a hand-made workspace (grid.sql): each
 * problem of the issue (overlap, white zone, enclave, non-contiguous territory, a
 * territory under 10,000 inhabitants, class 5) is found with the right communes; the
 * measures (coverage, tier, LI, MSI, PAC, stages) equal hand computations; a move adds
 * up; suggest proposes the expected moves; the disagreement map is right.
 *
 * The grid, partitions and flows are drawn in the header of grid.sql. Every expected
 * value below was computed by hand from that file; the comment next to each says how.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpts/check.h"
#include "tap.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static cpts_store *make_ws(cpts_ctx *ctx, const char *path)
{
	char sql_path[4096];
	const char *src = getenv("CPTS_SRC");
	cpts_store *s = NULL;
	char *sql;

	snprintf(sql_path, sizeof(sql_path), "%s/tests/unit/check/grid.sql", src ? src : ".");
	sql = slurp(sql_path);
	if (!sql) {
		printf("Bail out! cannot read %s\n", sql_path);
		exit(1);
	}
	unlink(path);
	if (cpts_store_open(ctx, &s, path, CPTS_STORE_CREATE) < 0 ||
	    cpts_store_exec(ctx, s, sql) < 0) {
		printf("Bail out! cannot build the workspace: %s\n", ctx->err.msg);
		exit(1);
	}
	free(sql);
	return s;
}

static long idx(const cpts_check_report *r, const char *code)
{
	return cpts_model_find(r->model, code);
}

static const cpts_check_terr *terr(const cpts_check_report *r, const char *id)
{
	long t = cpts_partition_find(r->part, id);
	return t >= 0 ? &r->terr[t] : NULL;
}

static void test_overall(const cpts_check_report *r)
{
	/* 20 communes, 9 in no territory; total population: sum of the 20 rows = 161,500;
	 * covered = 161,500 - 1,500 (commune 9), 11 counted once although claimed twice */
	is_int(r->n_communes, 20, "20 communes");
	is_int(r->n_covered, 19, "19 communes covered");
	near(r->pop_total, 161500, 1e-12, "total population 161,500");
	near(r->pop_covered, 160000, 1e-12, "covered population 160,000");
	is_int(r->n_uncovered, 1, "one white-zone commune");
	ok(r->n_uncovered == 1 && r->uncovered[0] == (size_t)idx(r, "44009"),
	   "the white zone is 44009");
	is_int(r->n_white_deps, 1, "white zones in one departement");
	is_str(r->white_deps[0].dep, "44", "white zone departement 44");
	near(r->white_deps[0].pop, 1500, 1e-12, "white zone population 1,500");
	is_int(r->n_overlaps, 1, "one commune claimed twice");
	ok(r->n_overlaps == 1 && r->overlaps[0] == (size_t)idx(r, "44011"),
	   "the overlap is 44011");
	/* LI = sum in / sum res over A, B, C, D = (235 + 350 + 45 + 15) / (295 + 360 + 80 +
	 * 25); MSI = 645 / (235 + 450 + 45 + 15) (see the per-territory tests) */
	near(r->li, 645.0 / 760.0, 1e-12, "overall LI 645/760");
	near(r->msi, 645.0 / 745.0, 1e-12, "overall MSI 645/745");
	/* stages: A (ACI) holds 1 2 6 7 11 20 = 51,000; B (projet) 92,000; C (lettre) adds
	 * 12 16 17 = 12,000 (11 is already counted at A's stage); D has no statut */
	ok(r->has_statut, "statut column recognised");
	near(r->stage_pop[CPTS_STAGE_ACI], 51000, 1e-12, "covered at ACI signee: 51,000");
	near(r->stage_pop[CPTS_STAGE_PROJET], 143000, 1e-12, "at projet or later: 143,000");
	near(r->stage_pop[CPTS_STAGE_LETTRE], 155000, 1e-12, "at lettre or later: 155,000");
	is_int(r->n_problem_terr, 4, "all four territories have a problem");
}

static void test_terr_a(const cpts_check_report *r)
{
	const cpts_check_terr *a = terr(r, "A");

	/* 30,000 + 5,000 * 3 + 4,000 + 2,000 = 51,000: tier 2, 29,000 to tier 3 */
	near(a->pop, 51000, 1e-12, "A: 51,000 inhabitants");
	is_int(a->n_communes, 6, "A: 6 communes");
	is_int(a->tier, 2, "A: ACI tier 2");
	near(a->tier_gap, 29000, 1e-12, "A: 29,000 to the next tier");
	is_int(a->toward_tier, 3, "A: next tier 3");
	is_int(a->n_pieces, 2, "A: two pieces (20 is apart)");
	ok(a->n_cut == 1 && a->cut[0] == (size_t)idx(r, "44020"), "A: 44020 is cut off");
	ok(a->n_overlap == 1 && a->overlap[0] == (size_t)idx(r, "44011"), "A: 44011 overlaps");
	/* res = 100 + 50 + 40 + 50 + 20 + 35 = 295; in = 100 + 50 + 40 + 30 + 10 + 5 = 235;
	 * into = column of 44001 = 235 */
	near(a->li, 235.0 / 295.0, 1e-12, "A: LI 235/295");
	near(a->msi, 1.0, 1e-12, "A: MSI 1");
	/* class 5: 44020 sends 30 of 35 to B (44015), 5 to A */
	ok(a->n_class5 == 1 && a->class5[0].commune == (size_t)idx(r, "44020"),
	   "A: 44020 is of class 5");
	if (a->n_class5 == 1) {
		is_str(r->part->terr[a->class5[0].to], "B", "A: 44020 drawn by B");
		near(a->class5[0].to_share, 30.0 / 35.0, 1e-12, "A: 44020 sends 30/35 to B");
		near(a->class5[0].own_share, 5.0 / 35.0, 1e-12, "A: 44020 keeps 5/35");
	}
	is_int(a->problems, CPTS_CHECK_OVERLAP | CPTS_CHECK_NONCONTIGUOUS | CPTS_CHECK_MULTIPOLAR,
	       "A: overlap, non-contiguous, multipolar");
	is_str(a->statut, "ACI signée", "A: statut");
	is_int(a->stage, CPTS_STAGE_ACI, "A: stage ACI");
}

static void test_terr_bcd(const cpts_check_report *r)
{
	const cpts_check_terr *b = terr(r, "B"), *c = terr(r, "C"), *d = terr(r, "D");

	/* B: 50,000 + 7 * 6,000 = 92,000, tier 3 */
	near(b->pop, 92000, 1e-12, "B: 92,000 inhabitants");
	is_int(b->tier, 3, "B: ACI tier 3");
	is_int(b->n_pieces, 1, "B: one piece (a ring)");
	ok(b->n_encloses == 1 && b->encloses[0] == (size_t)idx(r, "44009"),
	   "B: encloses 44009");
	/* res = 200 + 50 + 50 (40 + 10 outside) + 60 = 360, in = 350; into = column 3 (420)
	 * + column 15 (30) = 450 */
	near(b->li, 350.0 / 360.0, 1e-12, "B: LI 350/360");
	near(b->msi, 350.0 / 450.0, 1e-12, "B: MSI 350/450");
	/* PAC: 8 unit squares, 8 inner rook borders: 32 - 2 * 8 = 16 km over 3.54 sqrt(8) */
	near(b->pac, 16.0 / (3.54 * sqrt(8.0)), 1e-12, "B: PAC of the ring");
	is_int(b->problems, CPTS_CHECK_ENCLAVE, "B: only the enclave");
	/* C: 4 * 4,000 = 16,000; res 20 + 20 + 10 + 30 = 80; in 10 + 20 + 10 + 5 = 45 */
	near(c->pop, 16000, 1e-12, "C: 16,000 inhabitants");
	near(c->li, 45.0 / 80.0, 1e-12, "C: LI 45/80");
	ok(c->n_overlap == 1 && c->overlap[0] == (size_t)idx(r, "44011"), "C: 44011 overlaps");
	ok(c->n_class5 == 1 && c->class5[0].commune == (size_t)idx(r, "44017"),
	   "C: 44017 of class 5 (25 of 30 to B)");
	/* D: 2,000 + 3,000 = 5,000 < 10,000 */
	near(d->pop, 5000, 1e-12, "D: 5,000 inhabitants");
	ok(d->problems & CPTS_CHECK_SMALL, "D: too small");
	ok(!(c->problems & CPTS_CHECK_SMALL), "C (16,000) is not too small");
	near(d->li, 15.0 / 25.0, 1e-12, "D: LI 15/25");
	/* PAC of two unit squares side by side: (8 - 2) / (3.54 sqrt 2) */
	near(d->pac, 6.0 / (3.54 * sqrt(2.0)), 1e-12, "D: PAC");
	ok(d->n_class5 == 1 && d->class5[0].commune == (size_t)idx(r, "44019"),
	   "D: 44019 of class 5 (10 of 15 to B)");
	is_int(d->stage, CPTS_STAGE_UNKNOWN, "D: no statut");
	/* comparison with 'basins' (found automatically, kind basins): A's best match is X
	 * (45,000 of its whole communes), and 44020 lies in Y: one disagreement */
	is_int(r->n_cmp, 1, "compared with one partition");
	if (r->n_cmp == 1) {
		is_str(r->cmp[0].name, "basins", "compared with 'basins'");
		is_int(r->cmp[0].n_disagree, 1, "one commune off its best-matching basin");
	}
}

static void test_disagreement(cpts_ctx *ctx, cpts_store *s, const cpts_check_report *r)
{
	cpts_partition *b = NULL;
	unsigned char out[20];
	size_t n;

	if (cpts_partition_load(ctx, &b, s, r->model, "basins") < 0) {
		ok(0, "load basins: %s", ctx->err.msg);
		return;
	}
	n = cpts_check_disagreement(out, r->model, r->part, b);
	is_int(n, 1, "disagreement: one commune");
	is_int(out[idx(r, "44020")], 1, "disagreement: 44020 (A, but in Y)");
	is_int(out[idx(r, "44001")], 0, "disagreement: 44001 agrees");
	is_int(out[idx(r, "44009")], 2, "disagreement: 44009 is in no territory");
	is_int(out[idx(r, "44011")], 2, "disagreement: 44011 is claimed twice");
	cpts_partition_free(b);
}

/* Move 44020 from A to B: populations and flows must add up. */
static void test_move(cpts_ctx *ctx, cpts_store *s, const cpts_check_report *before)
{
	const char *codes[] = { "44020" };
	cpts_check_opts o = CPTS_CHECK_OPTS_INIT;
	cpts_check_report *after = NULL;
	const cpts_check_terr *a0, *b0, *a1, *b1;
	int rc;

	o.no_compare = true;
	rc = cpts_check_move(ctx, s, "proposal", "proposal-move", codes, 1, "B", false);
	is_int(rc, CPTS_OK, "move 44020 to B");
	if (rc < 0 || cpts_check_run(ctx, &after, s, "proposal-move", &o) < 0) {
		ok(0, "check after the move: %s", ctx->err.msg);
		return;
	}
	a0 = terr(before, "A");
	b0 = terr(before, "B");
	a1 = terr(after, "A");
	b1 = terr(after, "B");
	near(a1->pop, a0->pop - 2000, 1e-12, "A loses 44020's 2,000 inhabitants");
	near(b1->pop, b0->pop + 2000, 1e-12, "B gains them");
	near(a1->pop + b1->pop, a0->pop + b0->pop, 1e-12, "A + B population unchanged");
	near(a1->flows_res + b1->flows_res, a0->flows_res + b0->flows_res, 1e-12,
	     "A + B residents' flows unchanged (295 + 360)");
	/* inside flows: + 30 (20 -> 15 now inside B) - 5 (20 -> 1 now leaves A) */
	near(a1->flows_in + b1->flows_in, a0->flows_in + b0->flows_in + 25, 1e-12,
	     "A + B inside flows + 25");
	near(a1->li, 230.0 / 260.0, 1e-12, "A after: LI 230/260");
	near(b1->li, 380.0 / 395.0, 1e-12, "B after: LI 380/395");
	is_int(a1->n_pieces, 1, "A after: contiguous");
	is_int(b1->n_pieces, 1, "B after: contiguous");
	ok(!(a1->problems & CPTS_CHECK_NONCONTIGUOUS), "A after: no longer non-contiguous");
	near(after->pop_covered, before->pop_covered, 1e-12, "coverage unchanged");
	is_str(a1->statut, "ACI signée", "statut kept");
	cpts_check_report_free(ctx, after);
	/* errors: unknown commune, same name */
	codes[0] = "99999";
	is_int(cpts_check_move(ctx, s, "proposal", "x", codes, 1, "B", false), CPTS_EUSAGE,
	       "moving an unknown commune is a usage error");
	ok(strstr(ctx->err.msg, "99999") != NULL, "the unknown commune is named");
	cpts_error_clear(ctx);
	codes[0] = "44020";
	is_int(cpts_check_move(ctx, s, "proposal", "proposal", codes, 1, "B", false), CPTS_EUSAGE,
	       "--as equal to the partition is refused");
	cpts_error_clear(ctx);
	/* issue 12 item 3: an existing --as is refused without replace */
	is_int(cpts_check_move(ctx, s, "proposal", "proposal-move", codes, 1, "A", false),
	       CPTS_EUSAGE, "moving onto an existing partition is refused without replace");
	ok(strstr(ctx->err.msg, "exists already") && strstr(ctx->err.msg, "--replace"),
	   "the refusal names --replace");
	cpts_error_clear(ctx);
}

/* Suggestions, by hand (see suggest.c for the formula; sums over whole communes only,
 * so 44011 is left out: in = 225 + 350 + 35 + 15 = 625, res = 275 + 360 + 60 + 25 = 720),
 * ranked by LI gain, then coverage gain, then kind:
 *  1. LI: 44015 B -> A (20 -> 15 becomes inside A): 655/720 (+0.0417)
 *  2. contiguity: 44020 A -> B (its flows: 30 to B, 0 to D): in + 25 -> 650/720 (+0.0347)
 *  3. LI: 44020 A -> B: 650/720 (+0.0347, same gain: contiguity first)
 *  4. LI: 44017 C -> B (25 to B, 5 to C): 645/720 (+0.0278)
 *  5. white zone: 44009 -> B (15 to 44003): in + 15, res + 15 -> 640/735 (+0.0027)
 * D (5,000) is under the floor, so 44018 and 44019 never move. */
static void test_suggest(cpts_ctx *ctx, cpts_store *s, const cpts_check_report *r)
{
	cpts_suggest_opts o = CPTS_SUGGEST_OPTS_INIT;
	cpts_suggestion *v = NULL;
	size_t n = 0;
	static const struct { int kind; const char *code; const char *to; double li; } want[] = {
		{ CPTS_SUGGEST_LI, "44015", "A", 655.0 / 720.0 },
		{ CPTS_SUGGEST_CONTIGUITY, "44020", "B", 650.0 / 720.0 },
		{ CPTS_SUGGEST_LI, "44020", "B", 650.0 / 720.0 },
		{ CPTS_SUGGEST_LI, "44017", "B", 645.0 / 720.0 },
		{ CPTS_SUGGEST_WHITE, "44009", "B", 640.0 / 735.0 },
	};

	if (cpts_check_suggest(ctx, &v, &n, r, s, &o) < 0) {
		ok(0, "suggest: %s", ctx->err.msg);
		return;
	}
	is_int(n, 5, "five suggestions");
	for (size_t k = 0; k < n && k < 5; k++) {
		is_int(v[k].kind, want[k].kind, "suggestion %zu: kind", k + 1);
		ok(v[k].n_communes == 1 && v[k].communes[0] == (size_t)idx(r, want[k].code),
		   "suggestion %zu: moves %s", k + 1, want[k].code);
		is_str(r->part->terr[v[k].to], want[k].to, "suggestion %zu: to %s", k + 1, want[k].to);
		near(v[k].li_before, 625.0 / 720.0, 1e-12, "suggestion %zu: LI before", k + 1);
		near(v[k].li_after, want[k].li, 1e-12, "suggestion %zu: LI after", k + 1);
	}
	cpts_suggestions_free(v, n);
	o.limit = 2;
	if (cpts_check_suggest(ctx, &v, &n, r, s, &o) == CPTS_OK)
		is_int(n, 2, "--limit 2 keeps two");
	cpts_suggestions_free(v, n);
	/* --max-pop: B has 92,000 inhabitants; at 93,000 no commune of 1,500 or more may
	 * join it: only the move into A is left (A 51,000 + 44015) */
	o.limit = 20;
	o.max_pop = 93000;
	if (cpts_check_suggest(ctx, &v, &n, r, s, &o) == CPTS_OK) {
		bool under = true;
		for (size_t k = 0; k < n; k++)
			under &= r->terr[v[k].to].pop + v[k].pop <= 93000;
		ok(under, "--max-pop: no receiving territory above 93,000");
		ok(n >= 1 && v[0].communes[0] == (size_t)idx(r, "44015"), "--max-pop: 44015 to A"
		   " still first");
		ok(n < 5, "--max-pop: moves into B left out (%zu left)", n);
	}
	cpts_suggestions_free(v, n);
}

int main(void)
{
	char path[] = "/tmp/cpts-check-XXXXXX";
	char ws[4200];
	cpts_ctx ctx;
	cpts_store *s;
	cpts_check_report *r = NULL;
	int fd;

	if (cpts_ctx_init(&ctx) < 0)
		return 1;
	ctx.verbosity = CPTS_LOG_ERROR;
	fd = mkstemp(path);
	if (fd >= 0)
		close(fd);
	snprintf(ws, sizeof(ws), "%s.sqlite", path);
	s = make_ws(&ctx, ws);
	if (cpts_check_run(&ctx, &r, s, "proposal", NULL) < 0) {
		printf("Bail out! check failed: %s\n", ctx.err.msg);
		return 1;
	}
	test_overall(r);
	test_terr_a(r);
	test_terr_bcd(r);
	test_disagreement(&ctx, s, r);
	test_move(&ctx, s, r);
	test_suggest(&ctx, s, r);
	is_int(cpts_check_run(&ctx, &(cpts_check_report *){ NULL }, s, "nope", NULL), CPTS_EUSAGE,
	       "an unknown partition is a usage error");
	cpts_check_report_free(&ctx, r);
	cpts_store_free(s);
	unlink(ws);
	unlink(path);
	cpts_ctx_release(&ctx);
	return done_testing();
}
