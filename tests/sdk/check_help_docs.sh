#!/bin/bash
# The man pages and the bash completion match ampsim's --help (they are generated from it):
#   check_help_docs.sh AMPSIM GENERATED_DIR
# every command `ampsim --help` lists has a page, every long option of `ampsim CMD --help`
# is in its page and completes, the pages render without a groff warning.
set -euo pipefail
ampsim=$1 gen=$2
fail() { echo "check_help_docs: $*" >&2; exit 1; }

cmds=$("$ampsim" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p')
[ -n "$cmds" ] || fail "ampsim --help lists no commands"
[ -f "$gen/man1/ampsim.1" ] || fail "no ampsim.1"
# shellcheck disable=SC1091
source "$gen/bash-completion/ampsim"
complete_words() { # complete_words WORD... : what bash offers for the last word
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _ampsim
  echo " ${COMPREPLY[*]} "
}
for c in $cmds; do
  page=$gen/man1/ampsim-$c.1
  [ -f "$page" ] || fail "no man page for '$c' ($page)"
  grep -q "ampsim\\\\-$c" "$gen/man1/ampsim.1" || fail "ampsim.1 does not list ampsim-$c(1)"
  [[ $(complete_words ampsim "${c:0:2}") == *" $c "* ]] || fail "'ampsim ${c:0:2}<TAB>' misses $c"
  for o in $("$ampsim" "$c" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
    grep -q -- "${o//-/\\\\-}" "$page" || fail "$page lacks $o"
    [[ $(complete_words ampsim "$c" "$o") == *" $o "* ]] || fail "'ampsim $c $o<TAB>' misses $o"
  done
  if command -v man >/dev/null; then
    warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) || fail "man cannot render $page"
    [ -z "$warn" ] || fail "$page: $warn"
  fi
done
[[ $(complete_words ampsim ctl st) == *" status "*" stop "* ]] || fail "'ampsim ctl st<TAB>' misses verbs"
echo "check_help_docs: $(echo $cmds | wc -w) commands: pages and completion match --help"
