/*
 * profile.c - territory profiles (DOMAIN.md section 6): the run. It loads the ingested
 * tables once into per-commune arrays (load.c, rates.c), aggregates counts per
 * territory, per commune (weighted by the membership weight of split communes), per
 * département, region and the whole area (aggregate.c), derives every indicator of the
 * catalogue from those aggregated counts, never from averaged ratios (emit.c), and
 * stores them in profile_values in one transaction through store/profile_io.c (the
 * rows of each territory sorted into key order, many rows per INSERT: on 1,000
 * territories of 35,000 communes the million-odd rows were most of the run).
 * The files of the run share profile/profile_int.h.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpts/code.h"
#include "cpts/session.h"
#include "profile/profile_int.h"

static int cmp_prow(const void *a, const void *b)
{
	const prow *x = a, *y = b;
	int c;

	/* levels are literals and codes strings of the model: equal pointers, equal text */
	if (x->level != y->level && (c = strcmp(x->level, y->level)) != 0)
		return c;
	if (x->code != y->code && (c = strcmp(x->code, y->code)) != 0)
		return c;
	return strcmp(x->ind, y->ind);
}

/* CPU seconds of the calling thread (the debug timings of the writer). */
static double thread_cpu(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Write the rows of one territory (sorted into key order by profile_territory). */
static int write_rows(cpts_ctx *ctx, cpts_store_pvwriter *w, prun *r, const char *terr,
		      const cpts_vec *rows)
{
	double c0 = thread_cpu();
	int rc = cpts_store_pvwriter_put(ctx, w, terr, rows->data, rows->n);

	r->cpu_write += thread_cpu() - c0;
	r->n_rows += rows->n;
	return rc;
}

/* Every value of territory t into r->rows (emptied first), sorted into key order.
   Touches only the computing state of r (rows, caches, memos, sums): never the
   store, so that it can run beside the writer (write_all). */
static void profile_territory(prun *r, const cpts_partition *p, size_t t)
{
	const char *terr = p->terr[t];
	agg a, in_dep;
	long main_dep = -1, main_reg = -1;
	double *dep_pop = cpts_calloc(r->n_dep + 1, sizeof(double));
	double *reg_pop = cpts_calloc(r->n_reg + 1, sizeof(double));
	bool *reg_seen = cpts_calloc(r->n_reg + 1, sizeof(bool));
	gapref gap = { NULL, NULL };
	int rc = CPTS_OK;

	size_t ns = r->gen ? cpts_profile__gen_slots(r->gen) : 0;

	r->rows.n = 0;

	memset(&a, 0, sizeof(a));
	memset(&in_dep, 0, sizeof(in_dep));
	if (r->gen) {
		memset(r->g_terr, 0, ns * sizeof(double));
		for (size_t k = p->terr_start[t]; k < p->terr_start[t + 1]; k++)
			cpts_profile__gen_add(r->gen, p->members[k].commune, p->members[k].weight,
					      r->g_terr);
	}
	for (size_t k = p->terr_start[t]; k < p->terr_start[t + 1]; k++) {
		const cpts_member *mb = &p->members[k];
		const cpts_commune *c = &r->m->c[mb->commune];
		agg one;
		cpts_profile__agg_add(&a, c, &r->cd[mb->commune], mb->weight);
		long g = cpts_profile__reg_slot(r, c);
		dep_pop[cpts_profile__dep_slot(r, c->dep)] += mb->weight * (r->cd[mb->commune].pop + 1e-9);
		if (g >= 0)
			reg_pop[g] += mb->weight * (r->cd[mb->commune].pop + 1e-9);
		memset(&one, 0, sizeof(one));
		cpts_profile__agg_add(&one, c, &r->cd[mb->commune], mb->weight);
		if (r->gen) {
			memset(r->g_one, 0, ns * sizeof(double));
			cpts_profile__gen_add(r->gen, mb->commune, mb->weight, r->g_one);
			one.gsum = r->g_one;
		}
		if ((rc = cpts_profile__emit(r, "commune", c->code, &one, NULL, false, false)) < 0)
			goto out;
	}
	for (size_t d = 0; d < r->n_dep; d++)
		if (dep_pop[d] > 0 && (main_dep < 0 || dep_pop[d] > dep_pop[main_dep]))
			main_dep = (long)d;
	for (size_t g = 0; g < r->n_reg; g++)
		if (reg_pop[g] > 0 && (main_reg < 0 || reg_pop[g] > reg_pop[main_reg]))
			main_reg = (long)g;
	if (r->gen) {
		memset(r->g_tdep, 0, ns * sizeof(double));
		memset(r->g_treg, 0, ns * sizeof(double));
	}
	for (size_t k = p->terr_start[t]; k < p->terr_start[t + 1]; k++) {
		const cpts_member *mb = &p->members[k];
		const cpts_commune *c = &r->m->c[mb->commune];
		bool in_main = cpts_profile__dep_slot(r, c->dep) == main_dep;
		if (in_main)
			cpts_profile__agg_add(&in_dep, c, &r->cd[mb->commune], mb->weight);
		if (r->gen && in_main)
			cpts_profile__gen_add(r->gen, mb->commune, mb->weight, r->g_tdep);
		if (r->gen && main_reg >= 0 && cpts_profile__reg_slot(r, c) == main_reg)
			cpts_profile__gen_add(r->gen, mb->commune, mb->weight, r->g_treg);
	}
	if (main_dep >= 0) {
		gap.dep = &r->dep_agg[main_dep];
		gap.t_in_dep = &in_dep;
	}
	a.gsum = r->g_terr;
	if ((rc = cpts_profile__emit(r, "territoire", terr, &a, &gap, true, true)) < 0 ||
	    (rc = cpts_profile__emit_compare(r, terr, main_dep >= 0 ? r->dep_agg[main_dep].gsum
							       : NULL, r->g_tdep,
					     main_reg >= 0 ? r->reg_agg[main_reg].gsum : NULL,
					     r->g_treg)) < 0)
		goto out;
	for (size_t d = 0; d < r->n_dep; d++) {
		if (!(dep_pop[d] > 0))
			continue;
		if ((rc = cpts_profile__emit_level(r, "departement", r->dep_code[d], &r->dep_agg[d],
						     &r->dep_cache[d])) < 0)
			goto out;
	}
	for (size_t k = p->terr_start[t]; k < p->terr_start[t + 1]; k++) {
		long g = cpts_profile__reg_slot(r, &r->m->c[p->members[k].commune]);
		if (g < 0 || reg_seen[g])
			continue;
		reg_seen[g] = true;
		if ((rc = cpts_profile__emit_level(r, "region", r->reg_code[g], &r->reg_agg[g],
						     &r->reg_cache[g])) < 0)
			goto out;
	}
	if ((rc = cpts_profile__emit_level(r, "ensemble", "ALL", &r->all, &r->all_cache)) < 0)
		goto out;
	cpts_qsort(r->rows.data, r->rows.n, sizeof(prow), cmp_prow);
out:
	/* emit and put only fail on a bug (CPTS_BUG aborts): no error to carry */
	if (rc < 0)
		CPTS_BUG("profile rows of a territory");
	free(dep_pop);
	free(reg_pop);
	free(reg_seen);
}

/*
 * The territories, computed by a worker thread and written by the calling thread
 * (which owns the store connection): on France's 1,681 bassins de vie with the
 * catalogue, computing (about 3 s) and writing the 4 million rows (about 5 s) were
 * one after the other. The worker fills the row buffers of PIPE_SLOTS territories
 * ahead, in the order of the territory codes (the key order of profile_values: each
 * row goes at the end of the table's B-tree, where SQLite skips the descent from its
 * root; partition order, that of each territory's first commune, is close to it for
 * the bassins de vie, not for every partition); the writer takes them in the same
 * order, so the rows go into
 * the table exactly as one thread would write them. Without a thread (creation
 * failed) the calling thread does both, one territory at a time.
 */
#define PIPE_SLOTS 8

typedef struct pipe_state {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	prun *r;                    /* BORROWED: computing state, the worker's alone */
	const cpts_partition *p;    /* BORROWED */
	const bool *selected;       /* BORROWED */
	const size_t *order;        /* BORROWED: the territories sorted by code */
	cpts_vec buf[PIPE_SLOTS];   /* OWNED: rows of the territories in flight (prow) */
	size_t terr[PIPE_SLOTS];    /* the territory of each buffer */
	size_t made, taken;         /* buffers filled / written so far (slot = count % N) */
	bool stop;                  /* the writer gave up: the worker stops */
	bool finished;              /* the worker has filled its last buffer */
} pipe_state;

static void *pipe_worker(void *arg)
{
	pipe_state *ps = arg;
	prun *r = ps->r;

	for (size_t k = 0; k < ps->p->n_terr; k++) {
		size_t slot, t = ps->order[k];
		if (!ps->selected[t])
			continue;
		pthread_mutex_lock(&ps->mu);
		while (ps->made - ps->taken == PIPE_SLOTS && !ps->stop)
			pthread_cond_wait(&ps->cv, &ps->mu);
		if (ps->stop) {
			pthread_mutex_unlock(&ps->mu);
			break;
		}
		slot = ps->made % PIPE_SLOTS;
		pthread_mutex_unlock(&ps->mu);
		/* the buffer is the worker's until made moves past it */
		r->rows = ps->buf[slot];
		profile_territory(r, ps->p, t);
		ps->buf[slot] = r->rows;
		pthread_mutex_lock(&ps->mu);
		ps->terr[slot] = t;
		ps->made++;
		pthread_cond_broadcast(&ps->cv);
		pthread_mutex_unlock(&ps->mu);
	}
	pthread_mutex_lock(&ps->mu);
	ps->finished = true;
	pthread_cond_broadcast(&ps->cv);
	pthread_mutex_unlock(&ps->mu);
	return NULL;
}

static int cmp_terr(const void *a, const void *b, void *arg)
{
	const cpts_partition *p = arg;

	return strcmp(p->terr[*(const size_t *)a], p->terr[*(const size_t *)b]);
}

static int write_all(cpts_ctx *ctx, cpts_store_pvwriter *w, prun *r, const cpts_partition *p,
		     const bool *selected, size_t n_sel)
{
	pipe_state ps;
	pthread_t th;
	bool threaded;
	size_t done = 0;
	int rc = CPTS_OK;

	size_t *order = cpts_mallocarray(p->n_terr + 1, sizeof(*order));

	for (size_t t = 0; t < p->n_terr; t++)
		order[t] = t;
	qsort_r(order, p->n_terr, sizeof(*order), cmp_terr, (void *)p);
	memset(&ps, 0, sizeof(ps));
	ps.r = r;
	ps.p = p;
	ps.selected = selected;
	ps.order = order;
	for (int k = 0; k < PIPE_SLOTS; k++)
		cpts_vec_init(&ps.buf[k], sizeof(prow), SIZE_MAX / sizeof(prow));
	pthread_mutex_init(&ps.mu, NULL);
	pthread_cond_init(&ps.cv, NULL);
	threaded = pthread_create(&th, NULL, pipe_worker, &ps) == 0;
	for (size_t k = 0; k < p->n_terr && rc >= 0; k++) {
		const cpts_vec *rows;
		size_t slot, t = order[k], tt = t;
		if (threaded) {
			pthread_mutex_lock(&ps.mu);
			while (ps.made == ps.taken && !ps.finished)
				pthread_cond_wait(&ps.cv, &ps.mu);
			if (ps.made == ps.taken) { /* finished: every territory written */
				pthread_mutex_unlock(&ps.mu);
				break;
			}
			slot = ps.taken % PIPE_SLOTS;
			tt = ps.terr[slot];
			pthread_mutex_unlock(&ps.mu);
			rows = &ps.buf[slot];
		} else {
			if (!selected[t])
				continue;
			r->rows = ps.buf[0];
			profile_territory(r, p, t);
			ps.buf[0] = r->rows;
			rows = &ps.buf[0];
			slot = 0;
		}
		rc = write_rows(ctx, w, r, p->terr[tt], rows);
		if (threaded) {
			pthread_mutex_lock(&ps.mu);
			ps.taken++;
			pthread_cond_broadcast(&ps.cv);
			pthread_mutex_unlock(&ps.mu);
		}
		done++;
		if (rc >= 0 && (done & 31) == 0)
			rc = cpts_progress(ctx, (double)done / (double)n_sel, "profiles");
	}
	if (threaded) {
		pthread_mutex_lock(&ps.mu);
		ps.stop = true;
		pthread_cond_broadcast(&ps.cv);
		pthread_mutex_unlock(&ps.mu);
		pthread_join(th, NULL);
	}
	pthread_cond_destroy(&ps.cv);
	pthread_mutex_destroy(&ps.mu);
	/* r->rows is one of the buffers (the last one used): not released twice */
	memset(&r->rows, 0, sizeof(r->rows));
	for (int k = 0; k < PIPE_SLOTS; k++)
		cpts_vec_release(&ps.buf[k]);
	free(order);
	return rc;
}

static int record_meta(cpts_ctx *ctx, cpts_store *s, const prun *r)
{
	const cpts_profile_opts *o = r->o;
	cpts_buf b = CPTS_BUF_INIT, k = CPTS_BUF_INIT;
	int rc;

	cpts_buf_addstr(&b, "{\"reference\":");
	cpts_buf_add_json(&b, o->reference ? o->reference : "national");
	cpts_buf_addstr(&b, ",\"reference_source\":");
	cpts_buf_add_json(&b, r->ref_source ? r->ref_source : "none");
	cpts_buf_addf(&b, ",\"interval\":\"%s\",\"alpha\":%g,\"gp_activity\":%g,"
		      "\"apl_travel\":\"%s\",\"apl_detour\":%g,\"apl_speed_kmh\":%g,"
		      "\"apl_bands_min\":[%g,%g,%g],\"apl_weights\":[%g,%g,%g],"
		      "\"typology\":\"%s\",\"typo_dense\":%g,\"typo_inter\":%g,"
		      "\"input_mask_max\":%g}",
		      o->byar ? "byar" : "garwood", o->alpha, o->gp_activity,
		      r->od ? "traveltime table" : "centroid distance", o->apl_detour,
		      o->apl_speed_kmh, o->apl_t[0], o->apl_t[1], o->apl_t[2], o->apl_w[0],
		      o->apl_w[1], o->apl_w[2], r->has_dens ? "grille de densite (DENS)" : "density",
		      o->typo_dense, o->typo_inter, CPTS_PROFILE_INPUT_MASK_MAX);
	cpts_buf_addf(&k, "profile:%s", r->partition);
	rc = cpts_store_meta_set(ctx, s, k.data, b.data);
	cpts_buf_release(&b);
	cpts_buf_release(&k);
	return rc;
}

/* The options of a profile as recorded with it (deps.c), one "key=value" a line, the
 * reference (a path may hold anything) last: what `export` recomputes a stale profile
 * with. */
char *cpts_profile_params(const cpts_profile_opts *o)
{
	return cpts_asprintf("byar=%d\nalpha=%.17g\ngp_activity=%.17g\napl_detour=%.17g\n"
			     "apl_speed_kmh=%.17g\ntypo_dense=%.17g\ntypo_inter=%.17g\n"
			     "reference=%s", o->byar ? 1 : 0, o->alpha, o->gp_activity,
			     o->apl_detour, o->apl_speed_kmh, o->typo_dense, o->typo_inter,
			     o->reference ? o->reference : "national");
}

int cpts_profile_params_parse(cpts_profile_opts *o, char *params)
{
	static const struct {
		const char *key;
		size_t off;
	} nums[] = {
		{ "alpha", offsetof(cpts_profile_opts, alpha) },
		{ "gp_activity", offsetof(cpts_profile_opts, gp_activity) },
		{ "apl_detour", offsetof(cpts_profile_opts, apl_detour) },
		{ "apl_speed_kmh", offsetof(cpts_profile_opts, apl_speed_kmh) },
		{ "typo_dense", offsetof(cpts_profile_opts, typo_dense) },
		{ "typo_inter", offsetof(cpts_profile_opts, typo_inter) },
	};
	char *line = params;

	while (line && *line) {
		char *eq = strchr(line, '='), *nl;
		if (!eq)
			return CPTS_EINPUT;
		*eq = '\0';
		if (strcmp(line, "reference") == 0) { /* last: the rest of the text */
			o->reference = eq + 1;
			return CPTS_OK;
		}
		if ((nl = strchr(eq + 1, '\n')))
			*nl = '\0';
		if (strcmp(line, "byar") == 0)
			o->byar = strcmp(eq + 1, "1") == 0;
		for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++)
			if (strcmp(line, nums[k].key) == 0 &&
			    !cpts_parse_double(eq + 1, (double *)((char *)o + nums[k].off)))
				return CPTS_EINPUT;
		line = nl ? nl + 1 : NULL;
	}
	return CPTS_OK;
}

