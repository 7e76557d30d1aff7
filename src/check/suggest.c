/*
 * suggest.c - `cpts suggest`: border moves that fix a cut-off piece, fill a white zone
 * or raise the overall localisation index, ranked by gain of LI, then of coverage.
 *
 * Why one evaluation for all three: moving a set P of communes from territory A (or a
 * white zone) to B changes only the flows that touch P. With flows by row and by column
 * (env.c) the new overall LI is
 *   in'  = in - [A >= 0] (f(P->A) + f(A\P -> P)) + f(P->B) + f(B->P) + f(P->P)
 *   res' = res + [A < 0] sum of P's residents' flows
 * in O(degree of P). Contiguity of A without P is a breadth-first search over A; B stays
 * contiguous because P is adjacent to it and connected. Only whole communes move;
 * communes split or claimed twice stay where they are (their overlap is reported by
 * check and must be settled first).
 *
 * Floors: a move never takes a territory from at least min_pop to below it, never
 * shrinks a territory already below it for the LI, and never empties one. Ceiling: a
 * move never takes the receiving territory above max_pop (when set).
 *
 * Printing: the LI before and after go through cpts/publish.h at three decimals (as
 * check prints LI); an LI after that moves fewer than T flows is withheld.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_int.h"
#include "cpts/outfile.h"
#include "cpts/publish.h"

typedef struct sug_state {
	const chk_env *e;
	const cpts_check_report *r;
	long *asg;            /* OWNED per commune: territory when whole, -1 none, -2 fixed */
	size_t n_terr;
	double *pop;          /* OWNED per territory, as reported by check (floors) */
	size_t *pieces;       /* OWNED per territory: pieces of its whole members */
	size_t *tstart;       /* OWNED CSR of whole members per territory */
	cpts_member *tmb;     /* OWNED */
	double in, res;       /* overall sums over whole members */
	double *w;            /* OWNED scratch flags */
	unsigned char *in_p;  /* OWNED scratch: commune is in the moved set */
	long *piece;          /* OWNED scratch, -1 */
	size_t *queue;        /* OWNED scratch */
	double min_pop;
	double max_pop;       /* ceiling of the receiving territory (0: none) */
	cpts_vec out;         /* cpts_suggestion */
} sug_state;

static size_t pieces_without(sug_state *S, long a);

static void state_init(sug_state *S, const chk_env *e, const cpts_check_report *r,
		       double min_pop)
{
	size_t n = r->model->n, nt = r->part->n_terr;

	memset(S, 0, sizeof(*S));
	S->e = e;
	S->r = r;
	S->n_terr = nt;
	S->min_pop = min_pop;
	S->asg = cpts_mallocarray(n ? n : 1, sizeof(long));
	S->pop = cpts_calloc(nt + 1, sizeof(double));
	S->pieces = cpts_calloc(nt + 1, sizeof(size_t));
	S->tstart = cpts_calloc(nt + 2, sizeof(size_t));
	S->tmb = cpts_calloc(n ? n : 1, sizeof(cpts_member));
	S->w = cpts_calloc(n ? n : 1, sizeof(double));
	S->in_p = cpts_calloc(n ? n : 1, 1);
	S->piece = cpts_mallocarray(n ? n : 1, sizeof(long));
	S->queue = cpts_mallocarray(n ? n : 1, sizeof(size_t));
	cpts_vec_init(&S->out, sizeof(cpts_suggestion), 1u << 20);
	for (size_t i = 0; i < n; i++) {
		long t = r->part->commune_terr[i];
		S->asg[i] = t;
		S->piece[i] = -1;
		if (t >= 0)
			S->tstart[t + 1]++;
	}
	for (size_t t = 0; t < nt; t++) {
		S->tstart[t + 1] += S->tstart[t];
		S->pop[t] = r->terr[t].pop; /* the population check reports, splits weighted */
	}
	{
		size_t *fill = cpts_calloc(nt + 1, sizeof(size_t));
		for (size_t i = 0; i < n; i++) {
			long t = S->asg[i];
			if (t >= 0) {
				cpts_member *mb = &S->tmb[S->tstart[t] + fill[t]++];
				mb->commune = i;
				mb->territory = (size_t)t;
				mb->weight = 1;
			}
		}
		free(fill);
	}
	for (size_t t = 0; t < nt; t++) {
		cpts_flowsum fs;
		size_t a = S->tstart[t], b = S->tstart[t + 1];
		for (size_t k = a; k < b; k++)
			S->w[S->tmb[k].commune] = 1;
		cpts_measure_flows(e->f, S->tmb + a, b - a, S->w, &fs);
		for (size_t k = a; k < b; k++)
			S->w[S->tmb[k].commune] = 0;
		S->in += fs.in;
		S->res += fs.res;
		S->pieces[t] = pieces_without(S, (long)t);
	}
}

