/*
 * unionfind.c - disjoint sets over 0..n-1 (cpts/unionfind.h): one implementation for
 * the contiguity graph and the disclosure linear programs, which each had their own.
 * The root of a set is its smallest element (see the header), so the labels do not
 * depend on the order of the unions.
 */
#include "cpts/unionfind.h"

void cpts_uf_init(size_t *parent, size_t n)
{
	for (size_t i = 0; i < n; i++)
		parent[i] = i;
}

size_t cpts_uf_find(size_t *parent, size_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]]; /* path halving */
		x = parent[x];
	}
	return x;
}

bool cpts_uf_union(size_t *parent, size_t x, size_t y)
{
	x = cpts_uf_find(parent, x);
	y = cpts_uf_find(parent, y);
	if (x == y)
		return false;
	parent[x < y ? y : x] = x < y ? x : y;
	return true;
}