static int check_opts(cpts_ctx *ctx, const cpts_profile_opts *o)
{
	if (!o->partition && o->n_communes == 0)
		return cpts_fail(ctx, CPTS_EUSAGE, "give a partition (--partition) or a list of"
				 " communes (--communes)");
	if (!(o->gp_activity > 0))
		return cpts_fail(ctx, CPTS_EUSAGE, "--gp-activity must be positive (got %g)",
				 o->gp_activity);
	if (!(o->alpha > 0 && o->alpha < 1))
		return cpts_fail(ctx, CPTS_EUSAGE, "the significance level must be in (0, 1)"
				 " (got %g)", o->alpha);
	if (!(o->apl_t[0] <= o->apl_t[1] && o->apl_t[1] <= o->apl_t[2] && o->apl_t[0] > 0))
		return cpts_fail(ctx, CPTS_EUSAGE, "APL time bands must be positive and increasing");
	if (!(o->apl_detour > 0 && o->apl_speed_kmh > 0))
		return cpts_fail(ctx, CPTS_EUSAGE, "APL detour and speed must be positive");
	return CPTS_OK;
}

/* --communes: save them as partition "_adhoc", territory "territoire". */
static int save_adhoc(cpts_ctx *ctx, cpts_store *s, const cpts_model *m,
		      const cpts_profile_opts *o)
{
	long *ct = cpts_mallocarray(m->n, sizeof(long));
	char *names[1] = { (char *)"territoire" };
	int rc = CPTS_OK;

	for (size_t i = 0; i < m->n; i++)
		ct[i] = -1;
	for (size_t k = 0; k < o->n_communes; k++) {
		long i = cpts_model_find(m, o->communes[k]);
		if (i < 0) {
			rc = cpts_fail(ctx, CPTS_EUSAGE, "commune '%s' given to --communes is not in"
				       " the workspace", o->communes[k]);
			goto out;
		}
		ct[i] = 0;
	}
	{
		/* the display name of the territory (--name), stored as partitions' names are */
		char *disp[1] = { (char *)o->name };
		rc = cpts_partition_save_named(ctx, s, m, "_adhoc", "input",
					       "cpts profile --communes", NULL, names,
					       o->name && *o->name ? disp : NULL, ct);
	}
out:
	free(ct);
	return rc;
}

