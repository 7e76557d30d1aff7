/*
 * optimise.c - the optimiser of self-containment (method 'optimise'): maximise the
 * overall LI (flows whose residence and practice lie in the same basin, over all the
 * flows of the residents, outside destinations included) by local search on the
 * border communes, under contiguity, floor, ceiling, count and locked territories.
 *
 * Why a local search rather than another clustering: plurality and modularity
 * optimise something else (a pointer forest, a null-model gain), so at CPTS sizes they
 * keep flows outside basins that a single border move would bring in. Starting from
 * their results (brought to the target count) and moving one commune at a time keeps
 * what is good in them and only ever raises the objective.
 *
 * Moves: an unlocked commune j of basin A goes to a basin B that touches it in the
 * contiguity graph (bridges included) when A keeps its floor and stays connected
 * without j, B stays under the ceiling and no locked territory is involved. The gain
 * is the symmetrised flow between j and B minus that between j and A (self loops
 * excluded): O(flow degree of j). Connectivity of A without j: a breadth-first search
 * in A from one neighbour of j that stops as soon as j's other neighbours in A are
 * reached (if they are, A without j is connected, as A was).
 *
 * Search: a work list of communes to evaluate (all at first; after a move, the graph
 * and flow neighbours of the moved commune), until a full pass makes no move. Then
 * simulated annealing on the same moves (a random commune, a random neighbouring
 * basin; a loss accepted with probability exp(gain / T), T cooling geometrically),
 * keeping the best labelling seen, and a last descent; basin-level rounds (merge two,
 * split a third); a large-neighbourhood search (2 or 3 adjacent basins merged and
 * re-partitioned into as many contiguous basins grown within floor and ceiling, the
 * best of 6 seed sets applied, a descent, kept when the objective rose); then an
 * iterated local search (ILS): a kick pushes the communes
 * around a random commune into random neighbouring basins (every move feasible:
 * floor, ceiling, locks, connectivity), a descent around them follows, and the kick is
 * kept only when the objective rose (undone from the move log otherwise). Every descent
 * after the annealing also tries ejection chains (chain_move: a commune enters a full
 * basin, a commune of that basin near it leaves for a third basin or swaps; kept when the
 * two moves together gain). Half the basin rounds carve a floor-sized basin (grown from
 * a random member by its flows) out of the third basin instead of halving it. After
 * the starts, on the calling thread and below 5,000 communes, recombination
 * (recombine): each start is refined on its overlay with the best one (cells: communes
 * in the same basin in both), whole cells moving by the same search, then a descent and
 * kicks on the communes; the best after it is the result. Every start has its own
 * generator seeded from (seed, start index), starts run on worker threads, and the best is
 * chosen by objective, then by lowest start index: the result does not depend on the
 * number of threads nor on their timing.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basins/basins_int.h"

#define GAIN_EPS 1e-9
#define CHAIN_CAND 4 /* full basins tried per ejection chain */

void (*cpts_basins__move_hook)(const long *lab, size_t n, void *arg);
void *cpts_basins__move_hook_arg;
bool cpts_basins__chains = true;
bool cpts_basins__carve = true;
bool cpts_basins__recombine = true;

/** State of one start (private to its thread). */
typedef struct olocal {
	const cpts_bwork *w;  /* BORROWED: model, graph, symmetrised flows, locks, opts */
	long *lab;            /* OWNED, per commune */
	size_t nb;            /* label bound */
	double *pop;          /* OWNED, per basin */
	size_t *cnt;          /* OWNED, per basin: communes */
	bool *lockb;          /* OWNED, per basin: a locked territory */
	double internal;      /* flows kept inside basins (objective numerator) */
	uint64_t rng;         /* this start's generator */
	double *acc;          /* OWNED, per basin accumulator (kept at 0 between uses) */
	long *touched;        /* OWNED, basins with acc set */
	unsigned *cand;       /* OWNED, per basin: stamp of candidate marking */
	unsigned cstamp;
	size_t *stack;        /* OWNED, BFS stack */
	unsigned *mark;       /* OWNED, per commune BFS stamps */
	unsigned stamp;
	size_t *queue;        /* OWNED, ring of n + 1 communes to evaluate */
	size_t qh, qn;
	bool *inq;            /* OWNED, per commune: in the queue */
	long moves;           /* moves made and kept */
	/* basin-level moves (merge two, split a third) */
	size_t *ulog;         /* OWNED, undo log: commune moved */
	long *ulog_from;      /* OWNED, undo log: its basin before */
	size_t ulog_n, ulog_cap;
	bool logging;         /* record moves in the undo log */
	size_t *memb;         /* OWNED, members of a basin being split */
	long *part;           /* OWNED, per commune: side of the split (-1 none) */
	double *aff0, *aff1;  /* OWNED, per commune: flows to side 0 / 1 while growing */
	long rounds;          /* basin-level rounds tried, and kept */
	long rounds_kept;
	long kicks_kept;      /* iterated-local-search kicks kept */
	/* large-neighbourhood search (re-partition 2 or 3 adjacent basins) */
	double *aff2;         /* OWNED, per commune: flows to part 2 while growing */
	unsigned *uin;        /* OWNED, per commune: stamp of the union being re-cut */
	unsigned ustamp;
	size_t *rep;          /* OWNED, per basin: a commune of it next to the union */
	int *bpart;           /* OWNED, per commune: bit mask of the parts next to it */
	size_t *unas;         /* OWNED, unassigned members while growing */
	long *bestpart;       /* OWNED, per union position: best re-cut found */
	long lns, lns_kept;   /* re-cuts tried and kept */
	bool chains;          /* descents also try ejection chains (chain_move) */
	bool coarse;          /* a recombination's cells (coarse_build): no move hook */
	long ch_b[CHAIN_CAND];         /* chain candidates of the last best_move: basins, gains */
	double ch_g[CHAIN_CAND];
	int ch_n;
	long chains_kept;     /* ejection chains made */
	/* cooperative interruption (Ctrl-C, SIGTERM, the progress callback) */
	atomic_int *stop;     /* BORROWED, shared by every start: set when interrupted */
	bool reporter;        /* this start runs on the calling thread: it reports progress */
	long work;            /* work units since the last check */
} olocal;

/*
 * Is the run interrupted? Checked every 4,096 units of work (a proposal, a commune
 * evaluated; a basin round counts 64): the calling thread goes through cpts_progress
 * (the interrupt flag, the test hook CPTS_TEST_INTERRUPT_AFTER and the progress
 * display), worker threads only read the flag; either sets the shared stop, that every
 * start reads at once. A stopped start returns without finishing; its result is
 * discarded.
 */
static bool ostop(olocal *o, long units)
{
	if (!o->stop)
		return false;
	o->work += units;
	if (o->work >= 4096) {
		o->work = 0;
		if (o->reporter ? cpts_progress(o->w->ctx, -1, "optimise") < 0
				: cpts_interrupted(o->w->ctx))
			atomic_store(o->stop, 1);
	}
	return atomic_load_explicit(o->stop, memory_order_relaxed) != 0;
}

/* The move hook (tests) sees the communes' labels, never a recombination's cells. */
static void ohook(const olocal *o)
{
	if (cpts_basins__move_hook && !o->coarse)
		cpts_basins__move_hook(o->lab, o->w->m->n, cpts_basins__move_hook_arg);
}

static uint64_t orand(olocal *o)
{
	o->rng ^= o->rng >> 12;
	o->rng ^= o->rng << 25;
	o->rng ^= o->rng >> 27;
	return o->rng * 0x2545F4914F6CDD1DULL;
}

static void olocal_init(olocal *o, const cpts_bwork *w, const long *start, uint64_t seed)
{
	size_t n = w->m->n, nb = 0;
	const cpts_flows *f = w->f;

	memset(o, 0, sizeof(*o));
	o->w = w;
	o->lab = cpts_mallocarray(n + 1, sizeof(long));
	memcpy(o->lab, start, n * sizeof(long));
	for (size_t i = 0; i < n; i++)
		if (start[i] >= 0 && (size_t)start[i] + 1 > nb)
			nb = (size_t)start[i] + 1;
	o->nb = nb;
	o->pop = cpts_calloc(nb + 1, sizeof(double));
	o->cnt = cpts_calloc(nb + 1, sizeof(size_t));
	o->lockb = cpts_calloc(nb + 1, sizeof(bool));
	o->acc = cpts_calloc(nb + 1, sizeof(double));
	o->touched = cpts_mallocarray(nb + 1, sizeof(long));
	o->cand = cpts_calloc(nb + 1, sizeof(unsigned));
	o->stack = cpts_mallocarray(n + 1, sizeof(size_t));
	o->mark = cpts_calloc(n + 1, sizeof(unsigned));
	o->queue = cpts_mallocarray(n + 1, sizeof(size_t));
	o->inq = cpts_calloc(n + 1, sizeof(bool));
	o->ulog_cap = 1024;
	o->ulog = cpts_mallocarray(o->ulog_cap, sizeof(size_t));
	o->ulog_from = cpts_mallocarray(o->ulog_cap, sizeof(long));
	o->memb = cpts_mallocarray(n + 1, sizeof(size_t));
	o->part = cpts_mallocarray(n + 1, sizeof(long));
	for (size_t i = 0; i < n; i++)
		o->part[i] = -1;
	o->aff0 = cpts_calloc(n + 1, sizeof(double));
	o->aff1 = cpts_calloc(n + 1, sizeof(double));
	o->aff2 = cpts_calloc(n + 1, sizeof(double));
	o->uin = cpts_calloc(n + 1, sizeof(unsigned));
	o->rep = cpts_calloc(nb + 1, sizeof(size_t));
	o->bpart = cpts_calloc(n + 1, sizeof(int));
	o->unas = cpts_mallocarray(n + 1, sizeof(size_t));
	o->bestpart = cpts_mallocarray(n + 1, sizeof(long));
	o->rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
	for (size_t i = 0; i < n; i++) {
		long b = o->lab[i];
		if (b < 0)
			continue;
		o->pop[b] += w->m->c[i].pop;
		o->cnt[b]++;
		if (w->locked[i])
			o->lockb[b] = true;
		for (size_t e = f->start[i]; e < f->start[i + 1]; e++)
			if (o->lab[f->col[e]] == b)
				o->internal += f->vol[e];
	}
}

