/*
 * html_lettre.c - the "Premiers éléments de diagnostic" of a territory, in plain French,
 * ready to paste into a CPTS's lettre d'intention: territory, communes, population,
 * ACI tier, key figures, points clés and where residents go for care (destination
 * towns by name). One small document model (ex_doc: title, headings, paragraphs,
 * bullets of plain text) is rendered to the HTML page, to Markdown and to an
 * OpenDocument text file (out_odt.c), so the three say exactly the same.
 *
 * Also here: the residents' destinations outside their territory, by commune (flows
 * summed per destination; only volumes at or above the disclosure threshold are named),
 * and the input of the points clés (html_keys.c) from the disclosed values.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/code.h"
#include "cpts/version.h"
#include "export/report_int.h"

/* ---- the document model ---- */

static void doc_add(ex_doc *doc, ex_doc_kind kind, const char *text, bool repeat)
{
	if (doc->n == doc->cap) {
		doc->cap = doc->cap ? 2 * doc->cap : 16;
		doc->kind = cpts_reallocarray(doc->kind, doc->cap, sizeof(*doc->kind));
		doc->text = cpts_reallocarray(doc->text, doc->cap, sizeof(*doc->text));
		doc->repeat = cpts_reallocarray(doc->repeat, doc->cap, sizeof(*doc->repeat));
	}
	doc->kind[doc->n] = kind;
	doc->repeat[doc->n] = repeat;
	doc->text[doc->n++] = cpts_strdup(text);
}

void ex_doc_add(ex_doc *doc, ex_doc_kind kind, const char *text)
{
	doc_add(doc, kind, text, false);
}

void ex_doc_add_repeat(ex_doc *doc, ex_doc_kind kind, const char *text)
{
	doc_add(doc, kind, text, true);
}

void ex_doc_release(ex_doc *doc)
{
	for (size_t k = 0; k < doc->n; k++)
		free(doc->text[k]);
	free(doc->kind);
	free(doc->text);
	free(doc->repeat);
	memset(doc, 0, sizeof(*doc));
}

void ex_doc_html(cpts_buf *b, const ex_doc *doc)
{
	bool in_list = false;

	for (size_t k = 0; k < doc->n; k++) {
		if (doc->kind[k] != EX_DOC_ITEM && in_list) {
			cpts_buf_addstr(b, "</ul>\n");
			in_list = false;
		}
		const char *cls = doc->repeat[k] ? " class=\"noprint\"" : "";
		switch (doc->kind[k]) {
		case EX_DOC_TITLE:
			cpts_buf_addf(b, "<h2%s>", cls);
			cpts_buf_add_html(b, doc->text[k]);
			cpts_buf_addstr(b, "</h2>\n");
			break;
		case EX_DOC_HEAD:
			cpts_buf_addf(b, "<h3%s>", cls);
			cpts_buf_add_html(b, doc->text[k]);
			cpts_buf_addstr(b, "</h3>\n");
			break;
		case EX_DOC_PARA:
			cpts_buf_addf(b, "<p%s>", cls);
			cpts_buf_add_html(b, doc->text[k]);
			cpts_buf_addstr(b, "</p>\n");
			break;
		case EX_DOC_ITEM:
			if (!in_list)
				cpts_buf_addf(b, "<ul%s>\n", cls);
			in_list = true;
			cpts_buf_addstr(b, "<li>");
			cpts_buf_add_html(b, doc->text[k]);
			cpts_buf_addstr(b, "</li>\n");
			break;
		}
	}
	if (in_list)
		cpts_buf_addstr(b, "</ul>\n");
}

