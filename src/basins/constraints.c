/*
 * constraints.c - the constraints every basin method ends with (DOMAIN.md 5):
 * contiguity (split a basin into its connected parts), population floor (merge small
 * basins into an adjacent one, never above the ceiling) and ceiling (split large basins
 * with the constrained Louvain of modularity.c, whose moves never exceed the ceiling).
 *
 * Locked communes (--lock) are never relabelled and unlocked basins never absorb them.
 * Adjacency is the contiguity graph, bridges included, so islands join the mainland.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basins/basins_int.h"

size_t cpts_basins__compact(cpts_bwork *w)
{
	size_t n = w->m->n, k = 0;
	long *map = cpts_mallocarray(w->n_lab + 1, sizeof(long));

	for (size_t b = 0; b <= w->n_lab; b++)
		map[b] = -1;
	for (size_t i = 0; i < n; i++) {
		long b = w->lab[i];
		if (b < 0)
			continue;
		if (map[b] < 0)
			map[b] = (long)k++;
		w->lab[i] = map[b];
	}
	free(map);
	w->n_lab = k;
	return k;
}

void cpts_basins__split_disconnected(cpts_bwork *w)
{
	const cpts_graph *g = w->g;
	size_t n = w->m->n, next = w->n_lab;
	long *nl = cpts_mallocarray(n, sizeof(long));
	size_t *stack = cpts_mallocarray(n + 1, sizeof(size_t));

	for (size_t i = 0; i < n; i++)
		nl[i] = w->locked[i] ? w->lab[i] : -1;
	for (size_t i = 0; i < n; i++) {
		size_t top = 0;
		if (nl[i] >= 0 || w->lab[i] < 0)
			continue;
		nl[i] = (long)next;
		stack[top++] = i;
		while (top) {
			size_t u = stack[--top];
			for (size_t e = g->start[u]; e < g->start[u + 1]; e++) {
				size_t v = g->adj[e];
				if (nl[v] < 0 && !w->locked[v] && w->lab[v] == w->lab[i]) {
					nl[v] = (long)next;
					stack[top++] = v;
				}
			}
		}
		next++;
	}
	memcpy(w->lab, nl, n * sizeof(long));
	w->n_lab = next;
	free(nl);
	free(stack);
	cpts_basins__compact(w);
}

/* Per-basin population and strength, and member lists (head/next). */
typedef struct bstate {
	double *pop, *kk;
	long *head, *next, *tail;
	double *acc;        /* per basin accumulator */
	bool *adjmark;      /* per basin: adjacent to the basin being merged */
	long *touched;
	size_t n_touched;
} bstate;

static void bstate_init(cpts_bwork *w, bstate *st)
{
	size_t n = w->m->n, nb = w->n_lab + 1;

	st->pop = cpts_calloc(nb, sizeof(double));
	st->kk = cpts_calloc(nb, sizeof(double));
	st->head = cpts_mallocarray(nb, sizeof(long));
	st->tail = cpts_mallocarray(nb, sizeof(long));
	st->next = cpts_mallocarray(n + 1, sizeof(long));
	st->acc = cpts_calloc(nb, sizeof(double));
	st->adjmark = cpts_calloc(nb, sizeof(bool));
	st->touched = cpts_mallocarray(nb, sizeof(long));
	st->n_touched = 0;
	for (size_t b = 0; b < nb; b++)
		st->head[b] = st->tail[b] = -1;
	for (size_t i = 0; i < n; i++) {
		long b = w->lab[i];
		if (b < 0)
			continue;
		st->pop[b] += w->m->c[i].pop;
		st->kk[b] += w->sym.k[i];
		st->next[i] = -1;
		if (st->tail[b] < 0)
			st->head[b] = (long)i;
		else
			st->next[st->tail[b]] = (long)i;
		st->tail[b] = (long)i;
	}
}