int cpts_profile_run(cpts_ctx *ctx, cpts_store *s, const cpts_profile_opts *opts)
{
	prun r;
	cpts_partition *p = NULL;
	cpts_session *own = NULL, *ss = NULL;
	cpts_store_pvwriter *w = NULL;
	bool *selected = NULL;
	size_t n_sel = 0, done = 0;
	double t0 = cpts_now();
	int rc;

	memset(&r, 0, sizeof(r));
	r.o = opts;
	cpts_vec_init(&r.rows, sizeof(prow), SIZE_MAX / sizeof(prow));
	if ((rc = check_opts(ctx, opts)) < 0)
		return rc;
	r.partition = opts->n_communes > 0 ? "_adhoc" : opts->partition;
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		return rc;
	if ((rc = cpts_store_pvwriter_open(ctx, s, &w, r.partition)) < 0)
		goto out;
	/* the model and partition are BORROWED from the session */
	ss = opts->session ? opts->session : (own = cpts_session_borrow(s));
	if ((rc = cpts_session_model(ctx, ss, &r.m)) < 0)
		goto out;
	r.cd = cpts_calloc(r.m->n, sizeof(cdata));
	if (opts->n_communes > 0) {
		cpts_session_invalidate(ctx, ss, CPTS_SESSION_PARTITION, r.partition);
		if ((rc = save_adhoc(ctx, s, r.m, opts)) < 0)
			goto out;
	}
	if ((rc = cpts_session_partition(ctx, ss, r.partition, &p)) < 0)
		goto out;
	selected = cpts_calloc(p->n_terr + 1, sizeof(bool));
	if (opts->n_territories == 0) {
		for (size_t t = 0; t < p->n_terr; t++)
			selected[t] = true;
		n_sel = p->n_terr;
	}
	for (size_t k = 0; k < opts->n_territories; k++) {
		long t = cpts_partition_find(p, opts->territories[k]);
		if (t < 0) {
			rc = cpts_fail(ctx, CPTS_EUSAGE, "partition '%s' has no territory '%s'",
				       r.partition, opts->territories[k]);
			goto out;
		}
		n_sel += !selected[t];
		selected[t] = true;
	}
	/* never count a commune and its arrondissements twice in the level totals */
	for (size_t i = 0; i < r.m->n; i++) {
		long par = r.m->c[i].parent[0] ? cpts_model_find(r.m, r.m->c[i].parent) : -1;
		if (par >= 0 && !r.cd[par].skip_total) {
			r.cd[par].skip_total = true;
			cpts_note(ctx, "commune %s is counted through its arrondissements",
				  r.m->c[par].code);
		}
	}
	/* regions */
	r.reg_index = cpts_strmap_new(32);
	r.reg_code = cpts_calloc(r.m->n + 1, sizeof(*r.reg_code));
	for (size_t i = 0; i < r.m->n; i++) {
		if (cpts_profile__reg_slot(&r, &r.m->c[i]) < 0) {
			snprintf(r.reg_code[r.n_reg], 4, "%s", r.m->c[i].reg);
			cpts_strmap_put(r.reg_index, r.m->c[i].reg, (int64_t)r.n_reg++);
		}
	}
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "profile: model loaded at %.2f s (cpu %.2f s)", cpts_now() - t0,
		 (double)clock() / CLOCKS_PER_SEC);
	if ((rc = cpts_profile__setup_bands(ctx, &r, s)) < 0 || (rc = cpts_profile__load_population(ctx, &r, s)) < 0)
		goto out;
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "profile: population loaded at %.2f s (cpu %.2f s)", cpts_now() - t0,
		 (double)clock() / CLOCKS_PER_SEC);
	if ((rc = cpts_profile__setup_rates(ctx, &r, s)) < 0)
		goto out;
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "profile: consumption and rates at %.2f s (cpu %.2f s)", cpts_now() - t0,
		 (double)clock() / CLOCKS_PER_SEC);
	if ((rc = cpts_profile__load_mt(ctx, &r, s)) < 0 || (rc = cpts_profile__load_supply(ctx, &r, s)) < 0 ||
	    (rc = cpts_profile__load_dens(ctx, &r, s)) < 0)
		goto out;
	for (size_t i = 0; i < r.m->n; i++)
		r.cd[i].apl = NAN;
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "profile: mt, supply, DENS at %.2f s (cpu %.2f s)", cpts_now() - t0,
		 (double)clock() / CLOCKS_PER_SEC);
	if (r.has_supply && (rc = cpts_profile__compute_apl(ctx, &r, s)) < 0)
		goto out;
	cpts_note(ctx, "profile inputs loaded and APL computed in %.2f s", cpts_now() - t0);
	{
		cpts_gen_extra x = { r.prof_cells.data, r.prof_cells.n, cpts_profile__prof_fte, &r };
		if ((rc = cpts_profile__gen_build(ctx, &r.gen, s, r.m, opts->isr_poisson, &x)) < 0)
			goto out;
	}
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "profile: catalogue cells summed at %.2f s (cpu %.2f s)",
		 cpts_now() - t0, (double)clock() / CLOCKS_PER_SEC);
	cpts_profile__build_levels(&r);
	/* replace the previous values of the profiled territories */
	if (opts->n_territories == 0 && (rc = cpts_store_pvwriter_clear(ctx, w, NULL)) < 0)
		goto out;
	for (size_t t = 0; t < p->n_terr && opts->n_territories > 0; t++)
		if (selected[t] && (rc = cpts_store_pvwriter_clear(ctx, w, p->terr[t])) < 0)
			goto out;
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "profile: old values cleared at %.2f s (cpu %.2f s)",
		 cpts_now() - t0, (double)clock() / CLOCKS_PER_SEC);
	if ((rc = write_all(ctx, w, &r, p, selected, n_sel)) < 0)
		goto out;
	done = n_sel;
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "profile: values written at %.2f s (cpu %.2f s, of which"
		 " writing rows %.2f s)", cpts_now() - t0,
		 (double)clock() / CLOCKS_PER_SEC, r.cpu_write);
	if ((rc = record_meta(ctx, s, &r)) < 0)
		goto out;
	/* the inputs it was computed from (deps.c); a profile of some territories only
	 * leaves the record as it was: the others were computed from the recorded inputs */
	if (opts->n_territories == 0) {
		char *params = cpts_profile_params(opts);
		rc = cpts_store_derived_record(ctx, s, "profile", r.partition, params);
		free(params);
		if (rc < 0)
			goto out;
	}
	if ((rc = cpts_store_commit(ctx, s)) < 0)
		goto out;
	/* the calling thread's CPU is the critical path when the worker keeps ahead (on an
	   idle machine the wall time is about it, plus the I/O waits) */
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "profile: committed at %.2f s (cpu %.2f s, of which the"
		 " calling thread %.2f s)", cpts_now() - t0, (double)clock() / CLOCKS_PER_SEC,
		 thread_cpu());
	cpts_progress(ctx, 1.0, "profiles");
	cpts_info(ctx, "profiled %zu territor%s of partition '%s' (%zu values, reference rates: %s,"
		  " %s) in %.1f s", done, done == 1 ? "y" : "ies", r.partition, r.n_rows,
		  r.ref_source ? r.ref_source : "none (no consumption)",
		  !r.has_apl ? "no APL (no supply)" : r.od ? "APL from the traveltime table"
							   : "APL from centroid distances",
		  cpts_now() - t0);
