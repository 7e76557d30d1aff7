/*
 * banned.h - force-included into every cpts source file (meson: -include).
 * Functions that overflow buffers, lose errors or are not thread-safe become compile
 * errors (git's banned.h). Use cpts_buf, snprintf, strtod/strtol with end checks.
 */
#ifndef CPTS_BANNED_H
#define CPTS_BANNED_H

#define CPTS_BANNED(func) sorry_##func##_is_a_banned_function

#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#undef strcpy
#define strcpy(x, y) CPTS_BANNED(strcpy)
#undef strcat
#define strcat(x, y) CPTS_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) CPTS_BANNED(strncpy)
#undef sprintf
#define sprintf(...) CPTS_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) CPTS_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) CPTS_BANNED(strtok)
#undef gmtime
#define gmtime(t) CPTS_BANNED(gmtime)
#undef localtime
#define localtime(t) CPTS_BANNED(localtime)
#undef atoi
#define atoi(x) CPTS_BANNED(atoi)
#undef atof
#define atof(x) CPTS_BANNED(atof)

#endif
