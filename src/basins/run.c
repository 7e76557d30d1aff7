/*
 * run.c - cpts_basins_run: one basin run from the workspace to a stored partition.
 *
 * Order of the steps (the same for every method, so that they are comparable):
 * locked territories first, then the method on the other communes, then contiguity
 * (split), floor (merge), ceiling (split with constrained Louvain), floor again, then
 * the target count (split the largest, merge the smallest); the optimiser starts from
 * the plurality and modularity results so obtained. A target without explicit floor or
 * ceiling uses the CPTS band (10,000-175,000). The methods are rows of a table
 * (methods.c); the four run functions here share the constraint steps. Basins
 * are named after their pole (the commune receiving most flows), locked territories
 * keep their name. Everything happens in one transaction: a failed run leaves the
 * workspace unchanged.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basins/basins_int.h"
#include "cpts/store_basins.h"
#include "cpts/session.h"

/* The run functions of four rows of the method table (methods.c). */
CPTS_BASINS__METHOD(cpts_basins__method_plurality);
CPTS_BASINS__METHOD(cpts_basins__method_modularity);
CPTS_BASINS__METHOD(cpts_basins__method_leiden);
CPTS_BASINS__METHOD(cpts_basins__method_optimise);

/* Mark the communes of the lock partition; their labels are 3n + territory. */
static int apply_lock(cpts_bwork *w, cpts_store *s, cpts_partition **lock_out)
{
	size_t n = w->m->n;
	int rc;

	*lock_out = NULL;
	w->n_lab = 3 * n + 1;
	if (!w->opts->lock)
		return CPTS_OK;
	if ((rc = cpts_partition_load(w->ctx, lock_out, s, w->m, w->opts->lock)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		long t = (*lock_out)->commune_terr[i];
		if (t >= 0) {
			w->locked[i] = true;
			w->lab[i] = (long)(3 * n) + t;
		}
	}
	w->n_lab = 3 * n + (*lock_out)->n_terr + 1;
	return CPTS_OK;
}

/*
 * Locked territories are kept as given, but one that is not contiguous (through the
 * graph, bridges included) is worth a warning: a CPTS must be one piece of territory.
 * Returns how many are split; names the first communes of the parts.
 */
static size_t check_locked(cpts_bwork *w, const cpts_partition *lock)
{
	size_t n = w->m->n, n_split = 0;
	size_t *stack = cpts_mallocarray(n + 1, sizeof(size_t));
	bool *seen = cpts_calloc(n + 1, sizeof(bool));

	for (size_t t = 0; lock && t < lock->n_terr; t++) {
		size_t parts = 0, first[2] = { 0, 0 };
		for (size_t k = lock->terr_start[t]; k < lock->terr_start[t + 1]; k++) {
			size_t i = lock->members[k].commune, top = 0;
			if (seen[i] || lock->commune_terr[i] != (long)t)
				continue;
			if (parts < 2)
				first[parts] = i;
			parts++;
			seen[i] = true;
			stack[top++] = i;
			while (top > 0) {
				size_t u = stack[--top];
				for (size_t e = w->g->start[u]; e < w->g->start[u + 1]; e++) {
					size_t v = w->g->adj[e];
					if (!seen[v] && lock->commune_terr[v] == (long)t) {
						seen[v] = true;
						stack[top++] = v;
					}
				}
			}
		}
		if (parts > 1) {
			n_split++;
			cpts_warn(w->ctx, "locked territory %s is not contiguous: %zu parts (%s %s,"
				  " %s %s%s): kept as given", lock->terr[t], parts,
				  w->m->c[first[0]].code, w->m->c[first[0]].name,
				  w->m->c[first[1]].code, w->m->c[first[1]].name,
				  parts > 2 ? ", ..." : "");
		}
	}
	free(stack);
	free(seen);
	return n_split;
}

/* Modularity labels of the unlocked communes (constrained Louvain at the ceiling), from
 * the first level in base when one is given. */
static int modularity_labels(cpts_bwork *w, const cpts_louvain_base *base)
{
	bool *active = cpts_calloc(w->m->n + 1, sizeof(bool));
	int rc;

	for (size_t i = 0; i < w->m->n; i++)
		active[i] = !w->locked[i];
	rc = base ? cpts_basins__louvain_from(w, base, w->opts->resolution, NULL)
		  : cpts_basins__louvain(w, active, w->opts->resolution, w->opts->max_pop);
	free(active);
	if (rc < 0)
		return rc;
	/* communes without any flow carry no modularity: like plurality, they join the
	 * adjacent basin (the smallest one, as they send nothing) */
	for (size_t i = 0; i < w->m->n; i++)
		if (!w->locked[i] && !(w->sym.k[i] > 0))
			w->lab[i] = -1;
	if (cpts_basins__attach_rest(w))
		for (size_t i = 0; i < w->m->n; i++)
			if (!w->locked[i] && w->lab[i] < 0)
				w->lab[i] = (long)w->n_lab++;
	cpts_basins__compact(w);
	return rc;
}

static int constrain(cpts_bwork *w, bool by_mod)
{
	int rc;

	cpts_basins__split_disconnected(w);
	cpts_basins__merge_floor(w, by_mod);
	if ((rc = cpts_basins__split_ceiling(w)) < 0)
		return rc;
	cpts_basins__split_disconnected(w);
	cpts_basins__merge_floor(w, by_mod);
	return CPTS_OK;
}

/* Bring the count to the target (when one is asked), keeping floor and contiguity. */
static int fit_count(cpts_bwork *w, size_t target)
{
	size_t nb = 0;
	int rc;

	if (!target)
		return CPTS_OK;
	for (int round = 0; round < 8; round++) {
		if ((rc = cpts_basins__adjust_count(w, target)) < 0)
			return rc;
		cpts_basins__split_disconnected(w);
		cpts_basins__merge_floor(w, false);
		if ((nb = cpts_basins__count(w)) == target)
			return CPTS_OK;
	}
	cpts_warn(w->ctx, "%zu basins instead of the %zu asked: the floor, the ceiling or the"
		  " locked territories leave no other way", nb, target);
	return CPTS_OK;
}

/* Every unlocked commune back to no basin (before another method runs). */
static void reset_unlocked(cpts_bwork *w)
{
	for (size_t i = 0; i < w->m->n; i++)
		if (!w->locked[i])
			w->lab[i] = -1;
}

CPTS_BASINS__METHOD(cpts_basins__method_plurality)
{
	int rc;

	(void)sum;
	if ((rc = cpts_basins__plurality(w)) < 0 || (rc = constrain(w, false)) < 0)
		return rc;
	return fit_count(w, target);
}

/* Modularity at resolution gamma: labels, then the constraints; the basin count. */
static int modularity_at(cpts_bwork *w, double gamma, size_t n_lab0, size_t *count,
			 const cpts_louvain_base *base)
{
	const cpts_basins_opts *saved = w->opts;
	cpts_basins_opts tuned = *w->opts;
	int rc;

	tuned.resolution = gamma;
	w->opts = &tuned;
	reset_unlocked(w);
	w->n_lab = n_lab0;
	if ((rc = modularity_labels(w, base)) == CPTS_OK)
		rc = constrain(w, true);
	w->opts = saved;
	*count = cpts_basins__count(w);
	return rc;
}

/* Flows kept inside basins over all the residents' flows (the overall LI of w->lab). */
static double labels_li(const cpts_bwork *w)
{
	const cpts_flows *f = w->f;
	double in = 0, tot = 0;

	for (size_t i = 0; i < w->m->n; i++) {
		tot += f->row_total[i];
		for (size_t e = f->start[i]; e < f->start[i + 1]; e++)
			if (w->lab[f->col[e]] == w->lab[i] && w->lab[i] >= 0)
				in += f->vol[e];
	}
	return tot > 0 ? in / tot : 0;
}

/* Modularity at gamma (from base when given) fitted to target: merged first by the flows
 * exchanged when above it, then fit_count; its overall LI and whether it has the count. */
static int fitted_at(cpts_bwork *w, double gamma, size_t n_lab0, size_t target,
		     const cpts_louvain_base *base, double *li, bool *at_target, size_t *raw)
{
	int rc;

	if ((rc = modularity_at(w, gamma, n_lab0, raw, base)) < 0)
		return rc;
	/* more basins than asked: merge first the pairs exchanging most flows */
	if (*raw > target)
		cpts_basins__agglomerate(w, target);
	if ((rc = fit_count(w, target)) < 0)
		return rc;
	*li = labels_li(w);
	*at_target = cpts_basins__count(w) == target;
	CPTS_LOG(w->ctx, CPTS_LOG_DEBUG, "modularity: resolution %g: %zu basins, LI %.4f at %zu",
		 gamma, *raw, *li, cpts_basins__count(w));
	return CPTS_OK;
}

/* The search's best fit so far (a fit that reaches the count beats one that does not). */
typedef struct mod_best {
	long *lab;      /* OWNED, n labels */
	size_t n_lab;
	double li, gamma;
	bool at;
} mod_best;

static void keep_best(const cpts_bwork *w, mod_best *b, double gamma, double li, bool at)
{
	if ((at && !b->at) || (at == b->at && li > b->li)) {
		b->li = li;
		b->at = at;
		b->gamma = gamma;
		memcpy(b->lab, w->lab, w->m->n * sizeof(long));
		b->n_lab = w->n_lab;
	}
}

/* One step of the resolution search on its logarithm: too few basins at gamma raise
 * the lower bound, too many the upper one; x4 (or /4) until both are known. */
static double bisect(size_t count, size_t target, double gamma, double *lo, double *hi)
{
	if (count < target)
		*lo = gamma;
	else
		*hi = gamma;
	return *lo > 0 && *hi > 0 ? sqrt(*lo * *hi) : *lo > 0 ? *lo * 4 : *hi / 4;
}

size_t cpts_basins__search_base_min_n = 5000;

/*
 * The search on a large territory (all of France: one Louvain costs seconds): the
 * commune level is run once, at a resolution giving at least 2 groups per basin asked,
 * and kept; the resolution is bisected on the group count of the next levels only
 * (aggregated graph, milliseconds), then three finer resolutions than the one giving
 * the count (x 1.15, 1.32, 1.52: the floor merges groups, and extra ones are merged
 * back by kept flows) are fitted and the best overall LI is kept.
 */
static int modularity_search_base(cpts_bwork *w, size_t target, mod_best *best)
{
	size_t n = w->m->n, n_lab0 = w->n_lab, groups = 0, raw;
	bool *active = cpts_calloc(n + 1, sizeof(bool)), at;
	/* at resolution gamma a commune joins a group that takes more than gamma / K of its
	 * flows when K groups of equal strength share them: 0.15 K to start with, the
	 * first level at twice that (finer groups, that the next levels merge) */
	double gamma = 0.15 * (double)target, gb = 2 * gamma, lo = 0, hi = 0, li;
	cpts_louvain_base *base = NULL;
	int rc = CPTS_OK;

	for (size_t i = 0; i < n; i++)
		active[i] = !w->locked[i];
	for (int t = 0; t < 4; t++) {
		cpts_basins__louvain_base_free(base);
		base = NULL;
		if ((rc = cpts_basins__louvain_base(w, active, gb, w->opts->max_pop, &base)) < 0)
			goto out;
		if (cpts_basins__louvain_base_size(base) >= 2 * target)
			break;
		gb *= 4;
	}
	for (int it = 0; it < 24; it++) {
		reset_unlocked(w);
		w->n_lab = n_lab0;
		if ((rc = cpts_basins__louvain_from(w, base, gamma, &groups)) < 0)
			goto out;
		CPTS_LOG(w->ctx, CPTS_LOG_DEBUG, "modularity: resolution %g: %zu groups", gamma,
			 groups);
		if (groups == target || (lo > 0 && hi > 0 && hi / lo < 1.01))
			break;
		gamma = bisect(groups, target, gamma, &lo, &hi);
	}
	for (int c = 1; c <= 3; c++) {
		double g = gamma * pow(1.15, c);
		if ((rc = fitted_at(w, g, n_lab0, target, base, &li, &at, &raw)) < 0)
			goto out;
		keep_best(w, best, g, li, at);
	}
out:
	cpts_basins__louvain_base_free(base);
	free(active);
	return rc;
}

/*
 * With a target count, the resolution is searched (bisection on its logarithm, from
 * the given one, at most 12 runs) as a user would tune it by hand; every resolution
 * tried is fitted to the target count and the one keeping most flows inside basins
 * (overall LI) is kept. Without the search, the given resolution is fitted. From
 * cpts_basins__search_base_min_n communes on, modularity_search_base.
 */
static int modularity_fit(cpts_bwork *w, size_t target, bool search)
{
	size_t n = w->m->n, n_lab0 = w->n_lab, count;
	double lo = 0, hi = 0, gamma = w->opts->resolution;
	mod_best best = { NULL, 0, -1, 0, false };
	int rc = CPTS_OK;

	if (!search || !target) {
		if ((rc = modularity_at(w, gamma, n_lab0, &count, NULL)) < 0)
			return rc;
		return fit_count(w, target);
	}
	best.lab = cpts_mallocarray(n + 1, sizeof(long));
	best.gamma = gamma;
	if (n >= cpts_basins__search_base_min_n) {
		if ((rc = modularity_search_base(w, target, &best)) < 0)
			goto out;
		goto done;
	}
	/* the bisection (at most 12 runs), then 4 finer resolutions from the one that
	 * gave the count (more basins, merged back by kept flows) */
	for (int it = 0, extra = 0; it < 12 + extra; it++) {
		size_t raw;
		double li;
		bool at_target;
		if ((rc = fitted_at(w, gamma, n_lab0, target, NULL, &li, &at_target, &raw)) < 0)
			goto out;
		keep_best(w, &best, gamma, li, at_target);
		if (extra) {
			gamma *= 1.3;
			continue;
		}
		if (raw == target || it == 11) {
			extra = 4;
			it = 11;
			gamma = (raw >= target ? gamma : hi > 0 ? hi : gamma) * 1.3;
			continue;
		}
		gamma = bisect(raw, target, gamma, &lo, &hi);
	}
done:
	memcpy(w->lab, best.lab, n * sizeof(long));
	w->n_lab = best.n_lab;
	CPTS_LOG(w->ctx, CPTS_LOG_NOTE, "modularity: resolution %g kept (overall LI %.4f at"
		 " %zu basins)", best.gamma, best.li, cpts_basins__count(w));
out:
	free(best.lab);
	return rc;
}

CPTS_BASINS__METHOD(cpts_basins__method_modularity)
{
	(void)sum;
	return modularity_fit(w, target, true);
}

CPTS_BASINS__METHOD(cpts_basins__method_leiden)
{
	int rc;

	(void)sum;
	if ((rc = cpts_basins__leiden(w)) < 0 || (rc = constrain(w, true)) < 0)
		return rc;
	return fit_count(w, target);
}

/*
 * The optimiser starts from the plurality and modularity solutions brought to the
 * target count (or, without a target, to the plurality count), alternating between
 * them over the starts; each start has its own generator.
 */
CPTS_BASINS__METHOD(cpts_basins__method_optimise)
{
	size_t n = w->m->n, n_starts = w->opts->n_starts > 0 ? (size_t)w->opts->n_starts
				       : n < 5000 ? 6 : 2;
	size_t n_lab0 = w->n_lab;
	double t0 = cpts_now(), t1;
	long *seedlab[3] = { NULL, NULL, NULL }, **starts = NULL;
	int rc;

	if ((rc = cpts_basins__method_plurality(w, target, sum)) < 0)
		goto out;
	if (!target)
		target = cpts_basins__count(w);
	seedlab[0] = cpts_mallocarray(n + 1, sizeof(long));
	memcpy(seedlab[0], w->lab, n * sizeof(long));
	reset_unlocked(w);
	w->n_lab = n_lab0;
	/* the modularity start: its resolution searched for the overall LI at the count
	 * (16 runs below 5,000 communes; above, from one first level) */
	if ((rc = modularity_fit(w, target, true)) < 0)
		goto out;
	seedlab[1] = cpts_mallocarray(n + 1, sizeof(long));
	memcpy(seedlab[1], w->lab, n * sizeof(long));
	/* third start (from 3 starts on): the plurality basins before any floor,
	 * agglomerated greedily by the flows they exchange (the LI gain of a merge), then
	 * floor and count */
	if (n_starts >= 3) {
		reset_unlocked(w);
		w->n_lab = n_lab0;
		if ((rc = cpts_basins__plurality(w)) < 0)
			goto out;
		cpts_basins__split_disconnected(w);
		cpts_basins__agglomerate(w, target);
		cpts_basins__merge_floor(w, false);
		if ((rc = cpts_basins__split_ceiling(w)) < 0 || (rc = fit_count(w, target)) < 0)
			goto out;
		seedlab[2] = cpts_mallocarray(n + 1, sizeof(long));
		memcpy(seedlab[2], w->lab, n * sizeof(long));
	}
	starts = cpts_mallocarray(n_starts + 1, sizeof(long *));
	for (size_t s = 0; s < n_starts; s++)
		starts[s] = seedlab[s % (n_starts >= 3 ? 3 : 2)];
	t1 = cpts_now();
	if ((rc = cpts_basins__optimise(w, starts, n_starts, sum)) < 0)
		goto out; /* interrupted: nothing is stored */
	cpts_basins__compact(w);
	CPTS_LOG(w->ctx, CPTS_LOG_NOTE, "optimise: starts built in %.3f s", t1 - t0);
	CPTS_LOG(w->ctx, CPTS_LOG_NOTE, "optimise: objective %.4f after %ld moves (%d starts,"
		 " %.3f s)", sum->objective, sum->iterations, sum->n_starts, sum->opt_seconds);
out:
	free(seedlab[0]);
	free(seedlab[1]);
	free(seedlab[2]);
	free(starts);
	return rc;
}

/* --resample: the reruns, quiet (their warnings repeat the main run's). */
static int run_resample(cpts_bwork *w, cpts_store *s, const cpts_basins__method *method,
			size_t target, cpts_basins_summary *sum)
{
	int verbosity = w->ctx->verbosity, rc;

	if (w->opts->resample <= 0)
		return cpts_basins__stability_clear(w->ctx, s, w->opts->name);
	if (w->ctx->verbosity > CPTS_LOG_ERROR)
		w->ctx->verbosity = CPTS_LOG_ERROR;
	rc = cpts_basins__resample(w, s, w->opts->name, target, method, sum);
	w->ctx->verbosity = verbosity;
	if (rc == CPTS_OK)
		CPTS_LOG(w->ctx, CPTS_LOG_NOTE, "resample: %d reruns in %.2f s, %zu communes with"
			 " co-assignment below %g", sum->n_resamples, sum->resample_seconds,
			 sum->n_unstable, w->opts->stability_threshold);
	return rc;
}

/* Territory ids: the lock's name, or the pole's code (made unique). */
static char **name_basins(cpts_bwork *w, const cpts_partition *lock)
{
	size_t n = w->m->n, nb = w->n_lab;
	long *pole = cpts_mallocarray(nb + 1, sizeof(long)), *lockt = cpts_mallocarray(nb + 1, sizeof(long));
	char **terr = cpts_calloc(nb + 1, sizeof(char *));
	cpts_strmap *used = cpts_strmap_new(nb + 1);

	for (size_t b = 0; b < nb; b++)
		pole[b] = lockt[b] = -1;
	for (size_t i = 0; i < n; i++) {
		long b = w->lab[i];
		if (w->locked[i]) {
			lockt[b] = lock->commune_terr[i];
			continue;
		}
		if (pole[b] < 0 || w->f->col_total[i] > w->f->col_total[pole[b]] ||
		    (w->f->col_total[i] == w->f->col_total[pole[b]] &&
		     w->m->c[i].pop > w->m->c[pole[b]].pop))
			pole[b] = (long)i;
	}
	for (size_t b = 0; b < nb; b++)
		if (lockt[b] >= 0) {
			terr[b] = cpts_strdup(lock->terr[lockt[b]]);
			cpts_strmap_put(used, terr[b], 1);
		}
	for (size_t b = 0; b < nb; b++) {
		int64_t dummy;
		if (terr[b])
			continue;
		terr[b] = cpts_strdup(pole[b] >= 0 ? w->m->c[pole[b]].code : "basin");
		for (int k = 2; cpts_strmap_get(used, terr[b], &dummy); k++) {
			free(terr[b]);
			terr[b] = cpts_asprintf("%s-%d", w->m->c[pole[b]].code, k);
		}
		cpts_strmap_put(used, terr[b], 1);
	}
	cpts_strmap_free(used);
	free(pole);
	free(lockt);
	return terr;
}

static void report_over_ceiling(cpts_bwork *w)
{
	size_t n = w->m->n, nb = w->n_lab;
	double *pop = cpts_calloc(nb + 1, sizeof(double));

	if (!(w->opts->max_pop > 0))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!w->locked[i])
			pop[w->lab[i]] += w->m->c[i].pop;
	for (size_t i = 0; i < n; i++) {
		long b = w->lab[i];
		if (w->locked[i] || !(pop[b] > w->opts->max_pop))
			continue;
		cpts_warn(w->ctx, "commune %s (%s, %.0f inhabitants) is above the ceiling of %.0f"
			  " on its own: it forms its own basin", w->m->c[i].code, w->m->c[i].name,
			  w->m->c[i].pop, w->opts->max_pop);
		pop[b] = 0; /* once */
	}
out:
	free(pop);
}

