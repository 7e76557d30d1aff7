/*
 * text.c - text that leaves cpts for a shell, a terminal or a file system: shell
 * quoting of the command lines cpts prints for the user to paste, visible escaping of
 * control characters in text output, and readable file-name slugs.
 *
 * Why: ids and names come from the user's files and may hold anything (`$(touch x)`,
 * quotes, newlines, ESC sequences, `CON`, 300 characters). A printed command must run
 * exactly what it shows, a text report must keep one record per line whatever a name
 * holds, and a page name must be a valid, unique file name on Linux and Windows alike.
 * One home for each rule, so every writer applies the same one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/outfile.h"

/* Characters that need no quoting in a POSIX shell word. */
static bool shell_plain(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("-_./,:=+@%", c)))
			return false;
	}
	return true;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

void cpts_buf_add_shell(cpts_buf *b, const char *s)
{
	if (shell_plain(s)) {
		cpts_buf_addstr(b, s);
		return;
	}
	if (has_control(s)) {
		/* $'...' (bash, zsh, ksh, POSIX.1-2024 sh): the command stays on one line */
		cpts_buf_addstr(b, "$'");
		for (; *s; s++) {
			unsigned char c = (unsigned char)*s;
			if (c == '\\' || c == '\'') {
				cpts_buf_addch(b, '\\');
				cpts_buf_addch(b, (char)c);
			} else if (c == '\n')
				cpts_buf_addstr(b, "\\n");
			else if (c == '\t')
				cpts_buf_addstr(b, "\\t");
			else if (c < 0x20 || c == 0x7f)
				cpts_buf_addf(b, "\\x%02x", c);
			else
				cpts_buf_addch(b, (char)c);
		}
		cpts_buf_addch(b, '\'');
		return;
	}
	cpts_buf_addch(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			cpts_buf_addstr(b, "'\\''");
		else
			cpts_buf_addch(b, *s);
	}
	cpts_buf_addch(b, '\'');
}

static bool text_plain(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || c == '\\')
			return false;
	}
	return true;
}

void cpts_buf_add_text(cpts_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '\n': cpts_buf_addstr(b, "\\n"); break;
		case '\r': cpts_buf_addstr(b, "\\r"); break;
		case '\t': cpts_buf_addstr(b, "\\t"); break;
		case '\\': cpts_buf_addstr(b, "\\\\"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				cpts_buf_addf(b, "\\x%02x", c);
			else
				cpts_buf_addch(b, (char)c);
		}
	}
}

/* A small per-thread ring of escaped copies: cpts_text() results stay valid for the
 * next CPTS_TEXT_RING - 1 calls on the same thread, enough for one printf. */
#define CPTS_TEXT_RING 16
static _Thread_local char *text_ring[CPTS_TEXT_RING];
static _Thread_local unsigned text_next;

const char *cpts_text(const char *s)
{
	cpts_buf b = CPTS_BUF_INIT;
	unsigned k;

	if (!s || text_plain(s))
		return s ? s : "";
	cpts_buf_add_text(&b, s);
	k = text_next++ % CPTS_TEXT_RING;
	free(text_ring[k]);
	text_ring[k] = cpts_buf_detach(&b, NULL);
	return text_ring[k];
}

void cpts_text_release(void)
{
	for (unsigned k = 0; k < CPTS_TEXT_RING; k++) {
		free(text_ring[k]);
		text_ring[k] = NULL;
	}
}

/*
 * ASCII transliteration of the Latin letters of U+00C0..U+017F (Latin-1 supplement and
 * Latin Extended-A): what French, and most European, names use. One or two letters
 * each; "" for the non-letters of the block (×, ÷).
 */
static const char *const latin_c0[] = {
	"A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",      /* C0 */
	"D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH", "ss",   /* D0 */
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",      /* E0 */
	"d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",     /* F0 */
	"A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d",       /* 100 */
	"D", "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g",       /* 110 */
	"G", "g", "G", "g", "H", "h", "H", "h", "I", "i", "I", "i", "I", "i", "I", "i",       /* 120 */
	"I", "i", "IJ", "ij", "J", "j", "K", "k", "k", "L", "l", "L", "l", "L", "l", "L",     /* 130 */
	"l", "L", "l", "N", "n", "N", "n", "N", "n", "n", "N", "n", "O", "o", "O", "o",       /* 140 */
	"O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S", "s", "S", "s",     /* 150 */
	"S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U", "u",       /* 160 */
	"U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s",       /* 170 */
};

/* Decode one UTF-8 sequence at s; returns its length (1 for an invalid byte, with
 * *cp = 0xFFFD) and never reads past the terminator. */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	n = s[0] >= 0xF0 && s[0] < 0xF8 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
	if (n == 0 || s[0] >= 0xF8) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = s[0] & (0x7F >> n);
	for (size_t k = 1; k < n; k++) {
		if ((s[k] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		*cp = (*cp << 6) | (s[k] & 0x3F);
	}
	return n;
}

static bool windows_reserved(const char *s)
{
	static const char *const names[] = { "con", "prn", "aux", "nul", "clock$", NULL };
	size_t n = strlen(s);

	for (int k = 0; names[k]; k++)
		if (strcmp(s, names[k]) == 0)
			return true;
	/* com0..com9, lpt0..lpt9 */
	return n == 4 && (strncmp(s, "com", 3) == 0 || strncmp(s, "lpt", 3) == 0) &&
	       s[3] >= '0' && s[3] <= '9';
}

char *cpts_slug(const char *s, size_t max_len, const char *fallback)
{
	cpts_buf b = CPTS_BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	bool dash = false;

	if (max_len < 8)
		max_len = 8;
	while (*p && b.len < max_len) {
		uint32_t cp;
		const char *t = NULL;
		char one[2] = { 0, 0 };
		p += utf8_next(p, &cp);
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
			one[0] = (char)cp;
			t = one;
		} else if (cp >= 'A' && cp <= 'Z') {
			one[0] = (char)(cp - 'A' + 'a');
			t = one;
		} else if (cp >= 0xC0 && cp <= 0x17F) {
			t = latin_c0[cp - 0xC0];
		} else if (cp == '\'' || cp == 0x2019) {
			continue; /* l'Ouest -> louest, as French slugs usually do */
		}
		if (!t || !*t) { /* separator, symbol, emoji, non-Latin script */
			dash = b.len > 0;
			continue;
		}
		if (dash)
			cpts_buf_addch(&b, '-');
		dash = false;
		for (; *t && b.len < max_len; t++)
			cpts_buf_addch(&b, (char)(*t >= 'A' && *t <= 'Z' ? *t - 'A' + 'a' : *t));
	}
	while (b.len > 0 && b.data[b.len - 1] == '-')
		b.data[--b.len] = '\0';
	if (b.len == 0)
		cpts_buf_addstr(&b, fallback && *fallback ? fallback : "x");
	if (windows_reserved(b.data))
		cpts_buf_addstr(&b, "-1");
	return cpts_buf_detach(&b, NULL);
}
