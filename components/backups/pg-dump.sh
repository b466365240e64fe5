#!/bin/sh
# Hangar's logical backup, run by the dump CronJob (and by the restore test).
# Dumps the writer over verified TLS, checks the archive reads back, writes a
# SHA-256 checksum beside it and uploads both. Any failure exits non-zero, so
# the Job fails and the "dump failed" alert fires.
#
# Environment: PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD (libpq), PGSSLROOTCERT
# (CA bundle, e.g. the RDS global bundle), DUMP_DESTINATION (s3://bucket/prefix
# or file:///directory), optional PGSSLMODE (verify-full or verify-ca).
set -eu

fail() { echo "pg-dump: $*" >&2; exit 1; }

: "${PGHOST:?PGHOST is required}" "${PGDATABASE:?PGDATABASE is required}" "${PGUSER:?PGUSER is required}"
: "${PGPASSWORD:?PGPASSWORD is required}" "${DUMP_DESTINATION:?DUMP_DESTINATION is required}"
: "${PGSSLROOTCERT:?PGSSLROOTCERT (the CA bundle) is required}"
export PGSSLMODE="${PGSSLMODE:-verify-full}"
case "$PGSSLMODE" in
  verify-full|verify-ca) ;;
  *) fail "refusing PGSSLMODE=$PGSSLMODE: dumps travel over verified TLS only" ;;
esac
[ -r "$PGSSLROOTCERT" ] || fail "cannot read the CA bundle $PGSSLROOTCERT"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
name="$PGDATABASE-$stamp.dump"
work=$(mktemp -d)
# EXIT cleans up; a signal must end the script too (a trap on INT/TERM alone runs and then carries on).
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Custom format is compressed and restorable table by table.
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$work/$name" || fail "pg_dump failed"
pg_restore --list "$work/$name" > /dev/null || fail "the archive does not read back"
(cd "$work" && sha256sum "$name" > "$name.sha256") || fail "checksum failed"

case "$DUMP_DESTINATION" in
  s3://*)
    target="${DUMP_DESTINATION%/}"
    # The CLI sends a SHA-256 that S3 verifies on arrival; the bucket's SSE-KMS encrypts it.
    aws s3 cp --only-show-errors --checksum-algorithm SHA256 "$work/$name" "$target/$name" || fail "upload failed"
    aws s3 cp --only-show-errors --checksum-algorithm SHA256 "$work/$name.sha256" "$target/$name.sha256" || fail "checksum upload failed"
    ;;
  file://*)
    dir="${DUMP_DESTINATION#file://}"
    mkdir -p "$dir"
    cp "$work/$name" "$work/$name.sha256" "$dir/" || fail "copy failed"
    (cd "$dir" && sha256sum -c --status "$name.sha256") || fail "checksum mismatch after copy"
    ;;
  *) fail "DUMP_DESTINATION must be s3://… or file://…" ;;
esac
echo "pg-dump: wrote $name to $DUMP_DESTINATION"
