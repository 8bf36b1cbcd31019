/* table.h - aligned text tables.
 *
 * Rows are collected first, so that each column can be as wide as its
 * widest cell; table_print() then writes the header and the rows, columns
 * separated by two spaces, numeric columns right-aligned, and no trailing
 * blanks. Cells are copied. Widths are counted in bytes: every cell fwpctl
 * prints is ASCII.
 *
 * Ownership: the table owns its copies until table_free(). Locking: none.
 */
#ifndef FWPCTL_TABLE_H
#define FWPCTL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct table_column {
	const char *name;
	bool right;		/* right-align (numbers) */
};

struct table;

/* NULL when out of memory. cols must outlive the table. */
struct table *table_new(const struct table_column *cols, size_t ncols);
/* Appends a row of ncols cells (NULL prints "-"). 0 or -ENOMEM. */
int table_add(struct table *t, const char *const *cells);
size_t table_rows(const struct table *t);
void table_print(const struct table *t, FILE *f);
void table_free(struct table *t);

#endif