static void state_release(sug_state *S)
{
	free(S->asg);
	free(S->pop);
	free(S->pieces);
	free(S->tstart);
	free(S->tmb);
	free(S->w);
	free(S->in_p);
	free(S->piece);
	free(S->queue);
}

/* Pieces of territory a without the communes flagged in in_p. */
static size_t pieces_without(sug_state *S, long a)
{
	const cpts_member *mb = S->tmb + S->tstart[a];
	size_t n_mb = S->tstart[a + 1] - S->tstart[a], n_p;
	long main_piece;

	for (size_t k = 0; k < n_mb; k++)
		S->w[mb[k].commune] = S->in_p[mb[k].commune] ? 0 : 1;
	/* members in P are skipped by seeding only from w > 0 members: use a filtered list */
	{
		cpts_member *keep = cpts_mallocarray(n_mb ? n_mb : 1, sizeof(cpts_member));
		size_t n_keep = 0;
		for (size_t k = 0; k < n_mb; k++)
			if (!S->in_p[mb[k].commune])
				keep[n_keep++] = mb[k];
		n_p = cpts_measure_pieces(S->e->m, S->e->g, keep, n_keep, S->w, S->piece, S->queue, &main_piece);
		for (size_t k = 0; k < n_keep; k++)
			S->piece[keep[k].commune] = -1;
		free(keep);
	}
	for (size_t k = 0; k < n_mb; k++)
		S->w[mb[k].commune] = 0;
	return n_p;
}

/* Flow sums of moving P (flagged in in_p, listed in p) from a to b. */
static void move_flows(const sug_state *S, const size_t *p, size_t n_p, long a, long b,
		       double *d_in, double *d_res, double *to_b, double *res_p)
{
	const chk_env *e = S->e;
	double pp = 0, pa = 0, pb = 0, ap = 0, bp = 0, rt = 0;

	for (size_t k = 0; k < n_p; k++) {
		size_t i = p[k];
		rt += e->row_total[i];
		if (!e->has_flows)
			continue;
		for (size_t q = e->fstart[i]; q < e->fstart[i + 1]; q++) {
			size_t j = e->fcol[q];
			if (S->in_p[j])
				pp += e->fvol[q];
			else if (a >= 0 && S->asg[j] == a)
				pa += e->fvol[q];
			else if (S->asg[j] == b)
				pb += e->fvol[q];
		}
		for (size_t q = e->tstart[i]; q < e->tstart[i + 1]; q++) {
			size_t j = e->trow[q];
			if (S->in_p[j])
				continue;
			if (a >= 0 && S->asg[j] == a)
				ap += e->tvol[q];
			else if (S->asg[j] == b)
				bp += e->tvol[q];
		}
	}
	*d_in = (a >= 0 ? -(pp + pa + ap) : 0) + pb + bp + pp;
	*d_res = a >= 0 ? 0 : rt;
	*to_b = pb;
	*res_p = rt;
}

