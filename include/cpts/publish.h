/*
 * cpts/publish.h - the one way a command prints a sensitive number on stdout (text) or
 * in --json (issue 19, point 1): every number comes from a disclosed cell (a row of the
 * disclosed table cpts_ptable_load builds, or a flow count/ratio made disclosed here by
 * the same primary rule) and is written in the same forms as the GeoPackage and HTML:
 * - a masked count as "< T" (T the threshold) in text, null in JSON with the key listed
 *   in the document's "masked" array; a masked count over masked input cells as its
 *   published bounds ("at least N" / <key>_lo, <key>_hi), never as the known part;
 * - a masked ratio, gap or test, or a withdrawn breakdown part, as "masked" (JSON null);
 *   a ratio over masked input cells as the range it keeps ("[13.8-14.0]");
 * - a p-value as its class only ("< 0.001", "< 0.01", "< 0.05", "n.s."; JSON 0.001,
 *   0.01, 0.05 or 1), an attraction share in whole percents;
 * - everything at the catalogue's decimals (cpts_indicator.decimals) when the cell
 *   names an indicator, else at the decimals the caller gives;
 * - populations and other public values exactly.
 * Implemented in src/profile/publish.c (next to the disclosure it formats).
 */
#ifndef CPTS_PUBLISH_H
#define CPTS_PUBLISH_H

#include <stdbool.h>

#include "cpts/profile.h"
#include "cpts/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How a command publishes: its disclosure threshold and its form. */
typedef struct cpts_pub {
	double threshold; /* counts from 1 to threshold - 1 are masked */
	bool json;        /* JSON values (null when masked) instead of text */
} cpts_pub;
#define CPTS_PUB_INIT { CPTS_MASK_THRESHOLD_DEFAULT, false }

/** A disclosed cell for a health count computed outside the profile (a flow total):
 * masked as "< T" when 0 < value < threshold. NAN stays "not available". */
cpts_pvalue cpts_pub_count(const cpts_pub *p, double value);
/** A disclosed ratio of two disclosed counts (LI = flows_in / flows_res): masked when
 * either is masked (its decimals still decide the printed precision). */
cpts_pvalue cpts_pub_ratio(double value, const cpts_pvalue *num, const cpts_pvalue *den);
/** A public value (population, tier, PAC): never masked. */
cpts_pvalue cpts_pub_value(double value);

/** Is the value of v published (not masked, not withdrawn, a number)? */
bool cpts_pub_shown(const cpts_pvalue *v);
/** Is v hidden by disclosure control (masked or withdrawn)? NULL is not. */
bool cpts_pub_hidden(const cpts_pvalue *v);

/**
 * Append the published form of v: text ("< 11", "masked", "-", a number) or JSON (a
 * number or null). dec: decimals when v names no catalogue indicator.
 */
void cpts_pub_num(cpts_buf *b, const cpts_pub *p, const cpts_pvalue *v, int dec);
/**
 * JSON member "key":<value>, followed by "key_lo"/"key_hi" when v is hidden but keeps
 * published bounds (the audit reads them). Writes a leading ',' unless first.
 * @return true when v is hidden (the caller lists key in "masked")
 */
bool cpts_pub_json_member(cpts_buf *b, const cpts_pub *p, const char *key,
			  const cpts_pvalue *v, int dec, bool first);

/**
 * Record in the workspace's publication ledger what a command printed: the territory
 * rows of t for the given indicators (and, for a ratio, the counts it is made of: a
 * published ratio beside a published denominator gives its numerator, so both are
 * recorded as known), with the commune sets of the territories. Conservative: what is
 * recorded may be more than a reader learnt, never less. BORROWS t.
 * @param what the publication as the ledger names it ("stdout of cpts profile")
 */
int cpts_pub_record(cpts_ctx *ctx, cpts_store *s, const char *partition,
		    const cpts_ptable *t, const char *const *keys, size_t n_keys,
		    const char *what);

/*
 * Flow totals as publications (src/profile/publish_flows.c): the totals behind a
 * printed LI or MSI, kinds "flows_in" (residents' flows staying in the territory),
 * "flows_res" (all its residents' flows), "flows_into" (all flows into it), over a
 * territory's communes or, label "*<hash>" (cpts_pub_flow_sum_label), summed over a
 * partition. Loaded from, and recorded in, the workspace's publication ledger.
 */
typedef struct cpts_pub_flows cpts_pub_flows;
/** Open with the earlier flow publications of s (none when s is NULL).
 * @param[out] out OWNED by caller: cpts_pub_flows_free */
int cpts_pub_flows_open(cpts_ctx *ctx, cpts_store *s, double threshold,
			cpts_pub_flows **out);
void cpts_pub_flows_free(cpts_pub_flows *f);
/** The flows are one profession's (NULL or "": all): recorded as "<kind>@<profession>"
 * and compared with every profession's totals over the same communes. */
void cpts_pub_flows_profession(cpts_pub_flows *f, const char *profession);
/**
 * The disclosed cell of a flow total of kind `kind` over the communes codes (BORROWED,
 * any order) of territory `label`: masked from 1 to T-1 (bounds [1, T-1]); withheld
 * (masked, no bounds, a warning naming both) when it differs by 1 to T-1 from a total of
 * the same kind published earlier (ledger, or marked earlier by this command) over
 * another commune set sharing a commune with it. f NULL: the primary rule only.
 */
cpts_pvalue cpts_pub_flow(cpts_ctx *ctx, cpts_pub_flows *f, const char *kind,
			  const char *partition, const char *label, const char *const *codes,
			  size_t n, double value);
/** Mark a flow total as published by this command (checked against by later calls,
 * written by cpts_pub_flows_record); a total already known adds nothing. */
void cpts_pub_flow_mark(cpts_pub_flows *f, const char *kind, const char *partition,
			const char *label, const char *const *codes, size_t n, double value);
/** The label of a partition's overall sums: codes grouped by territory (terr_start,
 * n_terr + 1 offsets). */
void cpts_pub_flow_sum_label(char out[24], const char *const *codes, const size_t *terr_start,
			     size_t n_terr);
/** Record the marked totals in the ledger, one publication per partition, as `what`. */
int cpts_pub_flows_record(cpts_ctx *ctx, cpts_store *s, cpts_pub_flows *f, const char *what);
/** How many cells were withheld against earlier publications. */
size_t cpts_pub_flows_withheld(const cpts_pub_flows *f);
/** Was the commune pair orig -> dest published earlier (a flux layer, ledger level
 * 'fluxpair')? Its volume is then known to a reader. */
bool cpts_pub_flows_pair_known(const cpts_pub_flows *f, const char *orig, const char *dest);
/** Mark a commune pair as published by this command (a flux layer row): recorded by
 * cpts_pub_flows_record at level 'fluxpair' (code "orig>dest"). */
void cpts_pub_flows_pair_mark(cpts_pub_flows *f, const char *partition, const char *orig,
			      const char *dest, double value);

#ifdef __cplusplus
}
#endif
#endif
