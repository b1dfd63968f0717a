/*
 * The schema migrations, embedded at build time from migrations/NNNN_name.sql
 * (see cmake/embed_migrations.cmake). Entry i has number i + 1.
 */
#ifndef KEEP_CATALOG_MIGRATIONS_H
#define KEEP_CATALOG_MIGRATIONS_H

struct catalog_migration {
	int number;
	const char *name;
	const char *sql;
};

extern const struct catalog_migration catalog_migrations[];
extern const int catalog_migrations_count;

#endif
