/* table.c - aligned text tables (see table.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

struct table {
	const struct table_column *cols;
	size_t ncols;
	size_t nrows, cap;
	char **cells;		/* nrows * ncols, row-major */
	size_t *width;		/* ncols */
};

struct table *table_new(const struct table_column *cols, size_t ncols)
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->width = calloc(ncols, sizeof(*t->width));
	if (!t->width) {
		free(t);
		return NULL;
	}
	t->cols = cols;
	t->ncols = ncols;
	for (size_t c = 0; c < ncols; c++)
		t->width[c] = strlen(cols[c].name);
	return t;
}

int table_add(struct table *t, const char *const *cells)
{
	char **row;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **p = realloc(t->cells, cap * t->ncols * sizeof(*p));

		if (!p)
			return -ENOMEM;
		t->cells = p;
		t->cap = cap;
	}
	row = t->cells + t->nrows * t->ncols;
	for (size_t c = 0; c < t->ncols; c++) {
		row[c] = strdup(cells[c] ? cells[c] : "-");
		if (!row[c]) {
			while (c--)
				free(row[c]);
			return -ENOMEM;
		}
	}
	for (size_t c = 0; c < t->ncols; c++) {
		size_t n = strlen(row[c]);

		if (n > t->width[c])
			t->width[c] = n;
	}
	t->nrows++;
	return 0;
}

size_t table_rows(const struct table *t)
{
	return t->nrows;
}

/* Row r, or the header when r == HEADER. */
#define HEADER ((size_t)-1)

static void print_row(const struct table *t, size_t r, FILE *f)
{
	for (size_t c = 0; c < t->ncols; c++) {
		const char *cell = r == HEADER ? t->cols[c].name
					       : t->cells[r * t->ncols + c];
		int w = (int)t->width[c];

		if (c)
			fputs("  ", f);
		if (t->cols[c].right)
			fprintf(f, "%*s", w, cell);
		else if (c + 1 == t->ncols)
			fputs(cell, f);
		else
			fprintf(f, "%-*s", w, cell);
	}
	fputc('\n', f);
}

void table_print(const struct table *t, FILE *f)
{
	print_row(t, HEADER, f);
	for (size_t r = 0; r < t->nrows; r++)
		print_row(t, r, f);
}

void table_free(struct table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->width);
	free(t);
}
