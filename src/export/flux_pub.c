/*
 * flux_pub.c - the flux layer and the report's flow numbers as one publication (issue
 * 19, attack 6): which commune-to-commune pairs the GeoPackage's `flux` layer writes,
 * and which "principales communes de recours" the report names with their share.
 *
 * Why: every flow number the report shows is a sum over a block of commune pairs — a
 * flow table row is the flows from the communes of one territory (or of the communes
 * outside the territories) to those of another, "Autres" and "Total" unions of rows, a
 * named destination the flows of a territory's residents to one commune (its share of
 * the Total at 0.1 %). The flux layer publishes single pairs exactly. A block's row
 * minus its pairs in the layer is the sum of its unpublished (small) pairs: 4,431 -
 * 4,423 = 8 gave a hidden flow away. Rules, for every block of published pairs:
 *  1. its residual (its flows minus its pairs written in the layer) is 0 or at least
 *     the threshold T: when it is 1 to T-1, the smallest pair of the block is not
 *     written (a pair is written only at or above max(--flows-threshold, T), so the
 *     residual then reaches T). Blocks are every (territory or "hors des
 *     territoires") x (territory or "hors") but hors x hors (no table shows it).
 *  2. earlier publications of the workspace (the ledger, level 'fluxpair') make their
 *     pairs known: they count as written here, and a block they leave with a residual
 *     of 1 to T-1 has its territory's flow tables withheld (flows_withheld).
 *  3. a named destination is a sub-block: it is named only when the interval a reader
 *     deduces for its unpublished flows, from its share at 0.1 % of the Total, its
 *     pairs in the layer and its being named (at least T flows), and for the rest of
 *     its block (block residual minus the named destinations of that block) both
 *     reach 0 to T-1 or are proved 0 or at least T (ex_flux_top_accept).
 * The residual of a union of blocks is the sum of theirs: 0 or at least T.
 * The pairs written are recorded in the ledger (cpts_pub_flows: level 'fluxpair'),
 * so that a later export (another partition, after `cpts move`) counts them as known.
 *
 * Ownership: d->flux_pub is OWNED by d (freed by ex_data_free); nothing else is kept.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/publish.h"
#include "export_int.h"
#include "report_int.h"

/* Zone of a destination: territory index, -1 communes outside the territories, -2
 * outside the workspace. */
static long zone_of(const ex_data *d, const ex_flow *f)
{
	if (f->dest < 0)
		return -2;
	return d->p->commune_terr[f->dest] >= 0 ? d->p->commune_terr[f->dest] : -1;
}

typedef struct fx_ent {
	long zd;
	double vol;
	size_t k;
} fx_ent;

static int cmp_ent(const void *a, const void *b)
{
	const fx_ent *x = a, *y = b;

	if (x->zd != y->zd)
		return x->zd < y->zd ? -1 : 1;
	if (x->vol != y->vol)
		return x->vol < y->vol ? -1 : 1;
	return (x->k > y->k) - (x->k < y->k);
}

/* The flows (unmasked) leaving origin zone zo, by destination zone; hors x hors and
 * destinations outside the workspace are left out. */
static size_t zone_flows(const ex_data *d, long zo, const size_t *orig, size_t n_orig,
			 fx_ent **buf, size_t *cap)
{
	size_t n = 0;

	for (size_t m = 0; m < n_orig; m++) {
		long i = (long)orig[m];
		for (size_t k = ex_first_flow(d, i); k < d->n_flows && d->flows[k].orig == i; k++) {
			const ex_flow *f = &d->flows[k];
			long zd = zone_of(d, f);
			if (f->masked || zd == -2 || (zo < 0 && zd < 0))
				continue;
			if (n == *cap) {
				*cap = *cap ? 2 * *cap : 256;
				*buf = cpts_reallocarray(*buf, *cap, sizeof(fx_ent));
			}
			(*buf)[n++] = (fx_ent){ zd, f->volume, k };
		}
	}
	cpts_qsort(*buf, n, sizeof(fx_ent), cmp_ent);
	return n;
}