/* Evaluate and, when allowed, record the move of P from a to b. */
static bool try_move(sug_state *S, int kind, const size_t *p, size_t n_p, long a, long b)
{
	double pop_p = 0, d_in, d_res, to_b, res_p, li0, li1;
	cpts_suggestion *sg;

	for (size_t k = 0; k < n_p; k++) {
		pop_p += S->r->model->c[p[k]].pop;
		S->in_p[p[k]] = 1;
	}
	if (S->max_pop > 0 && S->pop[b] + pop_p > S->max_pop) {
		for (size_t k = 0; k < n_p; k++)
			S->in_p[p[k]] = 0;
		return false;
	}
	if (a >= 0) {
		double after = S->pop[a] - pop_p;
		size_t before_pieces = S->pieces[a];
		bool ok = S->tstart[a + 1] - S->tstart[a] > n_p;
		if (S->pop[a] >= S->min_pop && after < S->min_pop)
			ok = false;
		if (kind == CPTS_SUGGEST_LI && S->pop[a] < S->min_pop)
			ok = false;
		if (ok) {
			size_t np = pieces_without(S, a);
			if (np > before_pieces - (kind == CPTS_SUGGEST_CONTIGUITY ? 1 : 0))
				ok = false;
		}
		if (!ok) {
			for (size_t k = 0; k < n_p; k++)
				S->in_p[p[k]] = 0;
			return false;
		}
	}
	move_flows(S, p, n_p, a, b, &d_in, &d_res, &to_b, &res_p);
	for (size_t k = 0; k < n_p; k++)
		S->in_p[p[k]] = 0;
	li0 = S->res > 0 ? S->in / S->res : NAN;
	li1 = S->res + d_res > 0 ? (S->in + d_in) / (S->res + d_res) : NAN;
	if (kind == CPTS_SUGGEST_LI && !(li1 > li0 + 1e-12))
		return false;
	sg = cpts_vec_push(&S->out);
	if (!sg)
		return false;
	sg->kind = kind;
	sg->communes = cpts_mallocarray(n_p, sizeof(size_t));
	memcpy(sg->communes, p, n_p * sizeof(size_t));
	sg->n_communes = n_p;
	sg->from = a;
	sg->to = b;
	sg->pop = pop_p;
	sg->li_before = li0;
	sg->li_after = li1;
	sg->in_after = S->in + d_in;
	sg->res_after = S->res + d_res;
	sg->share_to = res_p > 0 ? to_b / res_p : NAN;
	return true;
}

/* The neighbouring territory (other than a) P should join: most flows from P, then
 * longest shared border, then smallest population. -1 when P touches none. */
static long best_neighbour(sug_state *S, const size_t *p, size_t n_p, long a)
{
	const chk_env *e = S->e;
	double *flow = cpts_calloc(S->n_terr + 1, sizeof(double));
	double *border = cpts_calloc(S->n_terr + 1, sizeof(double));
	unsigned char *adj = cpts_calloc(S->n_terr + 1, 1);
	long best = -1;

	for (size_t k = 0; k < n_p; k++) {
		size_t i = p[k];
		for (size_t q = e->gstart[i]; q < e->gstart[i + 1]; q++) {
			long u = S->asg[e->gadj[q]];
			if (u >= 0 && u != a) {
				adj[u] = 1;
				border[u] += e->gshared[q];
			}
		}
		if (e->has_flows)
			for (size_t q = e->fstart[i]; q < e->fstart[i + 1]; q++) {
				long u = S->asg[e->fcol[q]];
				if (u >= 0)
					flow[u] += e->fvol[q];
			}
	}
	for (size_t u = 0; u < S->n_terr; u++) {
		if (!adj[u])
			continue;
		if (best < 0 || flow[u] > flow[best] ||
		    (flow[u] == flow[best] && (border[u] > border[best] ||
					       (border[u] == border[best] && S->pop[u] < S->pop[best]))))
			best = (long)u;
	}
	free(flow);
	free(border);
	free(adj);
	return best;
}