/* Markdown: escape the characters that would start markup inside a line. */
static void add_md(cpts_buf *b, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\`*_[]<>#|", *s))
			cpts_buf_addch(b, '\\');
		cpts_buf_addch(b, *s);
	}
}

void ex_doc_markdown(cpts_buf *b, const ex_doc *doc)
{
	for (size_t k = 0; k < doc->n; k++) {
		switch (doc->kind[k]) {
		case EX_DOC_TITLE:
			cpts_buf_addstr(b, "# ");
			break;
		case EX_DOC_HEAD:
			cpts_buf_addstr(b, "\n## ");
			break;
		case EX_DOC_PARA:
			if (k > 0 && doc->kind[k - 1] == EX_DOC_ITEM)
				cpts_buf_addch(b, '\n');
			break;
		case EX_DOC_ITEM:
			cpts_buf_addstr(b, "- ");
			break;
		}
		add_md(b, doc->text[k]);
		cpts_buf_addstr(b, doc->kind[k] == EX_DOC_ITEM ? "\n" : "\n\n");
	}
}

/* ---- destinations ---- */

typedef struct dest_acc {
	long dest;           /* model index, -1 outside the workspace */
	const char *code;    /* BORROWED from the flow */
	double volume;
} dest_acc;

static int cmp_dest_code(const void *a, const void *b)
{
	return strcmp(((const dest_acc *)a)->code, ((const dest_acc *)b)->code);
}

static int cmp_dest_vol(const void *a, const void *b)
{
	const dest_acc *x = a, *y = b;

	if (x->volume != y->volume)
		return x->volume > y->volume ? -1 : 1;
	return strcmp(x->code, y->code);
}

static size_t top_compute(const ex_data *d, size_t t, ex_dest *out, size_t max,
			  double *li_out)
{
	const cpts_partition *p = d->p;
	dest_acc *acc = NULL;
	size_t n_acc = 0, cap = 0, w = 0, n_out = 0;
	double total = 0, inside = 0;

	for (size_t k = p->terr_start[t]; k < p->terr_start[t + 1]; k++) {
		long i = (long)p->members[k].commune;
		for (size_t f = ex_first_flow(d, i); f < d->n_flows && d->flows[f].orig == i; f++) {
			const ex_flow *fl = &d->flows[f];
			if (fl->masked)
				continue;
			total += fl->volume;
			if (fl->dest >= 0 && p->commune_terr[fl->dest] == (long)t) {
				inside += fl->volume;
				continue;
			}
			if (n_acc == cap) {
				cap = cap ? 2 * cap : 64;
				acc = cpts_reallocarray(acc, cap, sizeof(dest_acc));
			}
			acc[n_acc++] = (dest_acc){ fl->dest, fl->dest_code, fl->volume };
		}
	}
	/* a share over fewer flows than the threshold pins its counts (4 / 7 = 57,1 %), so
	   does one of fewer than the threshold staying inside (beside the flow table's
	   total); withheld flows (a total published earlier, cpts_pub_flow) show nothing */
	*li_out = total >= d->threshold && !(inside > 0 && inside < d->threshold) &&
			  !d->terr[t].flows_withheld ? 100.0 * inside / total : NAN;
	if (d->terr[t].flows_withheld)
		n_acc = 0;
	cpts_qsort(acc, n_acc, sizeof(dest_acc), cmp_dest_code);
	for (size_t k = 0; k < n_acc; k++) {
		if (w > 0 && strcmp(acc[w - 1].code, acc[k].code) == 0)
			acc[w - 1].volume += acc[k].volume;
		else
			acc[w++] = acc[k];
	}
	cpts_qsort(acc, w, sizeof(dest_acc), cmp_dest_vol);
	for (size_t k = 0; k < w && n_out < max; k++) {
		ex_dest *o = &out[n_out];
		char dep[4];
		if (acc[k].volume < d->threshold)
			break;
		o->dest = acc[k].dest;
		snprintf(o->code, sizeof(o->code), "%s", acc[k].code);
		o->share = 100.0 * acc[k].volume / total;
		/* named only when it pins no unpublished flow beside the flux layer */
		if (!ex_flux_top_accept(d, t, out, n_out, o, total))
			continue;
		if (acc[k].dest >= 0 && d->m->c[acc[k].dest].name) {
			snprintf(o->name, sizeof(o->name), "%s", d->m->c[acc[k].dest].name);
		} else {
			cpts_code_dep(acc[k].code, dep);
			snprintf(o->name, sizeof(o->name), "commune %s (%s)", acc[k].code,
				 ex_dep_label(dep));
		}
		o->volume = acc[k].volume;
		o->share = 100.0 * acc[k].volume / total;
		n_out++;
	}
	free(acc);
	return n_out;
}

size_t ex_top_destinations(const ex_data *d, size_t t, ex_dest *out, size_t max,
			   double *li_out)
{
	const ex_top *c = d->top ? &d->top[t] : NULL;
	size_t n;

	if (!c || max > EX_TOP_MAX)
		return top_compute(d, t, out, max, li_out);
	/* the first max of the longest list are the list of max (same order, same cut) */
	n = c->n < max ? c->n : max;
	memcpy(out, c->dest, n * sizeof(ex_dest));
	*li_out = c->li;
	return n;
}

ex_top *ex_top_prepare(const ex_data *d)
{
	ex_top *top = cpts_calloc(d->p->n_terr + 1, sizeof(ex_top));

	for (size_t t = 0; t < d->p->n_terr; t++)
		top[t].n = top_compute(d, t, top[t].dest, EX_TOP_MAX, &top[t].li);
	return top;
}

/* ---- key-point input ---- */

static double pub(const cpts_pvalue *v)
{
	return v && !v->masked ? v->value : NAN;
}

/* The département holding most of the territory's population (as profile.c's gap). */
static const char *main_dep(const ex_data *d, size_t t)
{
	const ex_terr *e = &d->terr[t];
	double pop[EX_MAX_CMP] = { 0 };
	int best = -1;

	for (size_t k = d->p->terr_start[t]; k < d->p->terr_start[t + 1]; k++) {
		const cpts_commune *c = &d->m->c[d->p->members[k].commune];
		for (int j = 0; j < e->n_deps; j++)
			if (strcmp(e->deps[j], c->dep) == 0)
				pop[j] += c->pop * d->p->members[k].weight;
	}
	for (int j = 0; j < e->n_deps; j++)
		if (best < 0 || pop[j] > pop[best])
			best = j;
	return best >= 0 ? e->deps[best] : NULL;
}

static void place_fill(ex_kp_place *pl, const ex_data *d, const char *id, const char *level,
		       const char *code)
{
	const cpts_pvalue *icc = ex_value(d, id, level, code, "icc");

	pl->share = pub(ex_value(d, id, level, code, "mt_share"));
	pl->x = pub(ex_value(d, id, level, code, "mt_sans_mt"));
	pl->n = pub(ex_value(d, id, level, code, "mt_patients"));
	pl->icc = pub(icc);
	pl->icc_lo = icc ? icc->lo : NAN;
	pl->icc_hi = icc ? icc->hi : NAN;
}

void ex_kp_fill(ex_kp_input *in, const ex_data *d, size_t t, char *dep_the, char *reg_the,
		size_t n_the, const ex_dest *first, double li)
{
	const char *id = d->p->terr[t];
	const ex_terr *e = &d->terr[t];
	const char *dep = main_dep(d, t);
	const char *reg = dep ? cpts_dep_region(dep) : NULL;
	const cpts_pvalue *icc = ex_value(d, id, "territoire", id, "icc");
	const cpts_pvalue *pv = ex_value(d, id, "territoire", id, "mt_gap_pvalue");

	memset(in, 0, sizeof(*in));
	in->alpha = 0.05;
	in->pop = ex_terr_number(d, t, "pop_total", NULL);
	in->tier = (int)ex_terr_number(d, t, "aci_tier", NULL);
	in->mt_share = pub(ex_value(d, id, "territoire", id, "mt_share"));
	in->mt_x = pub(ex_value(d, id, "territoire", id, "mt_sans_mt"));
	in->mt_n = pub(ex_value(d, id, "territoire", id, "mt_patients"));
	in->mt_p_dep = pub(pv);
	/* over masked input cells the ICC is not published, but its interval widened to
	   hold whatever those cells are is (cpts/profile.h), and may exclude 100 */
	in->icc = pub(icc);
	in->icc_lo = icc ? icc->lo : NAN;
	in->icc_hi = icc ? icc->hi : NAN;
	in->missing_gps = pub(ex_value(d, id, "territoire", id, "missing_gps"));
	in->gp_density = pub(ex_value(d, id, "territoire", id, "gp_density"));
	in->li = li;
	in->first_out = first ? first->name : NULL;
	in->first_out_share = first ? first->share : NAN;
	in->dep.share = in->reg.share = NAN;
	in->dep.x = in->dep.n = in->reg.x = in->reg.n = NAN;
	in->dep.icc = in->dep.icc_lo = in->dep.icc_hi = NAN;
	in->reg.icc = in->reg.icc_lo = in->reg.icc_hi = NAN;
	in->dep_gp_density = in->reg_gp_density = NAN;
	if (dep) {
		ex_place_the(dep_the, n_the, false, dep);
		in->dep.the = dep_the;
		place_fill(&in->dep, d, id, "departement", dep);
		in->dep_gp_density = pub(ex_value(d, id, "departement", dep, "gp_density"));
	}
	if (reg && e->n_regs > 0) {
		ex_place_the(reg_the, n_the, true, reg);
		in->reg.the = reg_the;
		place_fill(&in->reg, d, id, "region", reg);
		in->reg_gp_density = pub(ex_value(d, id, "region", reg, "gp_density"));
	}
}

/* ---- the lettre d'intention block ---- */

typedef struct pop_commune {
	size_t i;
	double pop;
} pop_commune;

static int cmp_pop_desc(const void *a, const void *b)
{
	const pop_commune *x = a, *y = b;

	if (x->pop != y->pop)
		return x->pop > y->pop ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static void add_value_txt(cpts_buf *b, const ex_data *d, size_t t, const char *key)
{
	const cpts_indicator *ind = cpts_indicator_find(key);
	const char *id = d->p->terr[t];
	char s[96];

	ex_fmt_value(s, sizeof(s), ind, ex_value(d, id, "territoire", id, key), d->threshold);
	cpts_buf_addstr(b, s);
}

static bool has_value(const ex_data *d, size_t t, const char *key)
{
	const char *id = d->p->terr[t];
	const cpts_pvalue *v = ex_value(d, id, "territoire", id, key);

	return v && (v->masked || !isnan(v->value));
}

static void lettre_communes(ex_doc *doc, const ex_data *d, size_t t, const char *name)
{
	const cpts_partition *p = d->p;
	const ex_terr *e = &d->terr[t];
	size_t n = p->terr_start[t + 1] - p->terr_start[t];
	pop_commune *v = cpts_calloc(n + 1, sizeof(pop_commune));
	cpts_buf b = CPTS_BUF_INIT;
	char s[64];

	for (size_t k = 0; k < n; k++) {
		v[k].i = p->members[p->terr_start[t] + k].commune;
		v[k].pop = d->m->c[v[k].i].pop;
	}
	cpts_qsort(v, n, sizeof(pop_commune), cmp_pop_desc);
	cpts_buf_addf(&b, "Territoire envisagé : %s, %zu commune%s", name, n, n > 1 ? "s" : "");
	if (e->n_deps > 0) {
		cpts_buf_addstr(&b, " (");
		for (int k = 0; k < e->n_deps; k++)
			cpts_buf_addf(&b, "%s%s", k ? ", " : "", ex_dep_label(e->deps[k]));
		cpts_buf_addstr(&b, ")");
	}
	cpts_buf_addstr(&b, " : ");
	for (size_t k = 0; k < n; k++)
		cpts_buf_addf(&b, "%s%s", k ? ", " : "", d->m->c[v[k].i].name ?
			      d->m->c[v[k].i].name : d->m->c[v[k].i].code);
	cpts_buf_addstr(&b, ".");
	ex_doc_add(doc, EX_DOC_PARA, b.data);
	cpts_buf_reset(&b);
	if (d->m->has_population) {
		double pop = ex_terr_number(d, t, "pop_total", NULL);
		const cpts_aci_tier *tier = cpts_aci_tier_of(pop);
		cpts_buf_addf(&b, "Population : %s habitants", cpts_fmt_fr(s, sizeof(s), pop, 0));
		if (has_value(d, t, "share_75p")) {
			cpts_buf_addstr(&b, ", dont ");
			add_value_txt(&b, d, t, "share_75p");
			cpts_buf_addstr(&b, " de 75 ans ou plus");
		}
		cpts_buf_addf(&b, " ; taille %d de l'accord conventionnel interprofessionnel"
			      " (financement annuel de %s\xc2\xa0€ au plus).", tier->tier,
			      cpts_fmt_fr(s, sizeof(s), tier->total_eur, 0));
		ex_doc_add(doc, EX_DOC_PARA, b.data);
	}
	cpts_buf_release(&b);
	free(v);
}

static void lettre_figures(ex_doc *doc, const ex_data *d, size_t t)
{
	static const char *const keys[] = { "mt_sans_mt", "mt_share", "icc", "missing_gps",
					    "gp_count", "gp_density", "apl", NULL };
	cpts_buf b = CPTS_BUF_INIT;
	bool head = false;

	for (int k = 0; keys[k]; k++) {
		const cpts_indicator *ind = cpts_indicator_find(keys[k]);
		const cpts_pvalue *v = ex_value(d, d->p->terr[t], "territoire", d->p->terr[t],
						keys[k]);
		if (!has_value(d, t, keys[k]))
			continue;
		/* missing GPs only when there are some to speak of (published, above 0) */
		if (strcmp(keys[k], "missing_gps") == 0 && (v->masked || !(v->value >= 0.05)))
			continue;
		if (!head)
			ex_doc_add_repeat(doc, EX_DOC_HEAD, "Chiffres clés");
		head = true;
		cpts_buf_reset(&b);
		cpts_buf_addstr(&b, ind->label_fr);
		cpts_buf_addstr(&b, " : ");
		add_value_txt(&b, d, t, keys[k]);
		ex_doc_add_repeat(doc, EX_DOC_ITEM, b.data);
	}
	cpts_buf_release(&b);
}

void ex_lettre_make(ex_doc *doc, const ex_data *d, size_t t, const char *name,
		    const ex_scope *sc)
{
	ex_dest dest[5];
	double li;
	size_t n_dest = ex_top_destinations(d, t, dest, 5, &li);
	ex_kp_input in;
	char dep_the[96], reg_the[96], date[48], s[64];
	char *kp[EX_KP_MAX];
	size_t n_kp;
	cpts_buf b = CPTS_BUF_INIT;

	(void)sc;
	cpts_buf_addf(&b, "Premiers éléments de diagnostic — %s", name);
	ex_doc_add(doc, EX_DOC_TITLE, b.data);
	lettre_communes(doc, d, t, name);
	lettre_figures(doc, d, t);
	ex_kp_fill(&in, d, t, dep_the, reg_the, sizeof(dep_the), n_dest ? &dest[0] : NULL, li);
	n_kp = ex_keypoints(kp, &in);
	if (n_kp)
		ex_doc_add_repeat(doc, EX_DOC_HEAD, "Points clés");
	for (size_t k = 0; k < n_kp; k++) {
		ex_doc_add_repeat(doc, EX_DOC_ITEM, kp[k]);
		free(kp[k]);
	}
	if (isfinite(li)) {
		ex_doc_add(doc, EX_DOC_HEAD, "Où se soignent les habitants");
		cpts_buf_reset(&b);
		cpts_buf_addf(&b, "%s des recours des habitants à un médecin généraliste ont lieu"
			      " dans le territoire.", cpts_fmt_fr_pct(s, sizeof(s), li / 100, 1));
		if (n_dest) {
			cpts_buf_addstr(&b, " Principales destinations hors du territoire : ");
			for (size_t k = 0; k < n_dest; k++)
				cpts_buf_addf(&b, "%s%s (%s)", k ? ", " : "", dest[k].name,
					      cpts_fmt_fr_pct(s, sizeof(s), dest[k].share / 100, 1));
			cpts_buf_addstr(&b, ".");
		}
		ex_doc_add(doc, EX_DOC_PARA, b.data);
	}
	ex_date_fr(date, sizeof(date), d->timestamp);
	cpts_buf_reset(&b);
	cpts_buf_addf(&b, "Source : diagnostic produit par cpts %s le %s ; les effectifs de"
		      " santé de 0 à %.0f sont masqués (secret statistique).", CPTS_VERSION, date,
		      d->threshold - 1);
	ex_doc_add(doc, EX_DOC_PARA, b.data);
	cpts_buf_release(&b);
}
