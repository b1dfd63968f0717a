/*
 * A JSON document into a model value (model/value.h), for the modules
 * above that read JSON keep wrote elsewhere (a recipe repository's
 * container.json) without a JSON library of their own: jansson stays in
 * src/engine/.
 */
#ifndef KEEP_ENGINE_JSON_VALUE_H
#define KEEP_ENGINE_JSON_VALUE_H

#include <stddef.h>

#include "model/value.h"
#include "util/error.h"

/*
 * Parse len bytes of JSON into *out (overwritten; the caller releases it).
 * what names the document in the error. Returns 0, or -1 with *err set.
 */
int engine_json_value(const char *data, size_t len, const char *what,
    struct value *out, struct keep_error **err);

#endif
