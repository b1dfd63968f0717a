#!/usr/bin/env bash
# The layer rule of docs/ARCHITECTURE.md, checked on every #include:
#
#   util < model < engine, catalog, pkg, render, recipes < core < cli (< main.c)
#
# An include may point to its own folder or to a lower layer, never up and
# never sideways between the middle folders (engine/ may not include pkg/).
# Each foreign library's header is included only by the module that owns it.
#
#   tests/lint/layers.sh [SRC_DIR]      check a tree (default: src/)
#   tests/lint/layers.sh --self-test    prove the check fails on a bad tree
set -u

# One awk pass over every file: the layer of each folder, and the files
# (shell-like patterns over paths below src/) that may include a foreign
# library's header.
check_tree() {
	local src=$1
	[ -d "$src" ] || { echo "layers: no folder '$src'" >&2; return 2; }
	awk -v src="$src/" '
	BEGIN {
		split("util=0 model=1 engine=2 catalog=2 pkg=2 render=2 recipes=2 core=3 cli=4 main.c=5", l, " ")
		for (i in l) { split(l[i], kv, "="); rank[kv[1]] = kv[2] }
		owner["curl"] = "^engine/http[.]c$"
		owner["sqlite3.h"] = "^catalog/"
		owner["git2.h"] = "^recipes/"; owner["git2"] = "^recipes/"
		owner["archive.h"] = "^util/tar[.]c$"; owner["archive_entry.h"] = "^util/tar[.]c$"
		owner["jansson.h"] = "^(engine/|pkg/|util/jout[.]c$)"
		bad = 0
	}
	FNR == 1 {
		rel = substr(FILENAME, length(src) + 1)
		from = rel; sub(/\/.*/, "", from)
		if (!(from in rank)) {
			print rel ": folder \047" from "\047 has no layer (add it to tests/lint/layers.sh and docs/ARCHITECTURE.md)"
			bad = 1
		}
	}
	/^[ \t]*#[ \t]*include[ \t]*"/ {
		inc = $0; sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
		to = inc; sub(/\/.*/, "", to)
		if (!(to in rank) || to == inc) {
			print rel ": includes \"" inc "\", which is in no layer"; bad = 1
		} else if (from in rank && to != from && rank[to] >= rank[from]) {
			print rel ": includes \"" inc "\": " from "/ (layer " rank[from] ") may not include " to "/ (layer " rank[to] ")"
			bad = 1
		}
	}
	/^[ \t]*#[ \t]*include[ \t]*</ {
		inc = $0; sub(/^[^<]*</, "", inc); sub(/>.*/, "", inc)
		lib = inc; sub(/\/.*/, "", lib)
		if (lib in owner && rel !~ owner[lib]) {
			print rel ": includes <" inc ">, which only files matching " owner[lib] " may include"
			bad = 1
		}
	}
	END { exit bad }
	' $(find "$src" -name '*.[ch]' | sort)
}

self_test() {
	local t rc=0
	t=$(mktemp -d)
	mkdir -p "$t/util" "$t/model" "$t/engine" "$t/pkg" "$t/core"
	printf '#include "util/buf.h"\n#include <stdio.h>\n' >"$t/model/ok.h"
	printf '#include "model/model.h"\n#include <jansson.h>\n' >"$t/engine/ok.c"
	check_tree "$t" >/dev/null || { echo "self-test: a good tree failed"; rc=1; }
	printf '#include "core/save.h"\n' >"$t/engine/up.c"
	check_tree "$t" >/dev/null && { echo "self-test: an upward include passed"; rc=1; }
	rm "$t/engine/up.c"
	printf '#include "pkg/pkg.h"\n' >"$t/engine/side.c"
	check_tree "$t" >/dev/null && { echo "self-test: a sideways include passed"; rc=1; }
	rm "$t/engine/side.c"
	printf '#include <curl/curl.h>\n' >"$t/core/lib.c"
	check_tree "$t" >/dev/null && { echo "self-test: a foreign header outside its module passed"; rc=1; }
	rm -rf "$t"
	[ "$rc" = 0 ] && echo "layers: self-test ok"
	return $rc
}

if [ "${1:-}" = --self-test ]; then
	self_test
	exit
fi
src=${1:-$(cd "$(dirname "$0")/../.." && pwd)/src}
if check_tree "$src"; then
	echo "layers: every include points down"
else
	exit 1
fi
