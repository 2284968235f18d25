# Development secrets: made once per checkout, kept in .data (ignored), never committed.
# A secret added by a later version of this file is appended to an existing checkout's file.
# shellcheck shell=bash
secrets_file="$ZWECK_DATA_DIR/dev-secrets.env"
random_text() { head -c 36 /dev/urandom | base64 | tr -d '/+='; }
umask 077
touch "$secrets_file"
grep -q '^UNSUBSCRIBE_SECRET=' "$secrets_file" || echo "UNSUBSCRIBE_SECRET=$(random_text)" >>"$secrets_file"
grep -q '^SUPPRESSION_KEY=' "$secrets_file" || echo "SUPPRESSION_KEY=$(random_text)" >>"$secrets_file"
grep -q '^TEMPORAL_PAYLOAD_KEYS=' "$secrets_file" || echo "TEMPORAL_PAYLOAD_KEYS=dev-1:$(head -c 32 /dev/urandom | base64)" >>"$secrets_file"
grep -q '^FIELD_ENCRYPTION_KEYS=' "$secrets_file" || echo "FIELD_ENCRYPTION_KEYS=field-1:$(head -c 32 /dev/urandom | base64)" >>"$secrets_file"
grep -q '^BACKUP_KEY=' "$secrets_file" || echo "BACKUP_KEY=dev-backup-1:$(head -c 32 /dev/urandom | base64)" >>"$secrets_file"
set -a
# shellcheck disable=SC1090
source "$secrets_file"
set +a