static int check_opts(cpts_ctx *ctx, cpts_store *s, const cpts_basins_opts *o)
{
	char *kind = NULL;
	int rc = CPTS_OK;

	if (o->min_pop < 0 || o->max_pop < 0 || (o->max_pop > 0 && o->min_pop > o->max_pop))
		return cpts_fail(ctx, CPTS_EUSAGE, "population bounds are inconsistent (floor %g,"
				 " ceiling %g)", o->min_pop, o->max_pop);
	if (o->resample < 0 || !(o->stability_threshold >= 0 && o->stability_threshold <= 1))
		return cpts_fail(ctx, CPTS_EUSAGE, "--resample must be positive and the stability"
				 " threshold within 0-1");
	if (o->target_mean_pop < 0 || (o->threads < 0) || o->n_starts < 0)
		return cpts_fail(ctx, CPTS_EUSAGE, "target mean population, threads and starts"
				 " must be positive");
	if (!(o->resolution > 0))
		return cpts_fail(ctx, CPTS_EUSAGE, "resolution must be positive (got %g)",
				 o->resolution);
	if (!o->name || !*o->name)
		return cpts_fail(ctx, CPTS_EUSAGE, "the partition name is empty");
	if (!cpts_basins__method_find(o->method))
		return cpts_fail(ctx, CPTS_EUSAGE, "unknown method '%s' (%s)", o->method,
				 cpts_basins_method_list());
	if (o->lock && strcmp(o->lock, o->name) == 0)
		return cpts_fail(ctx, CPTS_EUSAGE, "the result would overwrite the locked partition"
				 " '%s' (choose another --name)", o->lock);
	if ((rc = cpts_store_basins_partition_kind(ctx, s, o->name, &kind)) < 0)
		return rc;
	if (kind && strcmp(kind, "basins") != 0)
		rc = cpts_fail(ctx, CPTS_EUSAGE, "partition '%s' exists and is not a basin"
			       " partition (kind '%s'): choose another --name", o->name, kind);
	free(kind);
	return rc;
}