static void bstate_release(bstate *st)
{
	free(st->pop);
	free(st->kk);
	free(st->head);
	free(st->tail);
	free(st->next);
	free(st->acc);
	free(st->adjmark);
	free(st->touched);
}

/* The basins adjacent to b (st->touched, marked in st->adjmark) and the symmetrised
 * flows b exchanges with each (st->acc); a neighbour is skipped through a locked commune
 * (locked_commune, may be NULL) or when it is a locked basin (locked_basin, may be NULL). */
static void touch_neighbours(cpts_bwork *w, bstate *st, long b, const bool *locked_commune,
			     const bool *locked_basin)
{
	const cpts_graph *g = w->g;

	st->n_touched = 0;
	for (long i = st->head[b]; i >= 0; i = st->next[i])
		for (size_t e = g->start[i]; e < g->start[i + 1]; e++) {
			size_t j = g->adj[e];
			long c = w->lab[j];
			if (c < 0 || c == b || st->adjmark[c] ||
			    (locked_commune && locked_commune[j]) || (locked_basin && locked_basin[c]))
				continue;
			st->adjmark[c] = true;
			st->touched[st->n_touched++] = c;
		}
	for (long i = st->head[b]; i >= 0; i = st->next[i])
		for (size_t e = w->sym.start[i]; e < w->sym.start[i + 1]; e++) {
			long c = w->lab[w->sym.adj[e]];
			if (c >= 0 && c != b && st->adjmark[c])
				st->acc[c] += w->sym.w[e];
		}
}

/* Choose the adjacent basin that b should merge into; -1 when none fits the ceiling. */
static long best_target(cpts_bwork *w, bstate *st, long b, bool by_modularity)
{
	double max = w->opts->max_pop, gamma = w->opts->resolution;
	long best = -1;
	double best_score = -INFINITY;

	touch_neighbours(w, st, b, w->locked, NULL);
	for (size_t t = 0; t < st->n_touched; t++) {
		long c = st->touched[t];
		double score = st->acc[c];
		if (max > 0 && st->pop[b] + st->pop[c] > max)
			continue;
		if (by_modularity && w->sym.two_m > 0)
			score -= gamma * st->kk[b] * st->kk[c] / w->sym.two_m;
		/* ties (no flow at all): the smallest neighbour, then the lowest id */
		if (score > best_score + 1e-12 ||
		    (fabs(score - best_score) <= 1e-12 && best >= 0 &&
		     (st->pop[c] < st->pop[best] || (st->pop[c] == st->pop[best] && c < best)))) {
			best = c;
			best_score = score;
		}
	}
	for (size_t t = 0; t < st->n_touched; t++) {
		st->acc[st->touched[t]] = 0;
		st->adjmark[st->touched[t]] = false;
	}
	return best;
}

static void merge_into(cpts_bwork *w, bstate *st, long b, long c)
{
	for (long i = st->head[b]; i >= 0; i = st->next[i])
		w->lab[i] = c;
	if (st->head[b] >= 0) {
		if (st->tail[c] < 0)
			st->head[c] = st->head[b];
		else
			st->next[st->tail[c]] = st->head[b];
		st->tail[c] = st->tail[b];
	}
	st->head[b] = st->tail[b] = -1;
	st->pop[c] += st->pop[b];
	st->kk[c] += st->kk[b];
	st->pop[b] = st->kk[b] = 0;
}