static void suggest_contiguity(sug_state *S)
{
	for (size_t a = 0; a < S->n_terr; a++) {
		const cpts_member *mb = S->tmb + S->tstart[a];
		size_t n_mb = S->tstart[a + 1] - S->tstart[a], n_pc;
		size_t *piece_list = cpts_mallocarray(n_mb ? n_mb : 1, sizeof(size_t));
		long *pc = cpts_mallocarray(n_mb ? n_mb : 1, sizeof(long));
		long main_piece;
		if (S->pieces[a] < 2) {
			free(piece_list);
			free(pc);
			continue;
		}
		for (size_t k = 0; k < n_mb; k++)
			S->w[mb[k].commune] = 1;
		n_pc = cpts_measure_pieces(S->e->m, S->e->g, mb, n_mb, S->w, S->piece, S->queue, &main_piece);
		for (size_t k = 0; k < n_mb; k++) {
			pc[k] = S->piece[mb[k].commune];
			S->piece[mb[k].commune] = -1;
			S->w[mb[k].commune] = 0;
		}
		for (long q = 0; q < (long)n_pc; q++) {
			size_t n_list = 0;
			long b;
			if (q == main_piece)
				continue;
			for (size_t k = 0; k < n_mb; k++)
				if (pc[k] == q)
					piece_list[n_list++] = mb[k].commune;
			b = best_neighbour(S, piece_list, n_list, (long)a);
			if (b >= 0)
				try_move(S, CPTS_SUGGEST_CONTIGUITY, piece_list, n_list, (long)a, b);
		}
		free(piece_list);
		free(pc);
	}
}

static void suggest_white(sug_state *S)
{
	for (size_t i = 0; i < S->r->model->n; i++) {
		long b;
		if (S->asg[i] != -1 || S->r->part->commune_terr[i] != -1)
			continue;
		b = best_neighbour(S, &i, 1, -1);
		if (b >= 0)
			try_move(S, CPTS_SUGGEST_WHITE, &i, 1, -1, b);
	}
}

/* Border communes: try each neighbouring territory, keep the best LI per commune. */
static void suggest_li(sug_state *S)
{
	const chk_env *e = S->e;

	if (!e->has_flows)
		return;
	for (size_t i = 0; i < S->r->model->n; i++) {
		long a = S->asg[i], best_b = -1;
		double best_li = -1;
		if (a < 0)
			continue;
		for (size_t q = e->gstart[i]; q < e->gstart[i + 1]; q++) {
			long b = S->asg[e->gadj[q]];
			bool seen = false;
			if (b < 0 || b == a)
				continue;
			for (size_t q2 = e->gstart[i]; q2 < q && !seen; q2++)
				seen = S->asg[e->gadj[q2]] == b;
			if (seen)
				continue;
			if (try_move(S, CPTS_SUGGEST_LI, &i, 1, a, b)) {
				cpts_suggestion *sg = &cpts_vec_at(&S->out, cpts_suggestion,
								   S->out.n - 1);
				if (sg->li_after > best_li) {
					if (best_b >= 0) {
						/* drop the previous best of this commune */
						cpts_suggestion *prev = &cpts_vec_at(
							&S->out, cpts_suggestion, S->out.n - 2);
						free(prev->communes);
						*prev = *sg;
						S->out.n--;
					}
					best_li = sg->li_after;
					best_b = b;
				} else {
					free(sg->communes);
					S->out.n--;
				}
			}
		}
	}
}

/* Largest LI gain first (a move without flows counts as no gain), then the largest
 * coverage gain (inhabitants of a white zone covered), then the most inhabitants. */
