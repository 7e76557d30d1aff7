/*
 * test_flow_chain.c - the check of a flow total against combinations of earlier totals
 * (src/profile/publish_flows_chain.c, issue 19 point 3). Each case is worked by hand:
 * sums over communes (A = {a, b}, B = {c}, X = A u B u {d}: X - A - B is d's flows),
 * sums over pairs (A = {a}, B = {b}, X = {a, b}: X - A - B is a<->b), a narrowing the
 * earlier totals make alone (not blamed), inconsistent totals (no claim), a chain
 * through a set that does not hold the narrowed commune, and the totals named.
 */
#include <stdlib.h>
#include <string.h>

#include "profile/publish_flows_int.h"
#include "tap.h"

/* A sorted code vector of the NULL-terminated list (strings BORROWED). */
static cpts_vec set_of(const char *const *codes)
{
	cpts_vec v;

	cpts_vec_init(&v, sizeof(char *), 64);
	for (size_t i = 0; codes[i]; i++)
		*(const char **)cpts_vec_push(&v) = codes[i];
	return v;
}

int main(void)
{
	cpts_ctx ctx;
	static const char *const a_b[] = { "a", "b", NULL }, *const c[] = { "c", NULL },
		*const abcd[] = { "a", "b", "c", "d", NULL }, *const a[] = { "a", NULL },
		*const b[] = { "b", NULL }, *const ab[] = { "a", "b", NULL },
		*const ce[] = { "c", "e", NULL }, *const ace[] = { "a", "c", "e", NULL };
	cpts_vec A = set_of(a_b), B = set_of(c), X = set_of(abcd), A1 = set_of(a), B1 = set_of(b),
		 X1 = set_of(ab), C = set_of(ce), S = set_of(ace);
	size_t *cul = NULL, n_cul = 0;
	int rc;

	cpts_ctx_init(&ctx);
	/* residents' flows: A = 100, B = 50, X = 157 gives d = 7 */
	cpts_pf_set old[2] = { { &A, 100 }, { &B, 50 } };
	rc = cpts_profile__flow_chain(&ctx, &cul, &n_cul, 11, old, 2, &X, 157, false);
	is_int(rc, 1, "A, B and A u B u {d}: d's 7 flows, withheld");
	is_int((long)n_cul, 2, "both earlier totals named");
	ok(n_cul == 2 && cul[0] == 0 && cul[1] == 1, "A and B, in order");
	free(cul);
	rc = cpts_profile__flow_chain(&ctx, &cul, &n_cul, 11, old, 2, &X, 170, false);
	is_int(rc, 0, "d's 20 flows: at least the threshold, published");
	ok(cul == NULL && n_cul == 0, "nobody named");
	rc = cpts_profile__flow_chain(&ctx, &cul, &n_cul, 11, old, 2, &X, 150, false);
	is_int(rc, 0, "d with no flow (proved 0): nothing learnt, published");
	rc = cpts_profile__flow_chain(&ctx, &cul, &n_cul, 11, old, 2, &X, 160, false);
	is_int(rc, 1, "d's 10 flows: withheld");
	free(cul);
	/* X of one more commune than A only (B unrelated): the pairwise rule's case, also
	   seen here */
	cpts_pf_set one[1] = { { &A, 100 } };
	rc = cpts_profile__flow_chain(&ctx, &cul, &n_cul, 11, one, 1, &X, 104, false);
	is_int(rc, 1, "A and A u {c, d} 4 apart: c + d = 4, withheld");
	free(cul);

	/* staying flows, sums over pairs: A = {a} 100 (a->a), B = {b} 50, X = {a, b} */
	cpts_pf_set op[2] = { { &A1, 100 }, { &B1, 50 } };
	rc = cpts_profile__flow_chain(&ctx, &cul, &n_cul, 11, op, 2, &X1, 155, true);
	is_int(rc, 1, "staying flows: X - A - B = a<->b = 5, withheld");
	free(cul);
	rc = cpts_profile__flow_chain(&ctx, &cul, &n_cul, 11, op, 2, &X1, 200, true);
	is_int(rc, 0, "a<->b = 50: published");
	/* the same totals read as sums over communes: X = A + B exactly, nothing new */
	rc = cpts_profile__flow_chain(&ctx, &cul, &n_cul, 11, op, 2, &X1, 150, false);
	is_int(rc, 0, "X = A + B over communes: nothing learnt");

	/* narrowed by the earlier totals alone: {a, b} = 100 and {a} = 95 give b = 5 (a
	   leak published before this check); S = {a, c, e} beside C = {c, e} gives a = 95,
	   nothing new */
	cpts_pf_set lk[3] = { { &A, 100 }, { &A1, 95 }, { &C, 60 } };
	rc = cpts_profile__flow_chain(&ctx, &cul, &n_cul, 11, lk, 3, &S, 155, false);
	is_int(rc, 0, "a narrowing of the earlier totals alone is not blamed on the new one");
	rc = cpts_profile__flow_chain(&ctx, &cul, &n_cul, 11, lk, 3, &S, 158, false);
	is_int(rc, 0, "S - C = 98 = a + 3 would be inconsistent: no claim");
	cpts_pf_set lk2[2] = { { &A, 100 }, { &C, 60 } };
	rc = cpts_profile__flow_chain(&ctx, &cul, &n_cul, 11, lk2, 2, &S, 155, false);
	is_int(rc, 1, "{a, b} = 100, {c, e} = 60, then {a, c, e} = 155: a = 95, so b = 5");
	ok(n_cul == 2 && cul[0] == 0 && cul[1] == 1, "both earlier totals named");
	free(cul);

	cpts_vec_release(&A);
	cpts_vec_release(&B);
	cpts_vec_release(&X);
	cpts_vec_release(&A1);
	cpts_vec_release(&B1);
	cpts_vec_release(&X1);
	cpts_vec_release(&C);
	cpts_vec_release(&S);
	cpts_ctx_release(&ctx);
	return done_testing();
}
