#!/usr/bin/env bash
# Shell completion (keep completion bash|zsh) and terminal manners: a pipe
# closed early, no colour even on a terminal (NO_COLOR and --no-color are
# accepted), no progress noise off a terminal.
. "$(dirname "$0")/lib.sh"
need_base_image

test_expect_success 'keep completion bash passes bash -n; zsh prints a #compdef script' '
	keep completion bash >keep.bash &&
	bash -n keep.bash &&
	expect_grep "^complete -F _keep keep$" keep.bash &&
	keep completion zsh >keep.zsh &&
	head -n 1 keep.zsh >first &&
	test "$(cat first)" = "#compdef keep" &&
	bash -n keep.zsh &&
	{ ! command -v zsh >/dev/null || zsh -n keep.zsh; }
'

test_expect_success 'in zsh (bashcompinit), the script picks the same candidates' '
	command -v zsh >/dev/null || test_skip "zsh is not installed (scripts/setup.sh installs it)"
	zsh -f -c "autoload -U compinit && compinit -u -d $TEST_DIR/zcompdump
		source ./keep.zsh
		COMP_WORDS=(keep show --a); COMP_CWORD=2; _keep
		print -l -- \$COMPREPLY" >out 2>err &&
	expect_grep "^--at$" out &&
	expect_no_grep "^save$" out
'

test_expect_success 'completion without a shell, or an unknown one, is a usage error' '
	expect_code 2 keep completion 2>err &&
	expect_code 2 keep completion fish 2>err &&
	expect_grep "fish" err
'

# complete WORD... : run the completion function on the words of
# "keep WORD..." (the last one being completed); print COMPREPLY one a line.
cat >complete.sh <<'EOF'
source ./keep.bash
COMP_WORDS=("$KEEP_BIN" "$@")
COMP_CWORD=$#
_keep
[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}"
EOF
expect_empty() {
	[ ! -s "$1" ] && return 0
	echo "expected $1 to be empty:"
	sed 's/^/  | /' "$1"
	return 1
}
complete_words() { KEEP_BIN=$KEEP_BIN bash complete.sh "$@"; }

test_expect_success 'keep sh<TAB> offers show; keep <TAB> every command of the table' '
	complete_words sh >out &&
	test "$(cat out)" = show &&
	complete_words "" >out &&
	keep_commands >cmds &&
	for cmd in $(cat cmds); do
		expect_grep "^$cmd$" out || exit 1
	done
'

test_expect_success 'options come from the command option tables, global ones before the command' '
	complete_words save --j >out &&
	test "$(cat out)" = --json &&
	complete_words show -- >out &&
	expect_grep "^--at$" out && expect_grep "^--project$" out && expect_grep "^--help$" out &&
	complete_words --no >out &&
	test "$(cat out)" = --no-color &&
	complete_words -H unix:///x sa >out &&
	test "$(cat out)" = save &&
	complete_words help to >out &&
	test "$(cat out)" = to-dockerfile &&
	complete_words completion "" >out &&
	test "$(sort out | tr "\n" " ")" = "bash zsh "
'

test_expect_success 'an option that takes one of a few values offers them; find takes no NAME' '
	complete_words sbom --format "" >out &&
	test "$(sort out | tr "\n" " ")" = "cyclonedx spdx " &&
	complete_words sbom --format s >out &&
	test "$(cat out)" = spdx &&
	complete_words find --manager "" >out &&
	test "$(sort out | tr "\n" " ")" = "apk dpkg npm pip " &&
	complete_words find --l >out &&
	test "$(cat out)" = --latest &&
	complete_words status --j >out &&
	test "$(cat out)" = --json
'

test_expect_success 'no catalog yet: --names prints nothing and creates none' '
	keep completion --names >out &&
	expect_empty out &&
	test ! -e "$KEEP_HOME/catalog.db"
'

C=$(run_container tracked --network none "$KEEP_TEST_BASE" sleep infinity)

test_expect_success 'keep show <TAB> offers a tracked name; an option value is not completed' '
	keep save "$C" >out 2>err &&
	expect_empty err &&
	keep completion --names >names &&
	test "$(cat names)" = "$C" &&
	complete_words show "" >out &&
	expect_grep "^$C$" out &&
	complete_words save "${C%???}" >out &&
	test "$(cat out)" = "$C" &&
	complete_words show --at "" >out &&
	expect_empty out &&
	complete_words resume "$C" -- s >out &&
	expect_empty out &&
	complete_words sbom "" >out &&
	expect_grep "^$C$" out &&
	complete_words status "" >out &&
	expect_grep "^$C$" out &&
	complete_words find "" >out &&
	expect_empty out
'