static int cmp_sug(const void *x, const void *y)
{
	const cpts_suggestion *a = x, *b = y;
	double ga = a->li_after - a->li_before, gb = b->li_after - b->li_before;
	double ca = a->from < 0 ? a->pop : 0, cb = b->from < 0 ? b->pop : 0;

	if (isnan(ga))
		ga = 0;
	if (isnan(gb))
		gb = 0;
	if (ga != gb)
		return ga > gb ? -1 : 1;
	if (ca != cb)
		return ca > cb ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->pop != b->pop)
		return a->pop > b->pop ? -1 : 1;
	return a->communes[0] < b->communes[0] ? -1 : a->communes[0] > b->communes[0];
}

int cpts_check_suggest(cpts_ctx *ctx, cpts_suggestion **out, size_t *n_out,
		       const cpts_check_report *r, cpts_store *s, const cpts_suggest_opts *opts)
{
	cpts_suggest_opts def = CPTS_SUGGEST_OPTS_INIT;
	sug_state S;
	chk_env e;
	int rc;

	*out = NULL;
	*n_out = 0;
	if (!opts)
		opts = &def;
	if ((rc = chk_env_load(ctx, &e, s, opts->profession)) < 0)
		goto out;
	if (e.m->n != r->model->n) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "the workspace changed since the check");
		goto out;
	}
	if (!e.has_graph) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "no contiguity graph in workspace '%s': border"
			       " moves need one (run 'cpts graph' first)", cpts_store_path(s));
		goto out;
	}
	state_init(&S, &e, r, opts->min_pop);
	S.max_pop = opts->max_pop;
	suggest_contiguity(&S);
	suggest_white(&S);
	if ((rc = cpts_progress(ctx, 0.6, "evaluating border moves")) == CPTS_OK)
		suggest_li(&S);
	cpts_qsort(S.out.data, S.out.n, sizeof(cpts_suggestion), cmp_sug);
	if (rc == CPTS_OK) {
		size_t keep = S.out.n < opts->limit ? S.out.n : opts->limit;
		for (size_t k = keep; k < S.out.n; k++)
			free(cpts_vec_at(&S.out, cpts_suggestion, k).communes);
		*n_out = keep;
		*out = S.out.data;
		S.out.data = NULL;
		S.out.n = 0;
	}
	for (size_t k = 0; k < S.out.n; k++)
		free(cpts_vec_at(&S.out, cpts_suggestion, k).communes);
	cpts_vec_release(&S.out);
	state_release(&S);
out:
	chk_env_release(ctx, &e);
	return rc;
}

void cpts_suggestions_free(cpts_suggestion *v, size_t n)
{
	if (!v)
		return;
	for (size_t k = 0; k < n; k++)
		free(v[k].communes);
	free(v);
}

/* The `cpts move` command of a suggestion, every argument shell-quoted, so pasting it
 * runs exactly this move whatever the names hold. */
static void move_command(cpts_buf *b, const char *ws, const cpts_check_report *r,
			 const cpts_suggestion *sg)
{
	cpts_buf codes = CPTS_BUF_INIT;

	for (size_t c = 0; c < sg->n_communes; c++)
		cpts_buf_addf(&codes, "%s%s", c ? "," : "", r->model->c[sg->communes[c]].code);
	cpts_buf_addstr(b, "cpts move ");
	cpts_buf_add_shell(b, ws);
	cpts_buf_addstr(b, " --partition ");
	cpts_buf_add_shell(b, r->part->name);
	cpts_buf_addstr(b, " --commune ");
	cpts_buf_add_shell(b, codes.data);
	cpts_buf_addstr(b, " --to ");
	cpts_buf_add_shell(b, r->part->terr[sg->to]);
	cpts_buf_release(&codes);
}

/* The label of the partition after a suggested move, for the ledger: "*" and a hash of
 * the partition's label, the moved communes and the receiving territory. */
