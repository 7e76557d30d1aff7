/*
 * strmap.c - open-addressing (linear probing) hash map from strings to int64, FNV-1a
 * hashed. Keys are copied into one arena per map so that freeing is O(1) allocations.
 */
#include <stdlib.h>
#include <string.h>

#include "cpts/ctx.h"
#include "cpts/util.h"

struct slot {
	char *key; /* NULL = empty */
	uint64_t hash;
	int64_t value;
};

struct cpts_strmap {
	struct slot *slots;
	size_t cap;  /* power of two */
	size_t n;
	cpts_vec keys; /* char * chunks OWNED by the map */
	char *chunk;
	size_t chunk_left;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

cpts_strmap *cpts_strmap_new(size_t expected)
{
	cpts_strmap *m = cpts_calloc(1, sizeof(*m));
	size_t cap = 16;

	while (cap < expected * 2)
		cap *= 2;
	m->slots = cpts_calloc(cap, sizeof(struct slot));
	m->cap = cap;
	cpts_vec_init(&m->keys, sizeof(char *), SIZE_MAX / sizeof(char *));
	return m;
}

void cpts_strmap_free(cpts_strmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->keys.n; i++)
		free(cpts_vec_at(&m->keys, char *, i));
	cpts_vec_release(&m->keys);
	free(m->slots);
	free(m);
}

static char *copy_key(cpts_strmap *m, const char *key)
{
	size_t n = strlen(key) + 1;
	char *p;

	if (n > m->chunk_left) {
		size_t sz = n > 16384 ? n : 16384;
		char **slot = cpts_vec_push(&m->keys);
		if (!slot)
			cpts_bug(__FILE__, __LINE__, "strmap key arena full");
		m->chunk = cpts_malloc(sz);
		*slot = m->chunk;
		m->chunk_left = sz;
	}
	p = m->chunk;
	memcpy(p, key, n);
	m->chunk += n;
	m->chunk_left -= n;
	return p;
}

static void grow(cpts_strmap *m)
{
	size_t cap = m->cap * 2;
	struct slot *s = cpts_calloc(cap, sizeof(struct slot));

	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		size_t j = m->slots[i].hash & (cap - 1);
		while (s[j].key)
			j = (j + 1) & (cap - 1);
		s[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = s;
	m->cap = cap;
}

void cpts_strmap_put(cpts_strmap *m, const char *key, int64_t value)
{
	uint64_t h = fnv1a(key);
	size_t j;

	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	j = h & (m->cap - 1);
	while (m->slots[j].key) {
		if (m->slots[j].hash == h && strcmp(m->slots[j].key, key) == 0) {
			m->slots[j].value = value;
			return;
		}
		j = (j + 1) & (m->cap - 1);
	}
	m->slots[j].key = copy_key(m, key);
	m->slots[j].hash = h;
	m->slots[j].value = value;
	m->n++;
}

bool cpts_strmap_get(const cpts_strmap *m, const char *key, int64_t *value)
{
	uint64_t h = fnv1a(key);
	size_t j = h & (m->cap - 1);

	while (m->slots[j].key) {
		if (m->slots[j].hash == h && strcmp(m->slots[j].key, key) == 0) {
			if (value)
				*value = m->slots[j].value;
			return true;
		}
		j = (j + 1) & (m->cap - 1);
	}
	return false;
}

size_t cpts_strmap_count(const cpts_strmap *m)
{
	return m->n;
}