out:
	if (rc < 0)
		cpts_store_rollback(s);
	cpts_store_pvwriter_free(w);
	cpts_vec_release(&r.rows);
	if (r.prof_cells.size)
		cpts_vec_release(&r.prof_cells);
	cpts_strmap_free(r.fte_index);
	free(r.fte);
	cpts_chi2_memo_release(&r.chi2);
	if (r.dep_cache)
		cpts_profile__lcache_release(r.dep_cache, r.n_dep);
	if (r.reg_cache)
		cpts_profile__lcache_release(r.reg_cache, r.n_reg);
	cpts_profile__lcache_release(&r.all_cache, 1);
	free(r.dep_cache);
	free(r.reg_cache);
	free(selected);
	free(r.cd);
	free(r.reg_rates);
	cpts_strmap_free(r.reg_index);
	cpts_strmap_free(r.dep_index);
	free(r.dep_agg);
	free(r.reg_agg);
	cpts_profile__gen_free(r.gen);
	free(r.g_dep);
	free(r.g_reg);
	free(r.g_all);
	free(r.g_terr);
	free(r.g_one);
	free(r.g_tdep);
	free(r.g_treg);
	free(r.dep_code);
	free(r.reg_code);
	if (ss && opts->n_communes > 0) /* rolled back or not, "_adhoc" is not worth keeping */
		cpts_session_invalidate(ctx, ss, CPTS_SESSION_PARTITION, r.partition);
	cpts_session_free(ctx, own);
	return rc;
}
