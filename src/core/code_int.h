/*
 * code_int.h - tables shared by the files of src/core/ that deal with codes.
 */
#ifndef CPTS_CODE_INT_H
#define CPTS_CODE_INT_H

struct cpts_dep_row {
	const char *dep, *reg, *name;
};
struct cpts_reg_row {
	const char *reg, *name;
};
extern const struct cpts_dep_row cpts_dep_rows[];
extern const struct cpts_reg_row cpts_reg_rows[];

#endif