test_expect_success 'save off a terminal writes no progress: stderr stays empty' '
	$DOCKER exec "$C" sh -c "echo x >/etc/x.conf" &&
	keep save "$C" >out 2>err &&
	expect_empty err &&
	expect_grep "^saved $C #2 " out
'

# on_tty OUT CMD...: run CMD with stdin, stdout and stderr on a
# pseudo-terminal; what it wrote goes to OUT; its exit status is returned.
# This end keeps the terminal open until CMD is done and its output read:
# a terminal whose last user left may drop what was still in flight.
on_tty() {
	python3 -c '
import os, pty, select, subprocess, sys
master, slave = pty.openpty()
child = subprocess.Popen(sys.argv[2:], stdin=slave, stdout=slave, stderr=slave,
                         start_new_session=True)
out = b""
while True:
    ready = select.select([master], [], [], 0.5)[0]
    if ready:
        out += os.read(master, 65536)
    elif child.poll() is not None:
        break
with open(sys.argv[1], "wb") as f:
    f.write(out)
sys.exit(child.returncode)
' "$@"
}

# The only escape keep writes on a terminal is the erase that ends save's
# progress line, which shows keep saw one; a colour would be ESC [ ... m.
test_expect_success 'on a terminal keep prints no colour, with or without NO_COLOR and --no-color' '
	$DOCKER exec "$C" sh -c "echo y >/etc/y.conf" &&
	on_tty save.tty "$KEEP_BIN" save "$C" &&
	expect_grep "saved $C #3 " save.tty &&
	grep -q "$(printf "\033")\[K" save.tty &&
	esc=$(printf "\033") &&
	on_tty tty.doctor "$KEEP_BIN" doctor &&
	! grep -q "$esc\[[0-9;]*m" tty.doctor &&
	for args in "ls" "show $C" "log $C" "diff $C" "--help" "--no-color ls" "show --json $C"; do
		on_tty tty.out "$KEEP_BIN" $args || { echo "keep $args failed on a terminal"; exit 1; }
		test -s tty.out || { echo "keep $args printed nothing"; exit 1; }
		! grep -q "$esc\[[0-9;]*m" tty.out || { echo "colour from keep $args:"; cat -v tty.out; exit 1; }
		NO_COLOR=1 on_tty tty.nocolor "$KEEP_BIN" $args &&
		cmp tty.out tty.nocolor || { echo "keep $args differs under NO_COLOR"; exit 1; }
	done
'

# Many catalog rows (copies of the real one under an engine that does not
# exist), so that ls writes far more than a pipe holds.
add_many() {
	local db=$KEEP_HOME/catalog.db cols scols
	cols=$(sqlite3 "$db" "SELECT group_concat(name) FROM pragma_table_info('snapshots') WHERE name NOT IN ('id', 'container')") &&
	scols=$(echo "$cols" | sed 's/\([a-z_]*\)/s.\1/g') &&
	sqlite3 "$db" "
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
		INSERT INTO containers (engine, name, container_id, created_at)
			SELECT 'unix:///nonexistent.sock', printf('many%05d', i), '0', '2026-01-01T00:00:00Z' FROM n;
		INSERT INTO snapshots (container, $cols)
			SELECT c.id, $scols FROM containers c, snapshots s
			WHERE c.name LIKE 'many%' AND s.id = (SELECT min(id) FROM snapshots);"
}

test_expect_success 'setup: 3000 more tracked names' '
	add_many 3000 &&
	test "$(keep ls --json | jq length)" = 3001
'

test_expect_success 'keep ls | head -1 exits 0 and quietly, as keep ls --json | head -1 does' '
	keep ls 2>err | head -n 1 >out
	test "${PIPESTATUS[0]}" = 0 &&
	expect_empty err &&
	expect_grep "^NAME " out &&
	keep ls --json 2>err | head -c 10 >out
	test "${PIPESTATUS[0]}" = 0 &&
	expect_empty err &&
	keep completion --names 2>err | head -n 2 >out
	test "${PIPESTATUS[0]}" = 0 &&
	expect_empty err &&
	test "$(wc -l <out)" = 2
'

test_expect_success 'NO_COLOR and --no-color are accepted; output has no escape sequences' '
	NO_COLOR=1 keep ls >out &&
	keep --no-color ls >out2 &&
	cmp out out2 &&
	! grep -q "$(printf "\033")" out &&
	keep --no-color show "$C" >out &&
	! grep -q "$(printf "\033")" out
'

test_expect_success '-q keeps an empty catalog quiet' '
	KEEP_HOME=$TEST_DIR/empty keep -q ls >out 2>err &&
	expect_empty out && expect_empty err
'

test_done
