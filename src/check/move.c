/*
 * move.c - `cpts move`: a what-if partition with some communes moved to a territory,
 * and the before/after of the territories it touches.
 *
 * The new partition is written by the store (cpts_store_partition_move, a copy in SQL
 * rather than cpts_partition_save: the copy keeps what the in-memory assignment cannot
 * express, split communes with their weights and the statut of each member, so the new
 * partition differs from the old one in the moved rows only and the deltas printed are
 * those of the move alone).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_int.h"
#include "cpts/store_check.h"
#include "cpts/outfile.h"

/* Check the arguments before opening the transaction: usage errors name the culprit. */
static int move_validate(cpts_ctx *ctx, cpts_store *s, const char *from, const char *as,
			 const char *const *codes, size_t n_codes, const char *to, bool replace)
{
	int rc = CPTS_OK, found;

	if ((found = cpts_store_has_partition(ctx, s, from)) < 0)
		return found;
	if (!found)
		return cpts_fail(ctx, CPTS_EUSAGE, "no partition named '%s' in workspace '%s'",
				 from, cpts_store_path(s));
	if (strcmp(from, as) == 0)
		return cpts_fail(ctx, CPTS_EUSAGE, "--as must name a new partition, not '%s' itself",
				 from);
	if (!as || !*as)
		return cpts_fail(ctx, CPTS_EUSAGE, "--as needs a partition name");
	if (!to || !*to)
		return cpts_fail(ctx, CPTS_EUSAGE, "--to needs a territory id");
	if (n_codes == 0)
		return cpts_fail(ctx, CPTS_EUSAGE, "--commune needs at least one INSEE code");
	for (size_t k = 0; k < n_codes && rc == CPTS_OK; k++) {
		int has = cpts_store_has_commune(ctx, s, codes[k]);
		if (has < 0)
			return has;
		if (!has)
			rc = cpts_fail(ctx, CPTS_EUSAGE, "commune '%s' is not in the workspace",
				       codes[k]);
	}
	if (rc == CPTS_OK && !replace && (rc = cpts_store_has_partition(ctx, s, as)) > 0)
		rc = cpts_fail(ctx, CPTS_EUSAGE, "partition '%s' exists already: choose another"
			       " --as, or give --replace to replace it (its metrics and profiles"
			       " are dropped)", cpts_text(as));
	return rc;
}

int cpts_check_move(cpts_ctx *ctx, cpts_store *s, const char *from, const char *as,
		    const char *const *codes, size_t n_codes, const char *to, bool replace)
{
	int rc;

	if ((rc = move_validate(ctx, s, from, as, codes, n_codes, to, replace)) < 0)
		return rc;
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		return rc;
	if ((rc = cpts_store_partition_move(ctx, s, from, as, codes, n_codes, to)) < 0) {
		cpts_store_rollback(s);
		return rc;
	}
	return cpts_store_commit(ctx, s);
}

/* flows are health counts: masked below this (the default of --mask-threshold) */
#define CPTS_MOVE_MASK_THRESHOLD 11.0

/* One territory's measures, printed before and after. */
static void delta_row_num(cpts_buf *b, const char *label, double x, double y, int dec,
			  bool json, bool *first)
{
	if (json) {
		cpts_buf_addf(b, "%s\"%s\":[", *first ? "" : ",", label);
		if (isnan(x))
			cpts_buf_addstr(b, "null,");
		else
			cpts_buf_addf(b, "%.*f,", dec, x);
		if (isnan(y))
			cpts_buf_addstr(b, "null]");
		else
			cpts_buf_addf(b, "%.*f]", dec, y);
		*first = false;
		return;
	}
	cpts_buf_addf(b, "  %-12s", label);
	if (isnan(x))
		cpts_buf_addf(b, " %12s", "n/a");
	else
		cpts_buf_addf(b, " %12.*f", dec, x);
	if (isnan(y))
		cpts_buf_addf(b, " %12s", "n/a");
	else
		cpts_buf_addf(b, " %12.*f", dec, y);
	if (!isnan(x) && !isnan(y))
		cpts_buf_addf(b, " %+12.*f", dec, y - x);
	cpts_buf_addch(b, '\n');
}

/* A flow total after the move, or NAN ("n/a") when the change is a health count
 * between 1 and 10 (DOMAIN.md section 7: the moved communes' own flows would show). */
static double flow_after(double x, double y)
{
	double dlt = fabs(y - x);

	return !isnan(x) && !isnan(y) && dlt > 1e-9 && dlt < CPTS_MOVE_MASK_THRESHOLD ? NAN : y;
}

static const cpts_check_terr *find_terr(const cpts_check_report *r, const char *id)
{
	long t = id ? cpts_partition_find(r->part, id) : -1;

	return t >= 0 ? &r->terr[t] : NULL;
}