static void after_label(char out[24], const char *base, const cpts_check_report *r,
			const cpts_suggestion *sg)
{
	uint64_t h = 1469598103934665603ULL;
	cpts_buf b = CPTS_BUF_INIT;

	cpts_buf_addf(&b, "%s\x1f%s", base, r->part->terr[sg->to]);
	for (size_t c = 0; c < sg->n_communes; c++)
		cpts_buf_addf(&b, "\x1f%s", r->model->c[sg->communes[c]].code);
	for (const unsigned char *c = (const unsigned char *)b.data; *c; c++)
		h = (h ^ *c) * 1099511628211ULL;
	cpts_buf_release(&b);
	snprintf(out, 24, "*%016llx", (unsigned long long)h);
}

/* The disclosed overall LI after a suggested move (cpts/publish.h). The move shifts
 * |LI after - LI before| x (all flows of the covered residents) flows, about: when
 * that is a count from 1 to T-1 the LI after is withheld (with the LI before it would
 * give the moved communes' flows back), as `cpts move` withholds it; withheld too when
 * the LI before is, or when its flow sums differ by 1 to T-1 from sums published
 * earlier over overlapping communes (r->pf: the ledger). A shown one is marked. */
static cpts_pvalue li_after_cell(cpts_ctx *ctx, const cpts_check_report *r,
				 const cpts_suggestion *sg)
{
	cpts_pub p = CPTS_PUB_INIT;
	cpts_pvalue v = cpts_pub_value(sg->li_after), before = chk_overall_li(r, &p, false);
	double res = 0;

	for (size_t t = 0; t < r->n_terr; t++)
		res += isnan(r->terr[t].flows_res) ? 0 : r->terr[t].flows_res;
	if (!isnan(sg->li_before) && !isnan(sg->li_after)) {
		cpts_pvalue moved = cpts_pub_count(&p, fabs(sg->li_after - sg->li_before) * res);
		if (cpts_pub_hidden(&moved) || cpts_pub_hidden(&before)) {
			v.masked = true;
			v.value = NAN;
		}
	}
	if (r->pf && cpts_pub_shown(&v)) {
		/* the communes after: the partition's, and the moved ones (a white zone's) */
		const cpts_partition *pt = r->part;
		const char **codes = cpts_calloc(pt->n_members + sg->n_communes + 1, sizeof(char *));
		size_t n = 0;
		char base[24], label[24];
		for (size_t k = 0; k < pt->n_members; k++)
			codes[n++] = r->model->c[pt->members[k].commune].code;
		cpts_pub_flow_sum_label(base, codes, pt->terr_start, pt->n_terr);
		for (size_t c = 0; c < sg->n_communes; c++)
			codes[n++] = r->model->c[sg->communes[c]].code;
		after_label(label, base, r, sg);
		cpts_pvalue ci = cpts_pub_flow(ctx, r->pf, "flows_in", pt->name, label, codes, n,
					       sg->in_after);
		cpts_pvalue cr = cpts_pub_flow(ctx, r->pf, "flows_res", pt->name, label, codes, n,
					       sg->res_after);
		if (cpts_pub_hidden(&ci) || cpts_pub_hidden(&cr)) {
			v.masked = true;
			v.value = NAN;
		} else {
			cpts_pub_flow_mark(r->pf, "flows_in", pt->name, label, codes, n, sg->in_after);
			cpts_pub_flow_mark(r->pf, "flows_res", pt->name, label, codes, n,
					   sg->res_after);
		}
		free(codes);
	}
	return v;
}