int ex_flux_prepare(cpts_ctx *ctx, ex_data *d)
{
	const cpts_partition *p = d->p;
	double thr = fmax(d->opts->flow_threshold, d->threshold), T = d->threshold;
	size_t *orig = cpts_calloc(d->m->n + 1, sizeof(size_t)), n_orig, cap = 0;
	fx_ent *e = NULL;
	size_t n_drop = 0, n_withheld = 0;

	d->flux_pub = cpts_calloc(d->n_flows + 1, 1);
	d->flux_known = cpts_calloc(d->n_flows + 1, 1);
	for (size_t k = 0; k < d->n_flows; k++) {
		const ex_flow *f = &d->flows[k];
		if (f->masked || f->dest < 0)
			continue;
		if (cpts_pub_flows_pair_known(d->pf, d->m->c[f->orig].code, f->dest_code))
			d->flux_known[k] = 1;
		if (d->opts->flow_threshold > 0 && f->dest != f->orig && f->volume >= thr)
			d->flux_pub[k] = 1;
	}
	/* origin zones: every territory, then the communes outside the territories */
	for (long zo = 0; zo <= (long)p->n_terr; zo++) {
		long z = zo < (long)p->n_terr ? zo : -1;
		n_orig = 0;
		if (z >= 0) {
			for (size_t m = p->terr_start[z]; m < p->terr_start[z + 1]; m++)
				if (p->commune_terr[p->members[m].commune] == z)
					orig[n_orig++] = p->members[m].commune;
		} else {
			for (size_t i = 0; i < d->m->n; i++)
				if (p->commune_terr[i] < 0)
					orig[n_orig++] = i;
		}
		size_t n = zone_flows(d, z, orig, n_orig, &e, &cap);
		for (size_t a = 0, b; a < n; a = b) {
			double v = 0, w = 0;
			long small = -1;
			for (b = a; b < n && e[b].zd == e[a].zd; b++) {
				v += e[b].vol;
				if (d->flux_pub[e[b].k] || d->flux_known[e[b].k])
					w += e[b].vol;
				if (d->flux_pub[e[b].k] && !d->flux_known[e[b].k] && small < 0)
					small = (long)b; /* sorted by volume: the smallest */
			}
			if (!(v - w > 1e-9 && v - w < T - 1e-9))
				continue;
			if (small >= 0) {
				d->flux_pub[e[small].k] = 0;
				n_drop++;
				continue;
			}
			/* the pairs that pin the block were published earlier: the tables of
			   both territories are withheld */
			long zd = e[a].zd;
			if (z >= 0)
				d->terr[z].flows_withheld = true;
			if (zd >= 0)
				d->terr[zd].flows_withheld = true;
			n_withheld++;
			cpts_warn(ctx, "partition '%s': flows from %s to %s withheld: with the pairs"
				  " of the flux layer published earlier they would give %.0f flows"
				  " (1 to %.0f)", p->name, z >= 0 ? p->terr[z] : "communes outside the"
				  " territories", zd >= 0 ? p->terr[zd] : "communes outside the"
				  " territories", v - w, T - 1);
		}
	}
	if (n_drop)
		cpts_note(ctx, "flux layer: %zu pair(s) not written, so that no flow table row"
			  " minus its pairs gives a small flow away", n_drop);
	(void)n_withheld;
	/* the pairs written are published: recorded with the export */
	for (size_t k = 0; k < d->n_flows; k++)
		if (d->flux_pub[k])
			cpts_pub_flows_pair_mark(d->pf, d->p->name, d->m->c[d->flows[k].orig].code,
						 d->flows[k].dest_code, d->flows[k].volume);
	free(e);
	free(orig);
	return CPTS_OK;
}

/* Interval check of a residual a reader deduces: proved 0, proved >= T, or reaching
 * both 1 and T-1 (whole numbers). */
static bool open_enough(double lo, double hi, double T)
{
	double ilo = ceil(fmax(lo, 0) - 1e-6), ihi = floor(hi + 1e-6);

	return ihi < 0.5 || ilo >= T - 1e-9 || (ilo <= 1 && ihi >= T - 1);
}

static long dest_zone(const ex_data *d, const ex_dest *x)
{
	if (x->dest < 0)
		return -2;
	return d->p->commune_terr[x->dest] >= 0 ? d->p->commune_terr[x->dest] : -1;
}

bool ex_flux_top_accept(const ex_data *d, size_t t, const ex_dest *out, size_t n_out,
			const ex_dest *cand, double total)
{
	const cpts_partition *p = d->p;
	double T = d->threshold, blk_v = 0, blk_w = 0;
	long zc = dest_zone(d, cand);
	const ex_dest *list[EX_TOP_MAX + 1];
	double K[EX_TOP_MAX + 1] = { 0 }, lo[EX_TOP_MAX + 1], hi[EX_TOP_MAX + 1];
	size_t nl = 0;

	if (!d->flux_pub || !(total > 0))
		return true;
	/* the named destinations of the candidate's zone, the candidate last */
	for (size_t j = 0; j < n_out && nl < EX_TOP_MAX; j++)
		if (dest_zone(d, &out[j]) == zc)
			list[nl++] = &out[j];
	list[nl++] = cand;
	/* the block's flows and pairs known (written in the layer, or published earlier),
	   and each named destination's known pairs */
	for (size_t m = p->terr_start[t]; m < p->terr_start[t + 1]; m++) {
		long i = (long)p->members[m].commune;
		if (p->commune_terr[i] != (long)t)
			continue;
		for (size_t k = ex_first_flow(d, i); k < d->n_flows && d->flows[k].orig == i; k++) {
			const ex_flow *f = &d->flows[k];
			if (f->masked || zone_of(d, f) != zc)
				continue;
			blk_v += f->volume;
			if (!d->flux_pub[k] && !d->flux_known[k])
				continue;
			blk_w += f->volume;
			for (size_t j = 0; j < nl; j++)
				if (strcmp(list[j]->code, f->dest_code) == 0)
					K[j] += f->volume;
		}
	}
	/* a reader's interval of each named destination's unpublished flows: its share
	   printed at 0.1 % of the Total, and its being named (at least T flows) */
	double r = blk_v - blk_w, slo = 0, shi = 0;
	for (size_t j = 0; j < nl; j++) {
		double s = round(list[j]->share * 10) / 10;
		lo[j] = fmax(fmax(0, T - K[j]), (s - 0.05) / 100 * total - K[j]);
		hi[j] = (s + 0.05) / 100 * total - K[j];
		slo += lo[j];
		shi += hi[j];
	}
	/* within the block (its residual r exact when its row is shown) */
	for (size_t j = 0; j < nl; j++)
		if (!open_enough(lo[j], fmin(hi[j], r - (slo - lo[j])), T))
			return false;
	/* zones outside the workspace have no pairs in the layer: their rest is the
	   "Autres"/row residual the tables already keep at 0 or >= T */
	return open_enough(fmax(0, r - shi), r - slo, T);
}