/* The model, graph and flows, BORROWED from the session (cpts/session.h). */
static int load_inputs(cpts_bwork *w, cpts_session *ss, cpts_model **m, cpts_graph **g,
		       cpts_flows **f)
{
	double t0 = cpts_now(), t1, t2;
	int rc;

	if ((rc = cpts_session_model(w->ctx, ss, m)) < 0)
		return rc;
	t1 = cpts_now();
	if ((rc = cpts_session_graph(w->ctx, ss, g)) < 0)
		return rc;
	if (rc == CPTS_ABSENT) {
		cpts_info(w->ctx, "no contiguity graph yet: building it (queen, snap 5 m)");
		if ((rc = cpts_graph_build(w->ctx, g, *m, cpts_session_store(ss), NULL)) < 0)
			return rc;
		cpts_session_put_graph(ss, *g);
	}
	t2 = cpts_now();
	if ((rc = cpts_session_flows(w->ctx, ss, w->opts->profession, f)) < 0)
		return rc;
	CPTS_LOG(w->ctx, CPTS_LOG_DEBUG, "basins: communes loaded in %.3f s, graph %.3f s,"
		 " flows %.3f s", t1 - t0, t2 - t1, cpts_now() - t2);
	if (!((*f)->total > 0))
		cpts_warn(w->ctx, "the workspace holds no flow%s%s: basins follow contiguity and"
			  " population only", w->opts->profession ? " of profession " : "",
			  w->opts->profession ? w->opts->profession : "");
	if (!(*m)->has_population && (w->opts->min_pop > 0 || w->opts->max_pop > 0))
		cpts_warn(w->ctx, "no population ingested: the floor and ceiling cannot act");
	return CPTS_OK;
}

