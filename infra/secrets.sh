# Development secrets: made once per checkout, kept in .data (ignored), never committed.
# shellcheck shell=bash
secrets_file="$ZWECK_DATA_DIR/dev-secrets.env"
if [[ ! -f $secrets_file ]]; then
  umask 077
  {
    echo "UNSUBSCRIBE_SECRET=$(head -c 36 /dev/urandom | base64 | tr -d '/+=' )"
    echo "SUPPRESSION_KEY=$(head -c 36 /dev/urandom | base64 | tr -d '/+=' )"
  } >"$secrets_file"
fi
set -a
# shellcheck disable=SC1090
source "$secrets_file"
set +a