static void olocal_release(olocal *o)
{
	free(o->lab);
	free(o->pop);
	free(o->cnt);
	free(o->lockb);
	free(o->acc);
	free(o->touched);
	free(o->cand);
	free(o->stack);
	free(o->mark);
	free(o->queue);
	free(o->inq);
	free(o->ulog);
	free(o->ulog_from);
	free(o->memb);
	free(o->part);
	free(o->aff0);
	free(o->aff1);
	free(o->aff2);
	free(o->uin);
	free(o->rep);
	free(o->bpart);
	free(o->unas);
	free(o->bestpart);
}

static void push(olocal *o, size_t j)
{
	size_t n = o->w->m->n;

	if (o->inq[j] || o->w->locked[j] || o->lab[j] < 0)
		return;
	o->inq[j] = true;
	o->queue[(o->qh + o->qn) % (n + 1)] = j;
	o->qn++;
}

static size_t pop_queue(olocal *o)
{
	size_t n = o->w->m->n, j = o->queue[o->qh];

	o->qh = (o->qh + 1) % (n + 1);
	o->qn--;
	o->inq[j] = false;
	return j;
}

/* Is basin a still connected without commune j? */
static bool stays_connected(olocal *o, size_t j)
{
	const cpts_graph *g = o->w->g;
	long a = o->lab[j];
	size_t need = 0, found = 0, top = 0, first = SIZE_MAX;

	for (size_t e = g->start[j]; e < g->start[j + 1]; e++) {
		size_t v = g->adj[e];
		if (o->lab[v] == a && v != j) {
			if (first == SIZE_MAX)
				first = v;
			need++;
		}
	}
	if (need <= 1)
		return need == 1 || o->cnt[a] == 1;
	++o->stamp;
	/* the neighbours of j in a are marked with stamp + 1 to count them when reached */
	++o->stamp;
	for (size_t e = g->start[j]; e < g->start[j + 1]; e++) {
		size_t v = g->adj[e];
		if (o->lab[v] == a && v != j)
			o->mark[v] = o->stamp - 1;
	}
	o->mark[j] = o->stamp;
	o->mark[first] = o->stamp;
	found = 1;
	o->stack[top++] = first;
	while (top && found < need) {
		size_t u = o->stack[--top];
		for (size_t e = g->start[u]; e < g->start[u + 1] && found < need; e++) {
			size_t v = g->adj[e];
			if (o->mark[v] == o->stamp || o->lab[v] != a)
				continue;
			if (o->mark[v] == o->stamp - 1)
				found++;
			o->mark[v] = o->stamp;
			o->stack[top++] = v;
		}
	}
	return found >= need;
}

/* Flows between j and each basin around it into o->acc (self loop excluded). */
static void gather(olocal *o, size_t j, size_t *n_t)
{
	const cpts_symflows *sy = &o->w->sym;

	*n_t = 0;
	for (size_t e = sy->start[j]; e < sy->start[j + 1]; e++) {
		size_t v = sy->adj[e];
		long b = o->lab[v];
		if (v == j || b < 0)
			continue;
		if (o->acc[b] == 0)
			o->touched[(*n_t)++] = b;
		o->acc[b] += sy->w[e];
	}
}

static void clear_acc(olocal *o, size_t n_t)
{
	for (size_t t = 0; t < n_t; t++)
		o->acc[o->touched[t]] = 0;
}

static bool may_leave(const olocal *o, size_t j)
{
	const cpts_bwork *w = o->w;
	long a = o->lab[j];
	double pj = w->m->c[j].pop;

	if (w->locked[j] || a < 0 || o->lockb[a] || o->cnt[a] < 2)
		return false;
	return !(w->opts->min_pop > 0) || o->pop[a] - pj >= w->opts->min_pop;
}

static bool may_enter(const olocal *o, size_t j, long b)
{
	const cpts_bwork *w = o->w;

	if (b < 0 || o->lockb[b])
		return false;
	return !(w->opts->max_pop > 0) || o->pop[b] + w->m->c[j].pop <= w->opts->max_pop;
}

/* j into basin b: labels, populations and counts (logged for an undo when asked). */
static void relabel(olocal *o, size_t j, long b)
{
	long a = o->lab[j];
	double pj = o->w->m->c[j].pop;

	if (o->logging) {
		if (o->ulog_n == o->ulog_cap) {
			o->ulog_cap *= 2;
			o->ulog = cpts_reallocarray(o->ulog, o->ulog_cap, sizeof(size_t));
			o->ulog_from = cpts_reallocarray(o->ulog_from, o->ulog_cap, sizeof(long));
		}
		o->ulog[o->ulog_n] = j;
		o->ulog_from[o->ulog_n++] = a;
	}
	o->lab[j] = b;
	o->pop[a] -= pj;
	o->cnt[a]--;
	o->pop[b] += pj;
	o->cnt[b]++;
}

static void apply_move(olocal *o, size_t j, long b, double gain)
{
	relabel(o, j, b);
	o->internal += gain;
	o->moves++;
	ohook(o);
}

/* Neighbours of a moved commune may now have a better move. */
static void push_around(olocal *o, size_t j)
{
	const cpts_graph *g = o->w->g;
	const cpts_symflows *sy = &o->w->sym;

	for (size_t e = g->start[j]; e < g->start[j + 1]; e++)
		push(o, g->adj[e]);
	for (size_t e = sy->start[j]; e < sy->start[j + 1]; e++)
		push(o, sy->adj[e]);
}

/*
 * A basin b that j would rather join (gain above 0) but that the ceiling keeps full:
 * kept for an ejection chain (chain_move) among the CHAIN_CAND best by gain (ties:
 * lower basin id).
 */
static void chain_candidate(olocal *o, long b, double gain)
{
	int p = o->ch_n < CHAIN_CAND ? o->ch_n++ : CHAIN_CAND;

	while (p > 0 && (gain > o->ch_g[p - 1] || (gain == o->ch_g[p - 1] && b < o->ch_b[p - 1]))) {
		if (p < CHAIN_CAND) {
			o->ch_g[p] = o->ch_g[p - 1];
			o->ch_b[p] = o->ch_b[p - 1];
		}
		p--;
	}
	if (p < CHAIN_CAND) {
		o->ch_g[p] = gain;
		o->ch_b[p] = b;
	}
}

/*
 * The best move of j (largest gain, then lowest basin id) if it gains; forced: the
 * best feasible move whatever its gain, to basin only when only >= 0. Returns the
 * basin or -1.
 */
static long best_move(olocal *o, size_t j, bool forced, long only, double *gain_out)
{
	const cpts_graph *g = o->w->g;
	long a = o->lab[j], best = -1;
	double best_gain = -INFINITY;
	size_t n_t;
	bool border = false;

	o->ch_n = 0;
	if (!may_leave(o, j))
		return -1;
	for (size_t e = g->start[j]; e < g->start[j + 1] && !border; e++)
		border = o->lab[g->adj[e]] != a;
	if (!border)
		return -1;
	gather(o, j, &n_t);
	++o->cstamp;
	for (size_t e = g->start[j]; e < g->start[j + 1]; e++) {
		long b = o->lab[g->adj[e]];
		double gain;
		if (b == a || b < 0 || o->cand[b] == o->cstamp || (only >= 0 && b != only))
			continue;
		o->cand[b] = o->cstamp;
		gain = o->acc[b] - o->acc[a];
		if (!may_enter(o, j, b)) {
			if (o->chains && !o->lockb[b] && gain > GAIN_EPS)
				chain_candidate(o, b, gain);
			continue;
		}
		if (gain > best_gain || (gain == best_gain && b < best)) {
			best = b;
			best_gain = gain;
		}
	}
	clear_acc(o, n_t);
	if (best < 0 || (!forced && !(best_gain > GAIN_EPS)))
		return -1;
	if (!stays_connected(o, j)) {
		o->ch_n = 0;
		return -1;
	}
	*gain_out = best_gain;
	return best;
}

static bool chain_move(olocal *o, size_t j);

/* Work-list descent until the queue is empty (with ejection chains once o->chains). */
static void descend(olocal *o)
{
	while (o->qn && !ostop(o, 1)) {
		size_t j = pop_queue(o);
		double gain;
		long b = best_move(o, j, false, -1, &gain);
		if (b < 0) {
			if (o->chains)
				chain_move(o, j);
			continue;
		}
		apply_move(o, j, b, gain);
		push_around(o, j);
	}
}