static int cmp_by_pop(const void *x, const void *y, void *arg)
{
	const double *pop = arg;
	long a = *(const long *)x, b = *(const long *)y;

	if (pop[a] != pop[b])
		return pop[a] < pop[b] ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Is basin c still connected once commune j leaves it? (BFS from another member) */
static bool connected_without(cpts_bwork *w, bstate *st, long c, size_t j, size_t *stack,
			      unsigned *mark, unsigned stamp)
{
	const cpts_graph *g = w->g;
	size_t members = 0, reached = 0, top = 0;
	long start = -1;

	for (long i = st->head[c]; i >= 0; i = st->next[i]) {
		members++;
		if ((size_t)i != j && start < 0)
			start = i;
	}
	if (start < 0)
		return false; /* j is the whole basin */
	mark[start] = stamp;
	stack[top++] = (size_t)start;
	while (top) {
		size_t u = stack[--top];
		reached++;
		for (size_t e = g->start[u]; e < g->start[u + 1]; e++) {
			size_t v = g->adj[e];
			if (v != j && mark[v] != stamp && w->lab[v] == c && !w->locked[v]) {
				mark[v] = stamp;
				stack[top++] = v;
			}
		}
	}
	return reached == members - 1;
}

static void move_commune(cpts_bwork *w, bstate *st, size_t j, long b)
{
	long c = w->lab[j], prev = -1;
	double kj = w->sym.k[j], pj = w->m->c[j].pop;

	for (long i = st->head[c]; i >= 0; prev = i, i = st->next[i])
		if ((size_t)i == j) {
			if (prev < 0)
				st->head[c] = st->next[i];
			else
				st->next[prev] = st->next[i];
			if (st->tail[c] == i)
				st->tail[c] = prev;
			break;
		}
	st->next[j] = -1;
	if (st->tail[b] < 0)
		st->head[b] = (long)j;
	else
		st->next[st->tail[b]] = (long)j;
	st->tail[b] = (long)j;
	w->lab[j] = b;
	st->pop[c] -= pj;
	st->kk[c] -= kj;
	st->pop[b] += pj;
	st->kk[b] += kj;
}

typedef struct stealc {
	size_t j;
	double score;
} stealc;

static int cmp_steal(const void *x, const void *y)
{
	const stealc *a = x, *b = y;

	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	return (a->j > b->j) - (a->j < b->j);
}

/*
 * A basin under the floor whose every merge would break the ceiling takes communes
 * from its neighbours instead: a border commune of a neighbour that stays above the
 * floor and connected, the one exchanging most flows with the basin first. Returns
 * true when one commune moved.
 */
static bool steal_one(cpts_bwork *w, bstate *st, long b, const bool *is_locked_basin,
		      size_t *stack, unsigned *mark, unsigned *stamp)
{
	const cpts_graph *g = w->g;
	double floor_pop = w->opts->min_pop, max = w->opts->max_pop;
	stealc *cand = NULL;
	size_t n_c = 0, cap = 0;
	bool moved = false;

	++*stamp;
	for (long i = st->head[b]; i >= 0; i = st->next[i])
		for (size_t e = g->start[i]; e < g->start[i + 1]; e++) {
			size_t j = g->adj[e];
			long c = w->lab[j];
			double score = 0;
			if (w->locked[j] || c == b || c < 0 || is_locked_basin[c] || mark[j] == *stamp)
				continue;
			mark[j] = *stamp;
			if (st->pop[c] - w->m->c[j].pop < floor_pop ||
			    (max > 0 && st->pop[b] + w->m->c[j].pop > max))
				continue;
			for (size_t f = w->sym.start[j]; f < w->sym.start[j + 1]; f++)
				if (w->lab[w->sym.adj[f]] == b)
					score += w->sym.w[f];
			if (n_c == cap) {
				cap = cap ? 2 * cap : 16;
				cand = cpts_reallocarray(cand, cap, sizeof(stealc));
			}
			cand[n_c++] = (stealc){ j, score };
		}
	if (n_c > 1)
		cpts_qsort(cand, n_c, sizeof(stealc), cmp_steal);
	for (size_t k = 0; k < n_c && !moved; k++) {
		++*stamp;
		if (!connected_without(w, st, w->lab[cand[k].j], cand[k].j, stack, mark, *stamp))
			continue;
		move_commune(w, st, cand[k].j, b);
		moved = true;
	}
	free(cand);
	return moved;
}

/* Steal communes for every basin still under the floor; true when anything moved. */
static bool steal_pass(cpts_bwork *w, bstate *st, const long *small, size_t n_small,
		       const bool *is_locked_basin)
{
	size_t n = w->m->n, *stack = cpts_mallocarray(n + 1, sizeof(size_t));
	unsigned *mark = cpts_calloc(n + 1, sizeof(unsigned)), stamp = 0;
	bool any = false;

	for (size_t k = 0; k < n_small; k++) {
		long b = small[k];
		while (st->head[b] >= 0 && st->pop[b] < w->opts->min_pop &&
		       steal_one(w, st, b, is_locked_basin, stack, mark, &stamp))
			any = true;
	}
	free(stack);
	free(mark);
	return any;
}

void cpts_basins__merge_floor(cpts_bwork *w, bool by_modularity)
{
	double floor_pop = w->opts->min_pop;
	bstate st;
	long *small = NULL;
	bool *is_locked_basin = NULL;

	if (!(floor_pop > 0))
		return;
	cpts_basins__need_sym(w);
	bstate_init(w, &st);
	small = cpts_mallocarray(w->n_lab + 1, sizeof(long));
	is_locked_basin = cpts_calloc(w->n_lab + 1, sizeof(bool));
	for (size_t i = 0; i < w->m->n; i++)
		if (w->locked[i] && w->lab[i] >= 0)
			is_locked_basin[w->lab[i]] = true;
	for (int pass = 0; pass < 1000; pass++) {
		size_t n_small = 0, n_merged = 0;
		for (size_t b = 0; b < w->n_lab; b++)
			if (st.head[b] >= 0 && !is_locked_basin[b] && st.pop[b] < floor_pop)
				small[n_small++] = (long)b;
		qsort_r(small, n_small, sizeof(long), cmp_by_pop, st.pop);
		for (size_t k = 0; k < n_small; k++) {
			long b = small[k], c;
			if (st.head[b] < 0 || st.pop[b] >= floor_pop)
				continue;
			c = best_target(w, &st, b, by_modularity);
			if (c < 0)
				continue;
			merge_into(w, &st, b, c);
			n_merged++;
		}
		if (!n_merged && !steal_pass(w, &st, small, n_small, is_locked_basin))
			break;
	}
	free(small);
	free(is_locked_basin);
	bstate_release(&st);
	cpts_basins__compact(w);
}

int cpts_basins__split_ceiling(cpts_bwork *w)
{
	double max = w->opts->max_pop;
	size_t n = w->m->n, nb = w->n_lab;
	double *pop;
	size_t *cnt;
	bool *active;
	int rc = CPTS_OK;

	if (!(max > 0))
		return CPTS_OK;
	cpts_basins__need_sym(w);
	pop = cpts_calloc(nb + 1, sizeof(double));
	cnt = cpts_calloc(nb + 1, sizeof(size_t));
	active = cpts_calloc(n + 1, sizeof(bool));
	for (size_t i = 0; i < n; i++)
		if (w->lab[i] >= 0) {
			pop[w->lab[i]] += w->m->c[i].pop;
			cnt[w->lab[i]]++;
		}
	/* one basin at a time, so that parts of two large neighbours never mix */
	for (size_t b = 0; b < nb && rc == CPTS_OK; b++) {
		if (!(pop[b] > max) || cnt[b] < 2)
			continue;
		for (size_t i = 0; i < n; i++)
			active[i] = w->lab[i] == (long)b && !w->locked[i];
		rc = cpts_basins__louvain(w, active, w->opts->resolution, max);
	}
	free(pop);
	free(cnt);
	free(active);
	if (rc == CPTS_OK)
		cpts_basins__compact(w);
	return rc;
}

/* Split the most populous unlocked basin (with two communes or more) in two or more
 * parts with the constrained Louvain at half its population; false when none can.
 * Basins whose communes other than the largest hold less than the floor come last: their
 * parts would fall under the floor and merge back, again and again. */
static bool split_largest(cpts_bwork *w, int *rc)
{
	size_t n = w->m->n, nb = w->n_lab;
	double *pop = cpts_calloc(nb + 1, sizeof(double));
	double *big = cpts_calloc(nb + 1, sizeof(double));
	size_t *cnt = cpts_calloc(nb + 1, sizeof(size_t));
	bool *active = NULL, best_ok = false;
	long best = -1;

	for (size_t i = 0; i < n; i++)
		if (w->lab[i] >= 0 && !w->locked[i]) {
			pop[w->lab[i]] += w->m->c[i].pop;
			cnt[w->lab[i]]++;
			if (w->m->c[i].pop > big[w->lab[i]])
				big[w->lab[i]] = w->m->c[i].pop;
		}
	for (size_t b = 0; b < nb; b++) {
		bool ok = pop[b] - big[b] >= w->opts->min_pop;
		if (cnt[b] < 2)
			continue;
		if (best < 0 || (ok && !best_ok) || (ok == best_ok && pop[b] > pop[best])) {
			best = (long)b;
			best_ok = ok;
		}
	}
	free(big);
	if (best >= 0) {
		active = cpts_calloc(n + 1, sizeof(bool));
		for (size_t i = 0; i < n; i++)
			active[i] = w->lab[i] == best && !w->locked[i];
		*rc = cpts_basins__louvain(w, active, w->opts->resolution,
					   pop[best] > 0 ? pop[best] / 2 : 0);
		cpts_basins__split_disconnected(w);
	}
	free(pop);
	free(cnt);
	free(active);
	return best >= 0;
}

/* The smallest unlocked basin that can merge into a neighbour within the ceiling
 * merges into the one it exchanges most flows with; false when none can. */
static bool merge_smallest(cpts_bwork *w, bstate *st, long *order, size_t *n_order)
{
	for (size_t k = 0; k < *n_order; k++) {
		long b = order[k], c;
		if (st->head[b] < 0)
			continue;
		if ((c = best_target(w, st, b, false)) < 0)
			continue;
		merge_into(w, st, b, c);
		/* keep order sorted by population: c grew, move it to its place */
		for (size_t q = 0; q < *n_order; q++)
			if (order[q] == c) {
				while (q + 1 < *n_order && cmp_by_pop(&order[q], &order[q + 1],
								      st->pop) > 0) {
					long t = order[q];
					order[q] = order[q + 1];
					order[++q] = t;
				}
				break;
			}
		return true;
	}
	return false;
}

size_t cpts_basins__count(const cpts_bwork *w)
{
	size_t n = w->m->n, k = 0;
	bool *seen = cpts_calloc(w->n_lab + 1, sizeof(bool));

	for (size_t i = 0; i < n; i++)
		if (w->lab[i] >= 0 && !seen[w->lab[i]]) {
			seen[w->lab[i]] = true;
			k++;
		}
	free(seen);
	return k;
}

int cpts_basins__adjust_count(cpts_bwork *w, size_t target)
{
	size_t nb;
	int rc = CPTS_OK;

	cpts_basins__need_sym(w);
	/* split the largest until there are enough, then merge the smallest down */
	while ((nb = cpts_basins__count(w)) < target && rc == CPTS_OK)
		if (!split_largest(w, &rc))
			break;
	if (rc < 0)
		return rc;
	if (nb > target) {
		bstate st;
		bool *is_locked_basin;
		long *order;
		size_t n_order = 0;
		cpts_basins__compact(w);
		bstate_init(w, &st);
		is_locked_basin = cpts_calloc(w->n_lab + 1, sizeof(bool));
		order = cpts_mallocarray(w->n_lab + 1, sizeof(long));
		for (size_t i = 0; i < w->m->n; i++)
			if (w->locked[i] && w->lab[i] >= 0)
				is_locked_basin[w->lab[i]] = true;
		for (size_t b = 0; b < w->n_lab; b++)
			if (!is_locked_basin[b] && st.head[b] >= 0)
				order[n_order++] = (long)b;
		qsort_r(order, n_order, sizeof(long), cmp_by_pop, st.pop);
		while (nb > target && merge_smallest(w, &st, order, &n_order))
			nb--;
		free(order);
		free(is_locked_basin);
		bstate_release(&st);
		cpts_basins__compact(w);
	}
	return CPTS_OK;
}

/* The best merge partner of basin b: the adjacent unlocked basin it exchanges most
 * flows with, within the ceiling; *gain_out gets the flows. -1 when none. */
static long best_partner(cpts_bwork *w, bstate *st, long b, const bool *is_locked_basin,
			 double *gain_out)
{
	double max = w->opts->max_pop;
	long best = -1;

	touch_neighbours(w, st, b, NULL, is_locked_basin);
	*gain_out = -1;
	for (size_t t = 0; t < st->n_touched; t++) {
		long c = st->touched[t];
		if (max > 0 && st->pop[b] + st->pop[c] > max)
			continue;
		if (st->acc[c] > *gain_out || (st->acc[c] == *gain_out && c < best)) {
			best = c;
			*gain_out = st->acc[c];
		}
	}
	for (size_t t = 0; t < st->n_touched; t++) {
		st->acc[st->touched[t]] = 0;
		st->adjmark[st->touched[t]] = false;
	}
	return best;
}

void cpts_basins__agglomerate(cpts_bwork *w, size_t target)
{
	bstate st;
	bool *is_locked_basin;
	long *partner;
	double *gain;
	size_t nb;

	cpts_basins__need_sym(w);
	cpts_basins__compact(w);
	nb = cpts_basins__count(w);
	bstate_init(w, &st);
	is_locked_basin = cpts_calloc(w->n_lab + 1, sizeof(bool));
	partner = cpts_mallocarray(w->n_lab + 1, sizeof(long));
	gain = cpts_mallocarray(w->n_lab + 1, sizeof(double));
	for (size_t i = 0; i < w->m->n; i++)
		if (w->locked[i] && w->lab[i] >= 0)
			is_locked_basin[w->lab[i]] = true;
	for (size_t b = 0; b < w->n_lab; b++)
		partner[b] = is_locked_basin[b] || st.head[b] < 0 ? -1 :
			     best_partner(w, &st, (long)b, is_locked_basin, &gain[b]);
	while (nb > target) {
		long b = -1, c;
		for (size_t k = 0; k < w->n_lab; k++)
			if (partner[k] >= 0 && (b < 0 || gain[k] > gain[b]))
				b = (long)k;
		if (b < 0)
			break;
		c = partner[b];
		merge_into(w, &st, b, c);
		nb--;
		partner[b] = -1;
		/* c grew: its partner and those of the basins that pointed at b or c, or
		 * touch c, or no longer fit with their partner, change */
		for (long i = st.head[c]; i >= 0; i = st.next[i])
			for (size_t e = w->g->start[i]; e < w->g->start[i + 1]; e++)
				if (w->lab[w->g->adj[e]] >= 0)
					st.adjmark[w->lab[w->g->adj[e]]] = true;
		for (size_t k = 0; k < w->n_lab; k++) {
			bool near = st.adjmark[k];
			st.adjmark[k] = false;
			if (partner[k] < 0 && !near)
				continue;
			if (is_locked_basin[k] || st.head[k] < 0)
				continue;
			if (near || (long)k == c || partner[k] == b || partner[k] == c ||
			    (partner[k] >= 0 && w->opts->max_pop > 0 &&
			     st.pop[k] + st.pop[partner[k]] > w->opts->max_pop))
				partner[k] = best_partner(w, &st, (long)k, is_locked_basin, &gain[k]);
		}
	}
	free(partner);
	free(gain);
	free(is_locked_basin);
	bstate_release(&st);
	cpts_basins__compact(w);
}