static void delta_terr(cpts_buf *b, const char *id, const cpts_check_report *before,
		       const cpts_check_report *after, bool json)
{
	const cpts_check_terr *x = find_terr(before, id), *y = find_terr(after, id);
	bool first = true;

	if (json) {
		cpts_buf_addstr(b, "{\"id\":");
		cpts_buf_add_json(b, id);
		cpts_buf_addch(b, ',');
	} else
		cpts_buf_addf(b, "\nterritory '%s'%s\n  %-12s %12s %12s %12s\n", cpts_text(id),
			      !x ? " (new)" : !y ? " (emptied)" : "", "", "before", "after",
			      "delta");
#define V(t, f) ((t) ? (double)(t)->f : NAN)
	double in1 = flow_after(V(x, flows_in), V(y, flows_in));
	double res1 = flow_after(V(x, flows_res), V(y, flows_res));
	/* a hidden flow change stays hidden: LI = flows_in / flows_res and MSI, printed
	   beside the other flow total, would give it back (the audit of the JSON found
	   LI at 6 decimals pinning it); the JSON prints what the text prints */
	bool hide = (isnan(in1) && !isnan(V(y, flows_in))) ||
		    (isnan(res1) && !isnan(V(y, flows_res)));
	delta_row_num(b, "population", V(x, pop), V(y, pop), 0, json, &first);
	delta_row_num(b, "communes", V(x, n_communes), V(y, n_communes), 0, json, &first);
	delta_row_num(b, "tier", V(x, tier), V(y, tier), 0, json, &first);
	delta_row_num(b, "LI", V(x, li), hide ? NAN : V(y, li), 3, json, &first);
	delta_row_num(b, "MSI", V(x, msi), hide ? NAN : V(y, msi), 3, json, &first);
	delta_row_num(b, "flows_in", V(x, flows_in), in1, 0, json, &first);
	delta_row_num(b, "flows_res", V(x, flows_res), res1, 0, json, &first);
	delta_row_num(b, "pieces", before->has_graph ? V(x, n_pieces) : NAN,
		      after->has_graph ? V(y, n_pieces) : NAN, 0, json, &first);
	delta_row_num(b, "PAC", V(x, pac), V(y, pac), 2, json, &first);
#undef V
	if (json)
		cpts_buf_addch(b, '}');
}

int cpts_check_print_move(cpts_ctx *ctx, const cpts_check_report *before,
			  const cpts_check_report *after, const char *const *codes,
			  size_t n_codes, const char *to, FILE *out, bool json)
{
	cpts_buf b = CPTS_BUF_INIT;
	const cpts_partition *p = before->part;
	const char **ids = cpts_calloc(p->n_terr + 2, sizeof(char *));
	size_t n_ids = 0;
	bool first = true;

	/* territories touched: those holding a moved commune before, then `to` */
	for (size_t t = 0; t < p->n_terr; t++) {
		bool touched = strcmp(p->terr[t], to) == 0;
		for (size_t k = p->terr_start[t]; k < p->terr_start[t + 1] && !touched; k++)
			for (size_t c = 0; c < n_codes && !touched; c++)
				touched = strcmp(before->model->c[p->members[k].commune].code,
						 codes[c]) == 0;
		if (touched)
			ids[n_ids++] = p->terr[t];
	}
	if (cpts_partition_find(p, to) < 0)
		ids[n_ids++] = to;
	if (json) {
		cpts_buf_addstr(&b, "{\"from\":");
		cpts_buf_add_json(&b, p->name);
		cpts_buf_addstr(&b, ",\"as\":");
		cpts_buf_add_json(&b, after->part->name);
		cpts_buf_addstr(&b, ",\"to\":");
		cpts_buf_add_json(&b, to);
		cpts_buf_addstr(&b, ",\"communes\":[");
		for (size_t c = 0; c < n_codes; c++) {
			if (c)
				cpts_buf_addch(&b, ',');
			cpts_buf_add_json(&b, codes[c]);
		}
		cpts_buf_addstr(&b, "],\"territories\":[");
	} else {
		cpts_buf_addf(&b, "move to '%s' of", cpts_text(to));
		for (size_t c = 0; c < n_codes; c++) {
			long i = cpts_model_find(before->model, codes[c]);
			cpts_buf_addf(&b, "%s %s %s", c ? "," : "", cpts_text(codes[c]),
				      i >= 0 ? cpts_text(before->model->c[i].name) : "");
		}
		cpts_buf_addf(&b, "\nnew partition '%s' (from '%s')\n",
			      cpts_text(after->part->name), cpts_text(p->name));
	}
	for (size_t k = 0; k < n_ids; k++) {
		if (json && k)
			cpts_buf_addch(&b, ',');
		delta_terr(&b, ids[k], before, after, json);
	}
	if (json)
		cpts_buf_addstr(&b, "],\"overall\":{");
	else
		cpts_buf_addf(&b, "\noverall\n  %-12s %12s %12s %12s\n", "", "before", "after",
			      "delta");
	delta_row_num(&b, "covered_pop", before->pop_covered, after->pop_covered, 0, json, &first);
	delta_row_num(&b, "uncovered", (double)before->n_uncovered, (double)after->n_uncovered, 0,
		      json, &first);
	delta_row_num(&b, "overlaps", (double)before->n_overlaps, (double)after->n_overlaps, 0,
		      json, &first);
	delta_row_num(&b, "LI", before->li, after->li, 3, json, &first);
	delta_row_num(&b, "MSI", before->msi, after->msi, 3, json, &first);
	delta_row_num(&b, "problems", (double)before->n_problem_terr,
		      (double)after->n_problem_terr, 0, json, &first);
	cpts_buf_addstr(&b, json ? "}}\n" : "");
	free(ids);
	return chk_write(ctx, &b, out);
}