/* The count asked: --target-count, or the population over --target-mean-pop. */
static int resolve_target(cpts_bwork *w, size_t *out)
{
	double total = 0;

	*out = w->opts->target_count;
	if (*out || !(w->opts->target_mean_pop > 0))
		return CPTS_OK;
	if (!w->m->has_population) {
		cpts_warn(w->ctx, "no population ingested: the target mean population is ignored");
		return CPTS_OK;
	}
	for (size_t i = 0; i < w->m->n; i++)
		total += w->m->c[i].pop;
	*out = (size_t)llround(total / w->opts->target_mean_pop);
	if (*out < 1)
		*out = 1;
	cpts_info(w->ctx, "target of %zu basins (%.0f inhabitants / %.0f)", *out, total,
		  w->opts->target_mean_pop);
	return CPTS_OK;
}

int cpts_basins_run(cpts_ctx *ctx, cpts_store *s, const cpts_basins_opts *opts,
		    cpts_basins_summary *summary_out)
{
	cpts_basins_opts def = CPTS_BASINS_OPTS_INIT, eff;
	const cpts_basins__method *method = NULL;
	cpts_bwork w;
	cpts_basins_summary osum;
	cpts_model *m = NULL;
	cpts_graph *g = NULL;
	cpts_flows *f = NULL;
	cpts_partition *lock = NULL, *res = NULL;
	cpts_session *own = NULL, *ss = opts && opts->session ? opts->session
						      : (own = cpts_session_borrow(s));
	char **terr = NULL, *params = NULL;
	cpts_basins_summary sum;
	size_t nb = 0, n_locked_split = 0, target = 0;
	double t0 = cpts_now(), t_load = t0, t_method = t0, t_save = t0, t_metrics = t0;
	int rc;

	memset(&w, 0, sizeof(w));
	memset(&sum, 0, sizeof(sum));
	memset(&osum, 0, sizeof(osum));
	if (!opts)
		opts = &def;
	eff = *opts;
	/* a target without explicit bounds: the CPTS band */
	if ((opts->target_count || opts->target_mean_pop > 0) && opts->default_band) {
		if (!(eff.min_pop > 0))
			eff.min_pop = CPTS_BASINS_CPTS_FLOOR;
		if (!(eff.max_pop > 0))
			eff.max_pop = CPTS_BASINS_CPTS_CEILING;
	}
	opts = &eff;
	w.ctx = ctx;
	w.opts = opts;
	w.rng = opts->seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
	if ((rc = check_opts(ctx, s, opts)) < 0)
		goto out;
	method = cpts_basins__method_find(opts->method);
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		goto out;
	if ((rc = load_inputs(&w, ss, &m, &g, &f)) < 0)
		goto out;
	t_load = cpts_now();
	w.m = m;
	w.g = g;
	w.f = f;
	w.locked = cpts_calloc(m->n + 1, sizeof(bool));
	w.lab = cpts_mallocarray(m->n + 1, sizeof(long));
	for (size_t i = 0; i < m->n; i++)
		w.lab[i] = -1;
	if ((rc = apply_lock(&w, s, &lock)) < 0)
		goto out;
	n_locked_split = check_locked(&w, lock);
	if ((rc = resolve_target(&w, &target)) < 0)
		goto out;
	w.lab0 = cpts_mallocarray(m->n + 1, sizeof(long));
	memcpy(w.lab0, w.lab, m->n * sizeof(long));
	w.n_lab0 = w.n_lab;
	if ((rc = method->run(&w, target, &osum)) < 0)
		goto out;
	nb = cpts_basins__compact(&w);
	t_method = cpts_now();
	report_over_ceiling(&w);
	terr = name_basins(&w, lock);
	params = cpts_asprintf("method=%s min_pop=%g max_pop=%g resolution=%g seed=%lu lock=%s"
			       " target=%zu", method->info.name,
			       opts->min_pop, opts->max_pop, opts->resolution, opts->seed,
			       opts->lock ? opts->lock : "", target);
	if ((rc = cpts_partition_save(ctx, s, m, opts->name, "basins",
				      method->info.name,
				      params, terr, w.lab)) < 0 ||
	    (rc = cpts_store_derived_record(ctx, s, "basin_partition", opts->name, params)) < 0)
		goto out;
	t_save = cpts_now();
	if ((rc = run_resample(&w, s, method, target, &osum)) < 0)
		goto out;
	res = cpts_partition_from_labels(m, opts->name, terr, nb, w.lab);
	if ((rc = cpts_basins__metrics(ctx, s, m, g, f, res, opts, &sum)) < 0)
		goto out;
	sum.n_locked_split = n_locked_split;
	sum.objective = osum.objective;
	sum.iterations = osum.iterations;
	sum.n_starts = osum.n_starts;
	sum.opt_seconds = osum.opt_seconds;
	sum.n_resamples = osum.n_resamples;
	sum.n_unstable = osum.n_unstable;
	sum.resample_seconds = osum.resample_seconds;
	sum.min_pop = opts->min_pop;
	sum.max_pop = opts->max_pop;
	sum.target_count = target;
	if ((rc = cpts_store_record_run(ctx, s, "basins", params)) < 0)
		goto out;
	t_metrics = cpts_now();
	if ((rc = cpts_store_commit(ctx, s)) >= 0) {
		/* what was written, as it would be read back: the session's copy */
		cpts_session_put_partition(ss, res);
		res = NULL;
	}
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "basins: partition stored in %.3f s, metrics computed and"
		 " stored in %.3f s, commit %.3f s", t_save - t_method, t_metrics - t_save,
		 cpts_now() - t_metrics);
	CPTS_LOG(ctx, CPTS_LOG_NOTE, "basins: inputs loaded in %.3f s (%zu flow pairs), method"
		 " and constraints %.3f s, metrics and storage %.3f s", t_load - t0,
		 f ? f->start[f->n] : 0, t_method - t_load, cpts_now() - t_method);
out:
	if (rc < 0) {
		cpts_store_rollback(s);
		cpts_session_invalidate(ctx, ss, CPTS_SESSION_PARTITION, opts->name);
	}
	sum.seconds = cpts_now() - t0;
	if (summary_out)
		*summary_out = sum;
	for (size_t b = 0; terr && b < nb; b++)
		free(terr[b]);
	free(terr);
	free(params);
	cpts_basins__symflows_release(&w.sym);
	free(w.locked);
	free(w.lab);
	free(w.lab0);
	cpts_partition_free(lock);
	cpts_partition_free(res);
	cpts_session_free(ctx, own);
	return rc;
}
