/*
 * contiguity_pass.c - the runner of the bucketed passes of the contiguity matching:
 * two halves on two threads, bucket starts, and the scratch buffers they reuse.
 *
 * Points, segment occurrences and pair contributions are each grouped by exact key the
 * same way: scattered into buckets by a hash of the key (stable: every bucket keeps its
 * items in reading order), then each bucket, a thousand-odd items that fit in the
 * cache, is grouped with a small hash table. The work of one big hash table, without
 * a cache miss per item. Each pass runs on two threads, as two halves with disjoint
 * outputs (items [0, n/2) and [n/2, n) for counting and scattering, the first and the
 * second half of the buckets for grouping), joined in order: the result is that of a
 * single thread, whatever the scheduling.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dep/dep.h"
#include "graph/contiguity_int.h"

/* Scratch buffer k of at least bytes (contents not kept). */
void *cpts_graph__pool_get(build *b, int k, size_t bytes)
{
	if (bytes > b->pool_cap[k]) {
		free(b->pool[k]);
		b->pool[k] = cpts_malloc(bytes);
		b->pool_cap[k] = bytes;
	}
	return b->pool[k];
}

/* Buckets for n items: a power of two, at most 1,024 (more scatter streams than that
 * thrash the TLB), giving buckets of about a thousand items or more. */
size_t cpts_graph__n_buckets(size_t n)
{
	size_t nb = 1;

	while (nb < n / 1024 && nb < 1024)
		nb <<= 1;
	return nb;
}

/* Local hash table of a bucket of m items: cleared, returns its mask. */
size_t cpts_graph__local_table(uint32_t *slot, size_t m)
{
	size_t cap = 8;

	while (cap < 2 * m)
		cap <<= 1;
	memset(slot, 0xff, cap * sizeof(uint32_t));
	return cap - 1;
}

typedef struct task {
	void (*fn)(void *);
	void *arg;
} task;

static void *task_main(void *t)
{
	((task *)t)->fn(((task *)t)->arg);
	return NULL;
}

/* fn on half h0 in a second thread and on h1 here, then wait (both here when no
 * thread can be started). */
void cpts_graph__run_halves(void (*fn)(void *), void *h0, void *h1)
{
	task t = { fn, h0 };
	pthread_t th;

	if (pthread_create(&th, NULL, task_main, &t) != 0) {
		fn(h0);
		fn(h1);
		return;
	}
	fn(h1);
	pthread_join(th, NULL);
}

void cpts_graph__halves_init(half h[2], build *b, size_t n, size_t nb)
{
	memset(h, 0, 2 * sizeof(half));
	for (int k = 0; k < 2; k++) {
		h[k].b = b;
		h[k].nb = nb;
		h[k].cnt = cpts_calloc(nb + 1, sizeof(size_t));
		h[k].lo = k ? n / 2 : 0;
		h[k].hi = k ? n : n / 2;
	}
}

/*
 * Bucket starts from the two halves' counts; each half's counts become its write
 * cursors, half 0's items first in every bucket (so the scatter keeps reading order).
 * The buckets are split between the halves at about half the items.
 */
void cpts_graph__halves_start(half h[2], size_t *start, size_t nb)
{
	size_t sum = 0, big = 0, ks = 0;

	for (size_t k = 0; k < nb; k++) {
		size_t c0 = h[0].cnt[k], c1 = h[1].cnt[k];
		start[k] = h[0].cnt[k] = sum;
		h[1].cnt[k] = sum + c0;
		sum += c0 + c1;
		big = c0 + c1 > big ? c0 + c1 : big;
	}
	start[nb] = sum;
	while (ks < nb && start[ks] < sum / 2)
		ks++;
	for (int k = 0; k < 2; k++) {
		h[k].start = start;
		h[k].big = big;
		h[k].klo = k ? ks : 0;
		h[k].khi = k ? nb : ks;
	}
}

void cpts_graph__halves_release(half h[2])
{
	for (int k = 0; k < 2; k++) {
		free(h[k].cnt);
		free(h[k].pv.v);
		free(h[k].pairs);
		free(h[k].segs);
	}
}