int cpts_check_print_suggestions(cpts_ctx *ctx, const cpts_check_report *r,
				 const cpts_suggestion *v, size_t n, const char *ws, FILE *out,
				 bool json)
{
	cpts_buf cmd = CPTS_BUF_INIT;
	static const char *kinds[] = { "contiguity", "white_zone", "li" };
	const cpts_model *m = r->model;
	cpts_buf b = CPTS_BUF_INIT;
	cpts_pub tp = CPTS_PUB_INIT, jp = CPTS_PUB_INIT;

	jp.json = true;
	if (n && !isnan(v[0].li_before)) { /* every suggestion prints the LI before */
		cpts_pvalue li = chk_overall_li(r, &tp, false), none = cpts_pub_value(NAN);
		chk_mark_li(r, SIZE_MAX, &li, &none);
	}
	if (json) {
		cpts_buf_addstr(&b, "{\"partition\":");
		cpts_buf_add_json(&b, r->part->name);
		cpts_buf_addstr(&b, ",\"suggestions\":[");
	} else
		cpts_buf_addf(&b, "%zu suggested move%s for partition '%s'%s\n", n, n == 1 ? "" : "s",
			      cpts_text(r->part->name), n ? " (best first):" : "");
	for (size_t k = 0; k < n; k++) {
		const cpts_suggestion *sg = &v[k];
		if (json) {
			cpts_buf_addf(&b, "%s{\"kind\":\"%s\",\"communes\":[", k ? "," : "",
				      kinds[sg->kind]);
			for (size_t c = 0; c < sg->n_communes; c++) {
				if (c)
					cpts_buf_addch(&b, ',');
				cpts_buf_add_json(&b, m->c[sg->communes[c]].code);
			}
			cpts_buf_addstr(&b, "],\"from\":");
			if (sg->from >= 0)
				cpts_buf_add_json(&b, r->part->terr[sg->from]);
			else
				cpts_buf_addstr(&b, "null");
			cpts_buf_addstr(&b, ",\"to\":");
			cpts_buf_add_json(&b, r->part->terr[sg->to]);
			cpts_buf_addf(&b, ",\"pop\":%.0f,\"li_before\":", sg->pop);
			cpts_pvalue before = chk_overall_li(r, &jp, false);
			cpts_pvalue after = li_after_cell(ctx, r, sg);
			cpts_pub_num(&b, &jp, &before, 3);
			cpts_buf_addstr(&b, ",\"li_after\":");
			cpts_pub_num(&b, &jp, &after, 3);
			cpts_buf_reset(&cmd);
			move_command(&cmd, ws, r, sg);
			cpts_buf_addstr(&b, ",\"command\":");
			cpts_buf_add_json(&b, cmd.data);
			cpts_buf_addch(&b, '}');
			continue;
		}
		cpts_buf_addf(&b, "%3zu. %-10s ", k + 1, kinds[sg->kind]);
		for (size_t c = 0; c < sg->n_communes; c++)
			cpts_buf_addf(&b, "%s%s %s", c ? ", " : "",
				      cpts_text(m->c[sg->communes[c]].code),
				      cpts_text(m->c[sg->communes[c]].name));
		cpts_buf_addf(&b, " (%.0f inhabitants) from %s%s%s to '%s'", sg->pop,
			      sg->from >= 0 ? "'" : "",
			      sg->from >= 0 ? cpts_text(r->part->terr[sg->from]) : "the white zone",
			      sg->from >= 0 ? "'" : "", cpts_text(r->part->terr[sg->to]));
		if (!isnan(sg->li_before)) {
			cpts_pvalue after = li_after_cell(ctx, r, sg);
			cpts_pvalue before = chk_overall_li(r, &tp, false);
			cpts_buf_addstr(&b, "; LI ");
			cpts_pub_num(&b, &tp, &before, 3);
			cpts_buf_addstr(&b, " -> ");
			cpts_pub_num(&b, &tp, &after, 3);
		}
		cpts_buf_reset(&cmd);
		move_command(&cmd, ws, r, sg);
		cpts_buf_addstr(&b, "\n     ");
		cpts_buf_add(&b, cmd.data, cmd.len);
		cpts_buf_addch(&b, '\n');
	}
	if (json)
		cpts_buf_addstr(&b, "]}\n");
	cpts_buf_release(&cmd);
	return chk_write(ctx, &b, out);
}
