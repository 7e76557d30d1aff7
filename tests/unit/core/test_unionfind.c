/*
 * test_unionfind.c - the shared union-find (cpts/unionfind.h): sets worked by hand on
 * ten elements, then 2,000 random edges on 1,000 elements checked against an
 * independent labelling (breadth-first search on the same edges): same sets, and every
 * set's root its smallest element whatever the order of the unions.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cpts/unionfind.h"
#include "tap.h"

#define N 1000
#define E 2000

static void test_by_hand(void)
{
	size_t p[10];

	cpts_uf_init(p, 10);
	ok(cpts_uf_find(p, 7) == 7, "alone: 7 is its own root");
	ok(cpts_uf_union(p, 9, 4), "9-4 merges two sets");
	ok(cpts_uf_union(p, 4, 6), "4-6 merges two sets");
	ok(!cpts_uf_union(p, 6, 9), "6-9: already one set");
	ok(cpts_uf_union(p, 8, 2) && cpts_uf_union(p, 2, 6), "8-2, then 2-6");
	/* sets {2, 4, 6, 8, 9}, {0}, {1}, {3}, {5}, {7}: roots 2 and the singletons */
	is_int(cpts_uf_find(p, 9), 2, "9 is in the set of 2 (its smallest element)");
	is_int(cpts_uf_find(p, 6), 2, "6 too");
	is_int(cpts_uf_find(p, 3), 3, "3 is alone");
	ok(cpts_uf_union(p, 0, 8), "0-8");
	is_int(cpts_uf_find(p, 4), 0, "now 0 is the root of {0, 2, 4, 6, 8, 9}");
}

/* Labels by breadth-first search: label[i] = smallest element of i's component. */
static void bfs_labels(const size_t (*edge)[2], size_t *label)
{
	size_t *deg = calloc(N + 1, sizeof(size_t)), *adj = malloc(2 * E * sizeof(size_t));
	size_t *start = calloc(N + 1, sizeof(size_t)), *queue = malloc(N * sizeof(size_t));

	for (size_t e = 0; e < E; e++) {
		deg[edge[e][0]]++;
		deg[edge[e][1]]++;
	}
	for (size_t i = 0; i < N; i++)
		start[i + 1] = start[i] + deg[i];
	for (size_t i = 0; i < N; i++)
		deg[i] = start[i];
	for (size_t e = 0; e < E; e++) {
		adj[deg[edge[e][0]]++] = edge[e][1];
		adj[deg[edge[e][1]]++] = edge[e][0];
	}
	for (size_t i = 0; i < N; i++)
		label[i] = SIZE_MAX;
	for (size_t i = 0; i < N; i++) { /* in increasing order: i is its set's smallest */
		size_t head = 0, tail = 0;
		if (label[i] != SIZE_MAX)
			continue;
		label[i] = i;
		queue[tail++] = i;
		while (head < tail) {
			size_t u = queue[head++];
			for (size_t k = start[u]; k < start[u + 1]; k++)
				if (label[adj[k]] == SIZE_MAX) {
					label[adj[k]] = i;
					queue[tail++] = adj[k];
				}
		}
	}
	free(deg);
	free(adj);
	free(start);
	free(queue);
}

static void test_random(void)
{
	static size_t edge[E][2], p[N], label[N];
	uint64_t x = 88172645463325252ULL;
	size_t n_roots = 0, n_labels = 0, n_merges = 0;
	bool same = true;

	for (size_t e = 0; e < E; e++) {
		for (int k = 0; k < 2; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			edge[e][k] = (size_t)(x % N);
		}
	}
	cpts_uf_init(p, N);
	for (size_t e = E; e-- > 0;) /* reverse order: roots do not depend on it */
		n_merges += cpts_uf_union(p, edge[e][0], edge[e][1]);
	bfs_labels((const size_t (*)[2])edge, label);
	for (size_t i = 0; i < N; i++) {
		same &= cpts_uf_find(p, i) == label[i];
		n_roots += cpts_uf_find(p, i) == i;
		n_labels += label[i] == i;
	}
	ok(same, "every element's root is its BFS component's smallest element");
	is_int(n_roots, n_labels, "as many sets as BFS components (%zu)", n_labels);
	is_int(n_merges, N - n_roots, "each successful union removed one set");
}

int main(void)
{
	test_by_hand();
	test_random();
	return done_testing();
}