/* Descent to a local optimum: full passes (in a random order) until one moves nothing. */
static void local_search(olocal *o)
{
	size_t n = o->w->m->n;
	size_t *perm = cpts_mallocarray(n + 1, sizeof(size_t));

	for (int pass = 0; pass < 100; pass++) {
		long before = o->moves;
		for (size_t i = 0; i < n; i++)
			perm[i] = i;
		for (size_t i = n; i > 1; i--) {
			size_t k = (size_t)(orand(o) % i), t = perm[i - 1];
			perm[i - 1] = perm[k];
			perm[k] = t;
		}
		for (size_t i = 0; i < n; i++)
			push(o, perm[i]);
		descend(o);
		if (o->moves == before || ostop(o, 0))
			break;
	}
	free(perm);
}

/* Flows between j and basins a and b (self loop excluded). */
static void flows_ab(const olocal *o, size_t j, long a, long b, double *fa, double *fb)
{
	const cpts_symflows *sy = &o->w->sym;

	*fa = *fb = 0;
	for (size_t e = sy->start[j]; e < sy->start[j + 1]; e++) {
		long c = o->lab[sy->adj[e]];
		if (sy->adj[e] == j)
			continue;
		if (c == a)
			*fa += sy->w[e];
		else if (c == b)
			*fb += sy->w[e];
	}
}

static bool accept(olocal *o, double gain, double temp)
{
	return gain >= 0 || (double)(orand(o) >> 11) * 0x1.0p-53 < exp(gain / temp);
}

/*
 * The second half of a chain: j has just entered b, which is now above the ceiling;
 * the best move of a commune k of b near j (breadth-first in b from j, at most 32
 * communes) out of b into another adjacent basin that brings b back under the
 * ceiling. Returns k (its basin in *c_out, gain in *gain_out) or SIZE_MAX.
 */
static size_t chain_out(olocal *o, size_t j, long b, long *c_out, double *gain_out)
{
	const cpts_graph *g = o->w->g;
	double excess = o->pop[b] - o->w->opts->max_pop, best_gain = -INFINITY;
	size_t top = 0, seen = 0, best = SIZE_MAX;

	++o->stamp;
	o->mark[j] = o->stamp;
	o->stack[top++] = j;
	while (top && seen < 32) {
		size_t k = o->stack[--top];
		seen++;
		for (size_t e = g->start[k]; e < g->start[k + 1]; e++) {
			size_t v = g->adj[e];
			long c = o->lab[v];
			double fb, fc;
			if (c == b) {
				if (o->mark[v] != o->stamp) {
					o->mark[v] = o->stamp;
					o->stack[top++] = v;
				}
				continue;
			}
			if (k == j || o->w->m->c[k].pop < excess || !may_leave(o, k) ||
			    !may_enter(o, k, c))
				continue;
			flows_ab(o, k, b, c, &fb, &fc);
			if (fc - fb > best_gain) {
				best_gain = fc - fb;
				best = k;
				*c_out = c;
			}
		}
	}
	*gain_out = best_gain;
	return best;
}

/*
 * One annealing proposal: a random commune j, a random neighbour in another basin b;
 * the move is accepted when it gains, or with probability exp(gain / temp). When b
 * would go above the ceiling, the proposal is a chain: j enters b and a commune of b
 * near j leaves it for another neighbour (a swap when that is j's basin). Returns true
 * when something moved.
 */
static bool propose(olocal *o, double temp)
{
	const cpts_graph *g = o->w->g;
	size_t n = o->w->m->n, j = (size_t)(orand(o) % n), deg, v, k;
	long a = o->lab[j], b, c = -1;
	double fa, fb, gain, gain2;
	bool chain;

	deg = g->start[j + 1] - g->start[j];
	if (!deg || !may_leave(o, j))
		return false;
	v = g->adj[g->start[j] + (size_t)(orand(o) % deg)];
	b = o->lab[v];
	if (b == a || o->w->locked[v] || b < 0 || o->lockb[b])
		return false;
	chain = !may_enter(o, j, b);
	flows_ab(o, j, a, b, &fa, &fb);
	gain = fb - fa;
	if (!chain) {
		if (!accept(o, gain, temp) || !stays_connected(o, j))
			return false;
		apply_move(o, j, b, gain);
		return true;
	}
	if (!stays_connected(o, j))
		return false;
	apply_move(o, j, b, gain);
	k = chain_out(o, j, b, &c, &gain2);
	if (k != SIZE_MAX && accept(o, gain + gain2, temp) && stays_connected(o, k)) {
		apply_move(o, k, c, gain2);
		return true;
	}
	apply_move(o, j, a, -gain); /* undo: every step stayed connected */
	o->moves -= 2;
	return false;
}

/*
 * An ejection chain from j, for the descents, after best_move found no plain move: the
 * full basins b that j would rather join (chain_candidate, by gain) are tried in turn;
 * j enters b and the best move of a commune k of b near j out of b (chain_out: into a
 * third basin c, or into j's own, a swap) brings b back under the ceiling; kept when the
 * two moves together gain, undone otherwise. The move hook sees the chain once,
 * complete (b above the ceiling in between is never visible). Returns true when it
 * moved.
 */
static bool chain_move(olocal *o, size_t j)
{
	long a = o->lab[j];
	int nc = o->ch_n;

	o->ch_n = 0;
	if (!nc || !stays_connected(o, j))
		return false;
	for (int t = 0; t < nc; t++) {
		long b = o->ch_b[t], c = -1;
		double gain2;
		size_t k;
		relabel(o, j, b);
		k = chain_out(o, j, b, &c, &gain2);
		if (k != SIZE_MAX && o->ch_g[t] + gain2 > GAIN_EPS && stays_connected(o, k)) {
			relabel(o, k, c);
			o->internal += o->ch_g[t] + gain2;
			o->moves += 2;
			o->chains_kept++;
			ohook(o);
			push_around(o, j);
			push_around(o, k);
			return true;
		}
		relabel(o, j, a);
	}
	return false;
}

/* Labels and objective of o replaced by lab (a copy), per-basin sums rebuilt. */
static void reset_to(olocal *o, const long *lab)
{
	const cpts_bwork *w = o->w;
	const cpts_flows *f = w->f;
	size_t n = w->m->n;

	memcpy(o->lab, lab, n * sizeof(long));
	memset(o->pop, 0, (o->nb + 1) * sizeof(double));
	memset(o->cnt, 0, (o->nb + 1) * sizeof(size_t));
	o->internal = 0;
	for (size_t i = 0; i < n; i++) {
		long c = o->lab[i];
		if (c < 0)
			continue;
		o->pop[c] += w->m->c[i].pop;
		o->cnt[c]++;
		for (size_t e = f->start[i]; e < f->start[i + 1]; e++)
			if (o->lab[f->col[e]] == c)
				o->internal += f->vol[e];
	}
}

/*
 * Simulated annealing over border moves, geometric cooling from 10 % to 0.1 % of a
 * commune's mean flows, the best labelling seen kept and restored at the end.
 */
