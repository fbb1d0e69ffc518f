#!/usr/bin/env bash
# Rebuild homeward/web/static/govuk/ from the govuk-frontend npm package. Needs node and npm,
# and is run only when upgrading GOV.UK Frontend: running Homeward needs no front-end build.
#
#   homeward/web/static_src/build-govuk-frontend.sh [VERSION]
set -euo pipefail
version="${1:-5.14.0}"
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../static/govuk"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "govuk-frontend@$version" >/dev/null
tar xzf "govuk-frontend-$version.tgz"
npm init -y >/dev/null
npm install --silent --no-save sass >/dev/null
# Our own compile: arial instead of GDS Transport, no @font-face, assets beside the stylesheet.
./node_modules/.bin/sass --no-source-map --style=compressed --silence-deprecation=import --quiet-deps \
  --load-path=package/dist "$here/govuk-frontend.scss" "$out/govuk-frontend.min.css"
sed 's#//\# sourceMappingURL=govuk-frontend.min.js.map##' package/dist/govuk/govuk-frontend.min.js \
  > "$out/govuk-frontend.min.js"
sed -i "1s/^GOV.UK Frontend [0-9.]*/GOV.UK Frontend $version/" "$out/LICENSE.txt"
echo "GOV.UK Frontend $version built into $out"
