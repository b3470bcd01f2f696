#!/usr/bin/env bash
# Regenerates and compiles the English catalogue (cartable/locale/en/LC_MESSAGES/django.po and .mo).
#
# Usage: scripts/i18n.sh        (needs GNU gettext: apt-get install gettext)
#
# 1. Extracts every marked string of cartable/ (gettext, {% translate %}, {% blocktranslate %}) and merges
#    it into the .po: existing translations are kept, new strings arrive with an empty msgstr, changed ones
#    arrive "fuzzy" with the old translation as a hint, strings no longer in the code are dropped.
# 2. Lists what still needs an English translation (empty or fuzzy entries) and stops there if any:
#    translate them in the .po (and delete the "#, fuzzy" line once a fuzzy entry is right), then run again.
# 3. Compiles the .mo. Commit both files: the .mo lets a machine without gettext run in English.
# tests/test_i18n.py fails while the catalogue lacks a string of the code or has an untranslated entry.
set -euo pipefail

cd "$(dirname "$0")/../cartable"
PO=locale/en/LC_MESSAGES/django.po

uv run cartable makemessages --locale en --domain django --no-obsolete --add-location=file \
  --ignore='.venv/*' --ignore='node_modules/*' --ignore='tests/*' >/dev/null
# The creation date changes on every run; dropping it keeps the file unchanged when the strings are.
sed -i '/^"POT-Creation-Date: /d' "$PO"

# With --no-wrap every msgid sits on one line; the header's is the only empty one.
todo=$( { msgattrib --untranslated --no-wrap "$PO"; msgattrib --only-fuzzy --no-wrap "$PO"; } \
  | grep -c '^msgid "[^"]' || true)
if (( todo > 0 )); then
  echo "cartable/$PO: $todo entries to translate (empty or fuzzy):" >&2
  msgattrib --untranslated "$PO" | sed '1,/^$/d' >&2
  echo >&2
  msgattrib --only-fuzzy "$PO" | sed '1,/^$/d' >&2
  exit 1
fi

uv run cartable compilemessages --locale en >/dev/null
msgfmt --statistics -o /dev/null "$PO"
echo "cartable/${PO%.po}.mo compiled."