static void anneal(olocal *o, long proposals)
{
	const cpts_bwork *w = o->w;
	size_t n = w->m->n;
	long *best = cpts_mallocarray(n + 1, sizeof(long));
	double best_internal = o->internal, scale = 0, t0, t1, temp, ratio;
	bool dirty = false;

	if (proposals <= 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		scale += w->f->row_total[i];
	scale = n ? scale / (double)n : 0;
	if (!(scale > 0))
		goto out;
	memcpy(best, o->lab, n * sizeof(long));
	t0 = 0.1 * scale;
	t1 = 0.001 * scale;
	ratio = pow(t1 / t0, 1.0 / (double)proposals);
	temp = t0;
	for (long k = 0; k < proposals; k++, temp *= ratio) {
		if (ostop(o, 1))
			break;
		if (!propose(o, temp))
			continue;
		dirty = true;
		if (o->internal > best_internal + GAIN_EPS) {
			best_internal = o->internal;
			memcpy(best, o->lab, n * sizeof(long));
			dirty = false;
		}
	}
	if (dirty && o->internal < best_internal)
		reset_to(o, best);
out:
	free(best);
}

/* ---- basin-level moves: merge two adjacent basins, split a third in two ---- */

/* Members of basin c into o->memb; returns their number. */
static size_t members(olocal *o, long c)
{
	size_t n = o->w->m->n, k = 0;

	for (size_t i = 0; i < n && k < o->cnt[c]; i++)
		if (o->lab[i] == c)
			o->memb[k++] = i;
	return k;
}

/* Symmetrised flows of j to the members of side t (self loop excluded). */
static void add_affinity(olocal *o, size_t j, long side)
{
	const cpts_symflows *sy = &o->w->sym;
	double *aff = side ? o->aff1 : o->aff0;

	for (size_t e = sy->start[j]; e < sy->start[j + 1]; e++)
		if (sy->adj[e] != j)
			aff[sy->adj[e]] += sy->w[e];
}

/*
 * Two contiguous sides of the members memb[0..k) of one basin, grown from s0 and s1:
 * at each step the unassigned member touching a side that prefers it most (its flows
 * to that side minus those to the other) joins it. Sides in o->part (0 or 1), their
 * populations in ps; returns the flows cut between them, or -1 when a side breaks the
 * floor or the ceiling. o->part and the affinities are left for the caller to clear.
 */
static double grow_split(olocal *o, size_t k, size_t s0, size_t s1, double ps[2])
{
	const cpts_bwork *w = o->w;
	const cpts_graph *g = w->g;
	const cpts_symflows *sy = &w->sym;
	double floor = w->opts->min_pop, ceil = w->opts->max_pop, cut = 0;
	size_t left = k - 2, cnt1 = 1;

	ps[0] = w->m->c[s0].pop;
	ps[1] = w->m->c[s1].pop;
	o->part[s0] = 0;
	o->part[s1] = 1;
	add_affinity(o, s0, 0);
	add_affinity(o, s1, 1);
	while (left) {
		size_t bj = SIZE_MAX;
		long bt = -1;
		double bs = -INFINITY;
		for (size_t q = 0; q < k; q++) {
			size_t j = o->memb[q];
			bool t0 = false, t1 = false;
			if (o->part[j] >= 0)
				continue;
			for (size_t e = g->start[j]; e < g->start[j + 1]; e++) {
				long p = o->lab[g->adj[e]] == o->lab[j] ? o->part[g->adj[e]] : -1;
				t0 |= p == 0;
				t1 |= p == 1;
			}
			if (t0 && o->aff0[j] - o->aff1[j] > bs) {
				bs = o->aff0[j] - o->aff1[j];
				bj = j;
				bt = 0;
			}
			if (t1 && o->aff1[j] - o->aff0[j] > bs) {
				bs = o->aff1[j] - o->aff0[j];
				bj = j;
				bt = 1;
			}
		}
		if (bj == SIZE_MAX)
			return -1; /* not connected: cannot happen for a contiguous basin */
		o->part[bj] = bt;
		ps[bt] += w->m->c[bj].pop;
		cnt1 += bt == 1;
		add_affinity(o, bj, bt);
		left--;
	}
	for (int t = 0; t < 2; t++) {
		size_t ct = t ? cnt1 : k - cnt1;
		if ((floor > 0 && ps[t] < floor) || (ceil > 0 && ps[t] > ceil && ct > 1))
			return -1;
	}
	for (size_t q = 0; q < k; q++) {
		size_t j = o->memb[q];
		if (o->part[j] != 0)
			continue;
		for (size_t e = sy->start[j]; e < sy->start[j + 1]; e++)
			if (o->part[sy->adj[e]] == 1 && o->lab[sy->adj[e]] == o->lab[j])
				cut += sy->w[e];
	}
	return cut;
}

static void clear_split(olocal *o, size_t k)
{
	const cpts_symflows *sy = &o->w->sym;

	for (size_t q = 0; q < k; q++) {
		size_t j = o->memb[q];
		o->part[j] = -1;
		for (size_t e = sy->start[j]; e < sy->start[j + 1]; e++)
			o->aff0[sy->adj[e]] = o->aff1[sy->adj[e]] = 0;
	}
}

/*
 * The best split of basin c (members in o->memb, k of them) grown from its pole and
 * each of the next SPLIT_SEEDS communes by flows received: the side of the second
 * seed goes to basin nb. Returns the flows cut, or -1 when no split respects the
 * floor and the ceiling.
 */
#define SPLIT_SEEDS 4
static double split_basin(olocal *o, size_t k, long nb)
{
	const double *in = o->w->f->col_total;
	size_t seeds[SPLIT_SEEDS + 1], ns = 0, best = SIZE_MAX;
	double best_cut = INFINITY, ps[2];

	if (k < 2)
		return -1;
	/* the SPLIT_SEEDS + 1 members receiving most flows, in order (ties: lower index) */
	for (size_t q = 0; q < k; q++) {
		size_t j = o->memb[q], p = ns < SPLIT_SEEDS + 1 ? ns++ : SPLIT_SEEDS + 1;
		if (p == SPLIT_SEEDS + 1 && !(in[j] > in[seeds[SPLIT_SEEDS]]))
			continue;
		if (p == SPLIT_SEEDS + 1)
			p = SPLIT_SEEDS;
		while (p > 0 && in[j] > in[seeds[p - 1]]) {
			seeds[p] = seeds[p - 1];
			p--;
		}
		seeds[p] = j;
	}
	for (size_t s = 1; s < ns; s++) {
		double cut = grow_split(o, k, seeds[0], seeds[s], ps);
		clear_split(o, k);
		if (cut >= 0 && cut < best_cut) {
			best_cut = cut;
			best = s;
		}
	}
	if (best == SIZE_MAX)
		return -1;
	grow_split(o, k, seeds[0], seeds[best], ps);
	for (size_t q = 0; q < k; q++)
		if (o->part[o->memb[q]] == 1)
			relabel(o, o->memb[q], nb);
	clear_split(o, k);
	return best_cut;
}

/*
 * A small basin carved out of basin c (members in o->memb, k of them): grown from a
 * random member, each step adding the member next to the carved side that holds most
 * flows with it relative to the rest of c (flows to the side minus flows to the rest),
 * until it reaches the floor; it goes to basin nb when what is left of c stays connected
 * and above the floor. The split of basin_round makes two halves; this one moves a
 * floor-sized basin (often a self-contained small town) to where it loses least.
 * Returns the flows cut, or -1 when the carve breaks a constraint.
 */
static double carve_basin(olocal *o, size_t k, long nb)
{
	const cpts_bwork *w = o->w;
	const cpts_graph *g = w->g;
	const cpts_symflows *sy = &w->sym;
	double floor = w->opts->min_pop > 0 ? w->opts->min_pop : 1, ps = 0, cut = 0;
	long c;
	size_t s, nside = 0, reached = 0, top = 0, first = SIZE_MAX;
	bool ok = true;

	if (k < 2)
		return -1;
	s = o->memb[orand(o) % k];
	c = o->lab[s];
	for (size_t q = 0; q < k; q++) { /* aff0: flows of each member with the rest of c */
		size_t j = o->memb[q];
		for (size_t e = sy->start[j]; e < sy->start[j + 1]; e++)
			if (sy->adj[e] != j && o->lab[sy->adj[e]] == c)
				o->aff0[j] += sy->w[e];
	}
	o->part[s] = 1;
	ps = w->m->c[s].pop;
	nside = 1;
	add_affinity(o, s, 1);
	while (ps < floor) {
		size_t bj = SIZE_MAX;
		double bs = -INFINITY;
		for (size_t q = 0; q < k; q++) {
			size_t j = o->memb[q];
			bool touch = false;
			if (o->part[j] == 1)
				continue;
			for (size_t e = g->start[j]; e < g->start[j + 1] && !touch; e++)
				touch = o->part[g->adj[e]] == 1 && o->lab[g->adj[e]] == c;
			if (touch && 2 * o->aff1[j] - o->aff0[j] > bs) {
				bs = 2 * o->aff1[j] - o->aff0[j];
				bj = j;
			}
		}
		if (bj == SIZE_MAX)
			break;
		o->part[bj] = 1;
		ps += w->m->c[bj].pop;
		nside++;
		add_affinity(o, bj, 1);
	}
	if (ps < floor || o->pop[c] - ps < floor || nside >= k)
		ok = false;
	/* what is left of c connected? */
	if (ok) {
		++o->stamp;
		for (size_t q = 0; q < k && first == SIZE_MAX; q++)
			if (o->part[o->memb[q]] != 1)
				first = o->memb[q];
		o->mark[first] = o->stamp;
		o->stack[top++] = first;
		while (top) {
			size_t u = o->stack[--top];
			reached++;
			for (size_t e = g->start[u]; e < g->start[u + 1]; e++) {
				size_t v = g->adj[e];
				if (o->lab[v] == c && o->part[v] != 1 && o->mark[v] != o->stamp) {
					o->mark[v] = o->stamp;
					o->stack[top++] = v;
				}
			}
		}
		ok = reached == k - nside;
	}
	for (size_t q = 0; q < k; q++) {
		size_t j = o->memb[q];
		if (ok && o->part[j] == 1)
			cut += o->aff0[j] - o->aff1[j];
	}
	if (ok)
		for (size_t q = 0; q < k; q++)
			if (o->part[o->memb[q]] == 1)
				relabel(o, o->memb[q], nb);
	for (size_t q = 0; q < k; q++)
		o->aff0[o->memb[q]] = 0;
	clear_split(o, k);
	return ok ? cut : -1;
}

/* Undo every logged move since the log was opened; objective and moves restored. */
static void undo_log(olocal *o, double internal, long moves)
{
	o->logging = false;
	while (o->ulog_n > 0) {
		o->ulog_n--;
		relabel(o, o->ulog[o->ulog_n], o->ulog_from[o->ulog_n]);
	}
	o->internal = internal;
	o->moves = moves;
}

/*
 * One basin-level round: a random basin a merges with the adjacent basin b it exchanges
 * most flows with, a third basin c (or a with b, re-cut differently, one time in three)
 * is split in two along its flows, the second side taking b's id: the count stays the
 * same. A descent on the communes of the three basins follows; the round is kept when
 * the objective rose, undone otherwise.
 */
static void basin_round(olocal *o)
{
	const cpts_bwork *w = o->w;
	const cpts_graph *g = w->g;
	const cpts_symflows *sy = &w->sym;
	double before = o->internal, ceil = w->opts->max_pop, floor = w->opts->min_pop;
	double best_f = -1, cut;
	long moves = o->moves, a = -1, b = -1, c = -1;
	bool recut = orand(o) % 3 == 0, carve = !recut && cpts_basins__carve && orand(o) % 2;
	size_t k, n_t = 0;

	o->rounds++;
	for (int t = 0; t < 8 && a < 0; t++) {
		long x = (long)(orand(o) % o->nb);
		if (o->cnt[x] && !o->lockb[x])
			a = x;
	}
	if (a < 0)
		return;
	if (!recut) {
		for (int t = 0; t < 8 && c < 0; t++) {
			long x = (long)(orand(o) % o->nb);
			if (x != a && o->cnt[x] > 1 && !o->lockb[x] && o->pop[x] >= 2 * floor)
				c = x;
		}
		if (c < 0)
			return;
	}
	/* flows of a to its adjacent basins */
	k = members(o, a);
	++o->cstamp;
	for (size_t q = 0; q < k; q++) {
		size_t j = o->memb[q];
		for (size_t e = g->start[j]; e < g->start[j + 1]; e++) {
			long x = o->lab[g->adj[e]];
			if (x >= 0 && x != a)
				o->cand[x] = o->cstamp;
		}
		for (size_t e = sy->start[j]; e < sy->start[j + 1]; e++) {
			long x = o->lab[sy->adj[e]];
			if (x < 0 || x == a || o->cand[x] != o->cstamp)
				continue;
			if (o->acc[x] == 0)
				o->touched[n_t++] = x;
			o->acc[x] += sy->w[e];
		}
	}
	for (size_t t = 0; t < n_t; t++) {
		long x = o->touched[t];
		if (x == c || o->lockb[x] ||
		    (!recut && ceil > 0 && o->pop[a] + o->pop[x] > ceil))
			continue;
		if (o->acc[x] > best_f || (o->acc[x] == best_f && x < b)) {
			best_f = o->acc[x];
			b = x;
		}
	}
	clear_acc(o, n_t);
	if (b < 0)
		return;
	if (recut)
		c = a;
	o->logging = true;
	o->ulog_n = 0;
	k = members(o, b);
	for (size_t q = 0; q < k; q++)
		relabel(o, o->memb[q], a);
	o->internal += best_f;
	k = members(o, c);
	if ((cut = carve ? carve_basin(o, k, b) : split_basin(o, k, b)) < 0) {
		undo_log(o, before, moves);
		return;
	}
	o->internal -= cut;
	/* descent around the three basins */
	for (size_t i = 0; i < w->m->n; i++) {
		long x = o->lab[i];
		if (x == a || x == b || x == c)
			push_around(o, i);
	}
	descend(o);
	if (o->internal > before + GAIN_EPS) {
		o->logging = false;
		o->rounds_kept++;
		ohook(o);
		return;
	}
	undo_log(o, before, moves);
	ohook(o);
}

/*
 * One iterated-local-search kick: the communes around a random commune j0 (breadth-first
 * in the contiguity graph, at most ILS_REGION of them) are each pushed, in that order,
 * into a random adjacent basin when the move is feasible (floor, ceiling, locks,
 * connectivity), whatever its gain; a descent around the moved communes follows and
 * the kick is kept only when the objective rose, undone otherwise. This leaves the
 * plateau of the border moves and basin rounds by several moves at once, which a
 * single-move annealing step rarely does once the ceiling binds.
 */
#define ILS_REGION 12
static void ils_kick(olocal *o)
{
	const cpts_graph *g = o->w->g;
	size_t n = o->w->m->n, j0 = (size_t)(orand(o) % n), top = 0, got = 0, moved = 0;
	size_t region[ILS_REGION];
	double before = o->internal;
	long moves = o->moves;

	if (o->lab[j0] < 0 || o->w->locked[j0])
		return;
	/* breadth-first from j0 (o->stack as a queue) */
	++o->stamp;
	o->mark[j0] = o->stamp;
	o->stack[top++] = j0;
	for (size_t h = 0; h < top && got < ILS_REGION; h++) {
		size_t u = o->stack[h];
		region[got++] = u;
		for (size_t e = g->start[u]; e < g->start[u + 1] && top < n; e++) {
			size_t v = g->adj[e];
			if (o->mark[v] != o->stamp) {
				o->mark[v] = o->stamp;
				o->stack[top++] = v;
			}
		}
	}
	o->logging = true;
	o->ulog_n = 0;
	for (size_t q = 0; q < got; q++) {
		size_t j = region[q], deg = g->start[j + 1] - g->start[j];
		long a = o->lab[j], b;
		double fa, fb;
		if (!deg || !may_leave(o, j) || orand(o) % 2)
			continue;
		b = o->lab[g->adj[g->start[j] + (size_t)(orand(o) % deg)]];
		if (b == a || b < 0 || !may_enter(o, j, b) || !stays_connected(o, j))
			continue;
		flows_ab(o, j, a, b, &fa, &fb);
		apply_move(o, j, b, fb - fa);
		moved++;
	}
	if (!moved) {
		o->logging = false;
		o->ulog_n = 0;
		return;
	}
	for (size_t q = 0; q < got; q++)
		push_around(o, region[q]);
	descend(o);
	if (o->internal > before + GAIN_EPS) {
		o->logging = false;
		o->ulog_n = 0;
		o->kicks_kept++;
		return;
	}
	undo_log(o, before, moves);
}

/* ---- large-neighbourhood search: 2 or 3 adjacent basins re-partitioned ---- */

#define LNS_PARTS 3
#define LNS_TRIES 6
#define LNS_MAX_UNION 600

/*
 * The members of the basin of j0, breadth-first within it from j0, appended to o->memb
 * from position k and stamped in o->uin; returns the new end. Basins are contiguous,
 * so every member is reached; the caller checks the count.
 */
static size_t collect_basin(olocal *o, size_t j0, size_t k)
{
	const cpts_graph *g = o->w->g;
	long c = o->lab[j0];
	size_t h = k;

	o->uin[j0] = o->ustamp;
	o->memb[k++] = j0;
	while (h < k) {
		size_t u = o->memb[h++];
		for (size_t e = g->start[u]; e < g->start[u + 1]; e++) {
			size_t v = g->adj[e];
			if (o->lab[v] == c && o->uin[v] != o->ustamp) {
				o->uin[v] = o->ustamp;
				o->memb[k++] = v;
			}
		}
	}
	return k;
}

/*
 * A basin adjacent to the union memb[0..k) (contiguity graph, bridges included), not
 * locked, drawn with a probability proportional to the flows it exchanges with the
 * union plus 1 % of their mean (a neighbour without flows can still be drawn); one of
 * its communes next to the union in o->rep. Returns -1 when there is none.
 */
static long draw_neighbour(olocal *o, size_t k)
{
	const cpts_graph *g = o->w->g;
	const cpts_symflows *sy = &o->w->sym;
	size_t n_t = 0;
	double tot = 0, r;
	long pick = -1;

	++o->cstamp;
	for (size_t q = 0; q < k; q++) {
		size_t j = o->memb[q];
		for (size_t e = g->start[j]; e < g->start[j + 1]; e++) {
			size_t v = g->adj[e];
			long x = o->lab[v];
			if (x < 0 || o->uin[v] == o->ustamp || o->lockb[x] || o->cand[x] == o->cstamp)
				continue;
			o->cand[x] = o->cstamp;
			o->rep[x] = v;
			o->touched[n_t++] = x;
		}
	}
	if (!n_t)
		return -1;
	for (size_t q = 0; q < k; q++) {
		size_t j = o->memb[q];
		for (size_t e = sy->start[j]; e < sy->start[j + 1]; e++) {
			size_t v = sy->adj[e];
			long x = o->lab[v];
			if (x >= 0 && o->uin[v] != o->ustamp && o->cand[x] == o->cstamp)
				o->acc[x] += sy->w[e];
		}
	}
	for (size_t t = 0; t < n_t; t++)
		tot += o->acc[o->touched[t]];
	tot += tot > 0 ? 0.01 * tot : 1.0; /* the share spread evenly */
	r = (double)(orand(o) >> 11) * 0x1.0p-53 * tot;
	for (size_t t = 0; t < n_t && pick < 0; t++) {
		long x = o->touched[t];
		r -= o->acc[x] + (tot > 0 ? 0.01 * tot / 1.01 : 1.0) / (double)n_t;
		if (r < 0)
			pick = x;
	}
	if (pick < 0)
		pick = o->touched[n_t - 1];
	clear_acc(o, n_t);
	return pick;
}

static double *part_aff(olocal *o, int p)
{
	return p == 0 ? o->aff0 : p == 1 ? o->aff1 : o->aff2;
}

/* The score of the unassigned member j for part p (its flows to the part; by_margin:
 * minus its largest flows to another part), -INFINITY when j does not touch p
 * (o->bpart[j]: bit mask of the parts next to it) or p would exceed the ceiling. */
static double lns_score(olocal *o, size_t j, int p, int np, bool by_margin, const double *ps)
{
	double ceil = o->w->opts->max_pop, s, other = 0;

	if (!(o->bpart[j] & (1 << p)) || (ceil > 0 && ps[p] + o->w->m->c[j].pop > ceil))
		return -INFINITY;
	s = part_aff(o, p)[j];
	if (by_margin) {
		for (int q = 0; q < np; q++)
			if (q != p && part_aff(o, q)[j] > other)
				other = part_aff(o, q)[j];
		s -= other;
	}
	return s;
}

/* Member j joins part p: populations, the affinities of the union's members and the
 * parts next to its unassigned neighbours. */
static void lns_join(olocal *o, size_t j, int p, double *ps)
{
	const cpts_graph *g = o->w->g;
	const cpts_symflows *sy = &o->w->sym;
	double *aff = part_aff(o, p);

	o->part[j] = p;
	ps[p] += o->w->m->c[j].pop;
	for (size_t e = sy->start[j]; e < sy->start[j + 1]; e++) {
		size_t v = sy->adj[e];
		if (v != j && o->uin[v] == o->ustamp)
			aff[v] += sy->w[e];
	}
	for (size_t e = g->start[j]; e < g->start[j + 1]; e++) {
		size_t v = g->adj[e];
		if (o->uin[v] == o->ustamp)
			o->bpart[v] |= 1 << p;
	}
}

/*
 * The union memb[0..k) re-partitioned into np contiguous parts grown from seeds: at
 * each step the unassigned member with the best score (lns_score) over the parts next
 * to it joins that part. Parts in o->part; returns twice the flows kept inside the
 * parts (self loops excluded), or -1 when a member finds no part within the ceiling or
 * a part ends under the floor. The caller clears o->part and the affinities (lns_clear).
 */
static double lns_grow(olocal *o, size_t k, const size_t *seeds, int np, bool by_margin)
{
	double floor = o->w->opts->min_pop, ps[LNS_PARTS] = { 0, 0, 0 }, kept = 0;
	size_t nu = 0;

	for (int p = 0; p < np; p++)
		lns_join(o, seeds[p], p, ps);
	for (size_t q = 0; q < k; q++)
		if (o->part[o->memb[q]] < 0)
			o->unas[nu++] = o->memb[q];
	while (nu) {
		size_t bi = SIZE_MAX;
		int bp = -1;
		double bs = -INFINITY;
		for (size_t u = 0; u < nu; u++) {
			size_t j = o->unas[u];
			if (!o->bpart[j])
				continue;
			for (int p = 0; p < np; p++) {
				double sc = lns_score(o, j, p, np, by_margin, ps);
				if (sc > bs) {
					bs = sc;
					bi = u;
					bp = p;
				}
			}
		}
		if (bi == SIZE_MAX)
			return -1;
		{
			size_t j = o->unas[bi];
			o->unas[bi] = o->unas[--nu];
			lns_join(o, j, bp, ps);
		}
	}
	for (int p = 0; p < np; p++)
		if (floor > 0 && ps[p] < floor)
			return -1;
	for (size_t q = 0; q < k; q++)
		kept += part_aff(o, (int)o->part[o->memb[q]])[o->memb[q]];
	return kept;
}

static void lns_clear(olocal *o, size_t k)
{
	for (size_t q = 0; q < k; q++) {
		size_t j = o->memb[q];
		o->part[j] = -1;
		o->bpart[j] = 0;
		o->aff0[j] = o->aff1[j] = o->aff2[j] = 0;
	}
}

/* A member of memb[0..k) drawn with a probability proportional to the flows it
 * receives (attractive communes make good seeds), not among taken[0..nt). */
static size_t lns_draw_seed(olocal *o, size_t k, const size_t *taken, int nt)
{
	const double *in = o->w->f->col_total;
	double tot = 0, r;

	for (size_t q = 0; q < k; q++)
		tot += in[o->memb[q]] + 1e-9;
	for (int a = 0; a < 4; a++) {
		size_t pick = o->memb[k - 1];
		bool dup = false;
		r = (double)(orand(o) >> 11) * 0x1.0p-53 * tot;
		for (size_t q = 0; q < k; q++) {
			r -= in[o->memb[q]] + 1e-9;
			if (r < 0) {
				pick = o->memb[q];
				break;
			}
		}
		for (int t = 0; t < nt; t++)
			dup |= taken[t] == pick;
		if (!dup)
			return pick;
	}
	return SIZE_MAX;
}

/*
 * One large-neighbourhood round: a random commune's basin and one or two adjacent
 * basins (drawn by the flows they exchange) are merged and re-partitioned into as many
 * basins, grown from LNS_TRIES seed sets (the basins' own poles, then seeds drawn by
 * the flows they receive; growth by flows, then by margin over the other parts) within
 * the ceiling and the floor; the best re-partition is applied, a descent around it
 * follows, and the round is kept when the objective rose, undone otherwise. The count
 * is unchanged and every part is contiguous (grown along the contiguity graph).
 */
static void lns_round(olocal *o)
{
	const cpts_bwork *w = o->w;
	size_t n = w->m->n, j0 = (size_t)(orand(o) % n), k, seeds[LNS_PARTS];
	size_t ends[LNS_PARTS];
	long ids[LNS_PARTS];
	int np = orand(o) % 2 ? 3 : 2;
	double before = o->internal, old_kept = 0, best_kept = -1;
	long moves = o->moves;
	const double *in = w->f->col_total;

	o->lns++;
	if (o->lab[j0] < 0 || o->lockb[o->lab[j0]])
		return;
	++o->ustamp;
	ids[0] = o->lab[j0];
	k = ends[0] = collect_basin(o, j0, 0);
	for (int p = 1; p < np; p++) {
		long x = draw_neighbour(o, k);
		if (x < 0) {
			np = p;
			break;
		}
		ids[p] = x;
		k = ends[p] = collect_basin(o, o->rep[x], k);
	}
	if (np < 2 || k > LNS_MAX_UNION)
		return;
	for (int p = 0; p < np; p++)
		if (ends[p] - (p ? ends[p - 1] : 0) != o->cnt[ids[p]])
			return; /* not contiguous (a start from outside): left alone */
	/* twice the flows kept inside the basins now */
	for (int p = 0; p < np; p++)
		for (size_t q = p ? ends[p - 1] : 0; q < ends[p]; q++)
			o->part[o->memb[q]] = p;
	for (size_t q = 0; q < k; q++) {
		size_t j = o->memb[q];
		for (size_t e = w->sym.start[j]; e < w->sym.start[j + 1]; e++) {
			size_t v = w->sym.adj[e];
			if (v != j && o->uin[v] == o->ustamp && o->part[v] == o->part[j])
				old_kept += w->sym.w[e];
		}
	}
	for (size_t q = 0; q < k; q++)
		o->part[o->memb[q]] = -1;
	for (int t = 0; t < LNS_TRIES; t++) {
		double kept;
		bool ok = true;
		if (t < 2) { /* the poles of the basins */
			for (int p = 0; p < np; p++) {
				size_t lo = p ? ends[p - 1] : 0;
				seeds[p] = o->memb[lo];
				for (size_t q = lo; q < ends[p]; q++)
					if (in[o->memb[q]] > in[seeds[p]])
						seeds[p] = o->memb[q];
			}
		} else {
			for (int p = 0; p < np && ok; p++)
				ok = (seeds[p] = lns_draw_seed(o, k, seeds, p)) != SIZE_MAX;
		}
		kept = ok ? lns_grow(o, k, seeds, np, t % 2 == 1) : -1;
		if (kept > best_kept + GAIN_EPS) {
			best_kept = kept;
			for (size_t q = 0; q < k; q++)
				o->bestpart[q] = o->part[o->memb[q]];
		}
		lns_clear(o, k);
		if (!ok || ostop(o, 16))
			break;
	}
	if (best_kept < 0 || ostop(o, 0))
		return;
	o->logging = true;
	o->ulog_n = 0;
	for (size_t q = 0; q < k; q++) {
		long b = ids[o->bestpart[q]];
		if (o->lab[o->memb[q]] != b)
			relabel(o, o->memb[q], b);
	}
	o->internal += 0.5 * (best_kept - old_kept);
	ohook(o);
	/* descent from the union and its border (moved communes push their own
	 * neighbours): the flow neighbours of every member would cost 100 times more */
	for (size_t q = 0; q < k; q++) {
		size_t j = o->memb[q];
		push(o, j);
		for (size_t e = w->g->start[j]; e < w->g->start[j + 1]; e++)
			push(o, w->g->adj[e]);
	}
	descend(o);
	if (o->internal > before + GAIN_EPS) {
		o->logging = false;
		o->ulog_n = 0;
		o->lns_kept++;
		ohook(o);
		return;
	}
	undo_log(o, before, moves);
}

/* Basin-level rounds per start: 60 per basin, at most 2e8 commune visits in all. */
static long default_rounds(const olocal *o)
{
	size_t n = o->w->m->n, basins = 0;

	for (size_t b = 0; b < o->nb; b++)
		basins += o->cnt[b] > 0;
	return (long)fmin(60.0 * (double)basins, 2e8 / (double)(n ? n : 1));
}

/* Default large-neighbourhood rounds per start: 100 per basin, at most 5e7 / communes
 * (4,000 for 40 basins of Pays de la Loire; about 1,400 rounds of 1-3 ms on France, so
 * that France at 1,000 basins stays within its minute). */
static long default_lns(const olocal *o)
{
	size_t n = o->w->m->n, basins = 0;

	for (size_t b = 0; b < o->nb; b++)
		basins += o->cnt[b] > 0;
	return (long)fmin(100.0 * (double)basins, 5e7 / (double)(n ? n : 1));
}

/* Default iterated-local-search kicks per start: 50 per commune, at most 1e5 and at most
 * 2e9 / communes (the regions keep 50 per commune; France 57,000 kicks, about 12 s of CPU
 * per start with the ejection chains, so that 1,000 basins fit in a minute). */
static long default_iterations(const cpts_bwork *w)
{
	double n = (double)w->m->n;

	return (long)fmin(fmin(50.0 * n, 1e5), 2e9 / (n > 0 ? n : 1));
}

/** One start: its input, its result. */
typedef struct ostart {
	const long *start;    /* BORROWED initial labels */
	uint64_t seed;
	long kicks;
	long *lab;            /* OWNED result labels */
	double internal;
	long moves;
	long rounds, rounds_kept; /* basin-level rounds tried and kept */
	double anneal_internal;   /* objective after the annealing, before the rounds */
	long iterations;          /* iterated-local-search kicks */
	long kicks_kept;
	double rounds_internal;   /* objective after the rounds, before the re-cuts */
	long lns, lns_kept;       /* large-neighbourhood rounds tried and kept */
	double lns_internal;      /* objective after the re-cuts, before the kicks */
	double lns_seconds;       /* CPU seconds of the re-cuts */
	double pre_seconds;       /* CPU seconds of the descents, annealing and rounds */
	long chains_kept;         /* ejection chains made */
	double cpu;               /* CPU seconds of this start (its thread's clock) */
	long recombined;          /* recombinations that raised it (recombine) */
	bool coarse;              /* a recombination's cells: no move hook */
} ostart;

/* CPU seconds of the calling thread (0 when the clock is not available). */
static double thread_cpu(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void run_start(const cpts_bwork *w, ostart *s, atomic_int *stop, bool reporter)
{
	olocal o;
	double cpu0 = thread_cpu();

	olocal_init(&o, w, s->start, s->seed);
	o.stop = stop;
	o.reporter = reporter;
	o.coarse = s->coarse;
	local_search(&o);
	anneal(&o, s->kicks);
	o.chains = cpts_basins__chains;
	local_search(&o);
	s->anneal_internal = o.internal;
	for (long r = 0, nr = default_rounds(&o); r < nr && !ostop(&o, 64); r++)
		basin_round(&o);
	s->rounds_internal = o.internal;
	s->pre_seconds = thread_cpu() - cpu0;
	s->lns_seconds = thread_cpu();
	for (long r = 0, nl = w->opts->lns >= 0 ? w->opts->lns : default_lns(&o);
	     r < nl && !ostop(&o, 64); r++)
		lns_round(&o);
	s->lns = o.lns;
	s->lns_kept = o.lns_kept;
	s->lns_internal = o.internal;
	s->lns_seconds = thread_cpu() - s->lns_seconds;
	for (long r = 0; r < s->iterations && !ostop(&o, 16); r++)
		ils_kick(&o);
	s->kicks_kept = o.kicks_kept;
	s->chains_kept = o.chains_kept;
	s->rounds = o.rounds;
	s->rounds_kept = o.rounds_kept;
	s->internal = o.internal;
	s->moves = o.moves;
	s->lab = o.lab;
	o.lab = NULL;
	olocal_release(&o);
	s->cpu = thread_cpu() - cpu0;
}

typedef struct oworker {
	const cpts_bwork *w;  /* BORROWED */
	ostart *starts;       /* BORROWED, all starts */
	size_t n_starts, first, step;
	atomic_int *stop;     /* BORROWED, shared */
	bool reporter;        /* the calling thread */
} oworker;

static void *worker_main(void *arg)
{
	oworker *t = arg;

	for (size_t s = t->first; s < t->n_starts && !atomic_load(t->stop); s += t->step)
		run_start(t->w, &t->starts[s], t->stop, t->reporter);
	return NULL;
}

/* Default annealing proposals per start: 1000 per commune, at most 1.5 million (France
 * in about a minute on two cores). */
static long default_kicks(const cpts_bwork *w)
{
	size_t n = w->m->n;

	return (long)(n < 1500 ? 1000 * n : 1500000);
}

/* ---- recombination: the best start refined on its overlay with another ---- */

/** A coarse instance: one node per cell of the overlay of two labellings. */
typedef struct ocoarse {
	cpts_model m;         /* n and c (pop only) */
	cpts_graph g;         /* start, adj */
	cpts_flows f;         /* start, col, vol, row_total, col_total, total */
	cpts_bwork w;         /* the fine run's context and options, this instance's data */
	size_t *cell;         /* OWNED, per commune: its cell */
	long *lab;            /* OWNED, per cell: its basin in the first labelling */
} ocoarse;

/* Appends x to the growing array *a (length *len, capacity *cap). */
static void grow_push(size_t **a, size_t *len, size_t *cap, size_t x)
{
	if (*len == *cap) {
		*cap = *cap ? 2 * *cap : 1024;
		*a = cpts_reallocarray(*a, *cap, sizeof(size_t));
	}
	(*a)[(*len)++] = x;
}

/*
 * The overlay of labellings p and q: its cells are the connected sets of communes with
 * the same basin in both (breadth-first in the contiguity graph), a commune locked or
 * without basin being a cell of its own; their graph, flows (summed, a cell's inner
 * flows as its self loop, so that the objective is the fine one), populations and locks.
 */
static void coarse_build(ocoarse *c, const cpts_bwork *w, const long *p, const long *q)
{
	const cpts_graph *g = w->g;
	const cpts_flows *f = w->f;
	size_t n = w->m->n, nc = 0, *order, *first, *stack, len = 0, cap = 0, *adj = NULL;
	size_t *mark, *col = NULL;
	double *vol = NULL, *acc;
	size_t vlen = 0, vcap = 0;

	memset(c, 0, sizeof(*c));
	c->cell = cpts_mallocarray(n + 1, sizeof(size_t));
	stack = cpts_mallocarray(n + 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		c->cell[i] = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		size_t top = 0;
		if (c->cell[i] != SIZE_MAX)
			continue;
		c->cell[i] = nc;
		stack[top++] = i;
		while (top && p[i] >= 0 && !w->locked[i]) {
			size_t u = stack[--top];
			for (size_t e = g->start[u]; e < g->start[u + 1]; e++) {
				size_t v = g->adj[e];
				if (c->cell[v] == SIZE_MAX && p[v] == p[i] && q[v] == q[i] && !w->locked[v]) {
					c->cell[v] = nc;
					stack[top++] = v;
				}
			}
		}
		nc++;
	}
	/* communes by cell */
	first = cpts_calloc(nc + 2, sizeof(size_t));
	order = cpts_mallocarray(n + 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		first[c->cell[i] + 1]++;
	for (size_t k = 0; k < nc; k++)
		first[k + 1] += first[k];
	memcpy(stack, first, nc * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		order[stack[c->cell[i]]++] = i;
	c->m.n = c->g.n = c->f.n = nc;
	c->m.c = cpts_calloc(nc + 1, sizeof(cpts_commune));
	c->lab = cpts_mallocarray(nc + 1, sizeof(long));
	c->w.locked = cpts_calloc(nc + 1, sizeof(bool));
	c->g.start = cpts_calloc(nc + 1, sizeof(size_t));
	c->f.start = cpts_calloc(nc + 1, sizeof(size_t));
	c->f.row_total = cpts_calloc(nc + 1, sizeof(double));
	c->f.col_total = cpts_calloc(nc + 1, sizeof(double));
	c->f.outside = cpts_calloc(nc + 1, sizeof(double));
	c->f.total = f->total;
	mark = cpts_mallocarray(nc + 1, sizeof(size_t));
	acc = cpts_calloc(nc + 1, sizeof(double));
	for (size_t k = 0; k < nc; k++)
		mark[k] = SIZE_MAX;
	for (size_t k = 0; k < nc; k++) {
		size_t v0 = vlen;
		c->lab[k] = p[order[first[k]]];
		for (size_t r = first[k]; r < first[k + 1]; r++) {
			size_t i = order[r];
			c->m.c[k].pop += w->m->c[i].pop;
			c->w.locked[k] |= w->locked[i];
			c->f.row_total[k] += f->row_total[i];
			c->f.col_total[k] += f->col_total[i];
			c->f.outside[k] += f->outside[i];
			for (size_t e = g->start[i]; e < g->start[i + 1]; e++) {
				size_t x = c->cell[g->adj[e]];
				if (x != k && mark[x] != k) {
					mark[x] = k;
					grow_push(&adj, &len, &cap, x);
				}
			}
			for (size_t e = f->start[i]; e < f->start[i + 1]; e++) {
				size_t x = c->cell[f->col[e]];
				if (acc[x] == 0) {
					grow_push(&col, &vlen, &vcap, x);
				}
				acc[x] += f->vol[e];
			}
		}
		c->g.start[k + 1] = len;
		vol = cpts_reallocarray(vol, vcap + 1, sizeof(double));
		for (size_t t = v0; t < vlen; t++) {
			vol[t] = acc[col[t]];
			acc[col[t]] = 0;
		}
		c->f.start[k + 1] = vlen;
	}
	c->g.adj = adj ? adj : cpts_calloc(1, sizeof(size_t));
	c->f.col = col ? col : cpts_calloc(1, sizeof(size_t));
	c->f.vol = vol ? vol : cpts_calloc(1, sizeof(double));
	c->w.ctx = w->ctx;
	c->w.m = &c->m;
	c->w.g = &c->g;
	c->w.f = &c->f;
	c->w.opts = w->opts;
	cpts_basins__symflows(&c->w.sym, &c->f);
	free(mark);
	free(acc);
	free(first);
	free(order);
	free(stack);
}

static void coarse_release(ocoarse *c)
{
	free(c->cell);
	free(c->lab);
	free(c->m.c);
	free(c->g.start);
	free(c->g.adj);
	free(c->f.start);
	free(c->f.col);
	free(c->f.vol);
	free(c->f.row_total);
	free(c->f.col_total);
	free(c->f.outside);
	free(c->w.locked);
	cpts_basins__symflows_release(&c->w.sym);
}

#define COMB_ROUNDS 1    /* rounds over the population of starts */
#define COMB_ANNEAL 1000 /* annealing proposals per cell of an overlay */
#define COMB_MAX_N 5000  /* communes: above, no recombination (France keeps its minute) */

/*
 * One recombination: labelling st[p] refined on its overlay with st[q] (coarse_build):
 * whole cells move as one commune would, by the annealing, basin rounds, re-cuts and
 * kicks of a start (run_start) on the cells from st[p]'s labelling, then the result,
 * projected on the communes, goes through a descent and kicks. It replaces st[p] when
 * its objective is higher (it starts from st[p], every phase keeps the best it saw).
 */
static void combine_pair(const cpts_bwork *w, ostart *st, size_t p, size_t q, uint64_t seed,
			 long kicks, atomic_int *stop)
{
	size_t n = w->m->n;
	long *fine = cpts_mallocarray(n + 1, sizeof(long));
	double total = w->f->total > 0 ? w->f->total : 1;
	ocoarse c;
	ostart cs;
	olocal o;

	coarse_build(&c, w, st[p].lab, st[q].lab);
	memset(&cs, 0, sizeof(cs));
	cs.start = c.lab;
	cs.coarse = true;
	cs.seed = seed;
	cs.kicks = (long)fmin(COMB_ANNEAL * (double)c.m.n, 1e6);
	cs.iterations = (long)fmin(20.0 * (double)c.m.n, 1e5);
	run_start(&c.w, &cs, stop, true);
	for (size_t i = 0; i < n; i++)
		fine[i] = cs.lab ? cs.lab[c.cell[i]] : st[p].lab[i];
	free(cs.lab);
	olocal_init(&o, w, fine, seed ^ 0xD6E8FEB86659FD93ULL);
	free(fine);
	o.stop = stop;
	o.reporter = true;
	o.chains = cpts_basins__chains;
	local_search(&o);
	for (long k = 0; k < kicks && !ostop(&o, 16); k++)
		ils_kick(&o);
	CPTS_LOG(w->ctx, CPTS_LOG_NOTE, "optimise: start %zu recombined with start %zu"
		 " (%zu cells): LI %.4f -> %.4f (cells) -> %.4f", p, q, c.m.n,
		 st[p].internal / total, cs.internal / total, o.internal / total);
	coarse_release(&c);
	if (!ostop(&o, 0) && o.internal > st[p].internal + GAIN_EPS) {
		memcpy(st[p].lab, o.lab, n * sizeof(long));
		st[p].internal = o.internal;
		st[p].moves += o.moves;
		st[p].recombined++;
	}
	olocal_release(&o);
}

/* The best start: highest objective, then lowest index. */
static size_t best_start(const ostart *st, size_t n_starts)
{
	size_t best = 0;

	for (size_t s = 1; s < n_starts; s++)
		if (st[s].internal > st[best].internal + GAIN_EPS)
			best = s;
	return best;
}

/*
 * Recombination after the starts, on the calling thread (the result depends only on
 * the starts', not on the threads): COMB_ROUNDS rounds in which every other start is
 * refined on its overlay with the best (combine_pair: it takes what the best does
 * better), then the best on its overlay with it. The starts are a population of local
 * optima; an overlay's cells let whole groups of communes move at once along the cut
 * lines of another optimum (the combine operator of evolutionary multilevel graph
 * partitioners), which no single-commune move, chain or blind re-growth reaches.
 */
static void recombine(const cpts_bwork *w, ostart *st, size_t n_starts, atomic_int *stop)
{
	long kicks = (w->opts->iterations >= 0 ? w->opts->iterations : default_iterations(w)) / 4;
	uint64_t k = 0;

	for (int r = 0; r < COMB_ROUNDS; r++)
		for (size_t s = 0; s < n_starts && !atomic_load(stop); s++) {
			size_t best = best_start(st, n_starts);
			uint64_t seed = (w->opts->seed + 1) * 0x9E3779B97F4A7C15ULL ^
					(++k) * 0x94D049BB133111EBULL;
			if (s == best)
				continue;
			combine_pair(w, st, s, best, seed, kicks, stop);
			if (atomic_load(stop))
				break;
			best = best_start(st, n_starts);
			if (best != s)
				combine_pair(w, st, best, s, seed ^ 0x2545F4914F6CDD1DULL, kicks, stop);
		}
}

int cpts_basins__optimise(cpts_bwork *w, long *const *starts, size_t n_starts,
			  cpts_basins_summary *sum)
{
	size_t n = w->m->n, n_thr = w->opts->threads > 0 ? (size_t)w->opts->threads : 2;
	ostart *st = cpts_calloc(n_starts + 1, sizeof(ostart));
	oworker *wk;
	pthread_t *th;
	bool *started;
	double t0 = cpts_now(), total = 0;
	size_t best = 0;
	atomic_int stop;

	atomic_init(&stop, 0);
	{
		struct timespec ts;
		if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0)
			CPTS_LOG(w->ctx, CPTS_LOG_NOTE, "optimise: %.1f s of CPU before the"
				 " starts (inputs, starting basins)",
				 (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec);
	}
	cpts_basins__need_sym(w);
	if (n_thr > n_starts)
		n_thr = n_starts ? n_starts : 1;
	wk = cpts_calloc(n_thr + 1, sizeof(oworker));
	th = cpts_calloc(n_thr + 1, sizeof(pthread_t));
	started = cpts_calloc(n_thr + 1, sizeof(bool));
	for (size_t s = 0; s < n_starts; s++) {
		st[s].start = starts[s];
		st[s].seed = (w->opts->seed + 1) * 0x9E3779B97F4A7C15ULL ^ (s + 1) * 0xBF58476D1CE4E5B9ULL;
		st[s].kicks = w->opts->kicks >= 0 ? w->opts->kicks : default_kicks(w);
		st[s].iterations = w->opts->iterations >= 0 ? w->opts->iterations
							     : default_iterations(w);
	}
	for (size_t t = 0; t < n_thr; t++) {
		wk[t] = (oworker){ w, st, n_starts, t, n_thr, &stop, t == 0 };
		/* thread 0 is this one; a worker that cannot start leaves its starts to it */
		if (t > 0)
			started[t] = pthread_create(&th[t], NULL, worker_main, &wk[t]) == 0;
	}
	worker_main(&wk[0]);
	for (size_t t = 1; t < n_thr; t++) {
		if (started[t]) {
			pthread_join(th[t], NULL);
		} else {
			wk[t].reporter = true;
			worker_main(&wk[t]);
		}
	}
	if (atomic_load(&stop)) {
interrupted:
		/* a worker saw the signal first: the error is set here, on this thread */
		for (size_t s = 0; s < n_starts; s++)
			free(st[s].lab);
		free(st);
		free(wk);
		free(th);
		free(started);
		if (w->ctx->err.code == CPTS_ECANCEL)
			return CPTS_ECANCEL;
		return cpts_fail(w->ctx, CPTS_ECANCEL, "interrupted");
	}
	if (cpts_basins__recombine && n_starts > 1 && n < COMB_MAX_N)
		recombine(w, st, n_starts, &stop);
	if (atomic_load(&stop))
		goto interrupted;
	best = best_start(st, n_starts);
	for (size_t i = 0; i < n; i++)
		total += w->f->row_total[i];
	if (n_starts)
		memcpy(w->lab, st[best].lab, n * sizeof(long));
	if (sum) {
		sum->objective = total > 0 && n_starts ? st[best].internal / total : NAN;
		sum->iterations = n_starts ? st[best].moves : 0;
		sum->n_starts = (int)n_starts;
		sum->opt_seconds = cpts_now() - t0;
	}
	for (size_t s = 0; s < n_starts; s++) {
		CPTS_LOG(w->ctx, CPTS_LOG_NOTE, "optimise: start %zu: LI %.4f after %ld moves"
			 " (%.4f before %ld basin rounds, %ld kept; %.4f before %ld re-cuts,"
			 " %ld kept; %.4f before %ld kicks, %ld kept; %ld chains; %ld recombinations"
			 " kept; CPU %.1f s:"
			 " %.1f to the re-cuts, %.1f in them)%s", s,
			 total > 0 ? st[s].internal / total : 0, st[s].moves,
			 total > 0 ? st[s].anneal_internal / total : 0, st[s].rounds,
			 st[s].rounds_kept, total > 0 ? st[s].rounds_internal / total : 0,
			 st[s].lns, st[s].lns_kept, total > 0 ? st[s].lns_internal / total : 0,
			 st[s].iterations, st[s].kicks_kept, st[s].chains_kept, st[s].recombined, st[s].cpu,
			 st[s].pre_seconds, st[s].lns_seconds, s == best ? " (kept)" : "");
		free(st[s].lab);
	}
	free(st);
	free(wk);
	free(th);
	free(started);
	return CPTS_OK;
}
