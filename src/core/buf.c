/*
 * buf.c - cpts_buf, the growable NUL-terminated string, and cpts_vec, the bounded
 * growable array. Invariants in cpts/util.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/ctx.h"
#include "cpts/util.h"

char cpts_buf_empty[1];

void cpts_buf_init(cpts_buf *b)
{
	b->data = cpts_buf_empty;
	b->len = 0;
	b->alloc = 0;
}

void cpts_buf_release(cpts_buf *b)
{
	if (b->alloc)
		free(b->data);
	cpts_buf_init(b);
}

void cpts_buf_reset(cpts_buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->data[0] = '\0';
}

void cpts_buf_grow(cpts_buf *b, size_t extra)
{
	size_t need;

	if (!cpts_add_ok(b->len, extra, &need) || !cpts_add_ok(need, 1, &need))
		cpts_bug(__FILE__, __LINE__, "buffer size overflow");
	if (need <= b->alloc)
		return;
	if (need < b->alloc + b->alloc / 2)
		need = b->alloc + b->alloc / 2;
	if (need < 64)
		need = 64;
	if (b->alloc) {
		b->data = cpts_realloc(b->data, need);
	} else {
		b->data = cpts_malloc(need);
		b->data[0] = '\0';
	}
	b->alloc = need;
}

void cpts_buf_add(cpts_buf *b, const void *data, size_t n)
{
	cpts_buf_grow(b, n);
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void cpts_buf_addstr(cpts_buf *b, const char *s)
{
	cpts_buf_add(b, s, strlen(s));
}

void cpts_buf_addch(cpts_buf *b, char c)
{
	cpts_buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void cpts_buf_vaddf(cpts_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	cpts_buf_grow(b, 64);
	va_copy(cp, ap);
	n = vsnprintf(b->data + b->len, b->alloc - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		cpts_bug(__FILE__, __LINE__, "vsnprintf failed");
	if ((size_t)n >= b->alloc - b->len) {
		cpts_buf_grow(b, (size_t)n);
		n = vsnprintf(b->data + b->len, b->alloc - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void cpts_buf_addf(cpts_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cpts_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void cpts_buf_add_html(cpts_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': cpts_buf_addstr(b, "&amp;"); break;
		case '<': cpts_buf_addstr(b, "&lt;"); break;
		case '>': cpts_buf_addstr(b, "&gt;"); break;
		case '"': cpts_buf_addstr(b, "&quot;"); break;
		case '\'': cpts_buf_addstr(b, "&#39;"); break;
		default: cpts_buf_addch(b, *s);
		}
	}
}

void cpts_buf_add_json(cpts_buf *b, const char *s)
{
	cpts_buf_addch(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			cpts_buf_addch(b, '\\');
			cpts_buf_addch(b, (char)c);
		} else if (c < 0x20) {
			cpts_buf_addf(b, "\\u%04x", c);
		} else {
			cpts_buf_addch(b, (char)c);
		}
	}
	cpts_buf_addch(b, '"');
}

char *cpts_buf_detach(cpts_buf *b, size_t *len_out)
{
	char *p;

	if (!b->alloc)
		cpts_buf_grow(b, 0);
	p = b->data;
	if (len_out)
		*len_out = b->len;
	cpts_buf_init(b);
	return p;
}

void cpts_vec_init(cpts_vec *v, size_t elem_size, size_t max)
{
	v->data = NULL;
	v->n = 0;
	v->cap = 0;
	v->size = elem_size;
	v->max = max;
}

bool cpts_vec_reserve(cpts_vec *v, size_t n)
{
	size_t cap;

	if (n <= v->cap)
		return true;
	if (n > v->max)
		return false;
	cap = v->cap ? v->cap : 16;
	while (cap < n)
		cap = cap > SIZE_MAX / 2 ? n : cap * 2;
	if (cap > v->max)
		cap = v->max;
	v->data = cpts_reallocarray(v->data, cap, v->size);
	v->cap = cap;
	return true;
}

void *cpts_vec_push(cpts_vec *v)
{
	void *p;

	if (!cpts_vec_reserve(v, v->n + 1))
		return NULL;
	p = (char *)v->data + v->n * v->size;
	memset(p, 0, v->size);
	v->n++;
	return p;
}

void cpts_vec_release(cpts_vec *v)
{
	free(v->data);
	v->data = NULL;
	v->n = v->cap = 0;
}

/* Here rather than in alloc.c: it is a buffer use, and alloc.c stays below buf.c. */
char *cpts_asprintf(const char *fmt, ...)
{
	va_list ap;
	cpts_buf b = CPTS_BUF_INIT;

	va_start(ap, fmt);
	cpts_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	return cpts_buf_detach(&b, NULL);
}
