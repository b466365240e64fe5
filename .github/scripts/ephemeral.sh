#!/usr/bin/env bash
# A pull request's ephemeral environment, as .github/workflows/ephemeral.yml drives it:
#   ephemeral.sh up <pr>      create pr-<pr> from staging (or, when it exists, rebuild its
#                             stack file: this runner never saw it) and update it
#   ephemeral.sh remove <pr>  destroy and remove pr-<pr>, when the backend has it
# The stack file is always rebuilt from the same --from and --set values, so any runner
# can pick the environment up (automation/README.md, "Ephemeral environments on CI runners").
set -euo pipefail
action="${1:-}"
pr="${2:-}"
[[ "$pr" =~ ^[0-9]+$ ]] || { echo "ephemeral.sh: not a pull request number: '$pr'" >&2; exit 2; }
name="pr-$pr"
hangar() { node automation/hangar.js "$@"; }

# Staging's cluster and its operators; everything namespaced lives in the environment's own
# namespace and its public host is its own (services[0] is staging's public service, api); the
# PriorityClasses, cluster-scoped, are staging's.
sets=(
    --from staging
    --set "app.namespace=hangar-$name"
    --set "app.services[0].host=$name-api.staging.hangar.example.aero"
    --set "monitoring.mode=existing-operator"
    --set "monitoring.namespace=hangar-$name"
    --set "externalSecrets.mode=existing"
    --set "foundation.kubernetes.priorityClassPrefix=hangar-staging"
)
if [ -n "${PULUMI_SECRETS_PROVIDER:-}" ]; then sets+=(--secrets-provider "$PULUMI_SECRETS_PROVIDER"); fi

case "$action" in
    up)
        hangar create "$name" "${sets[@]}" --if-exists rebuild
        hangar up "$name" --message "pull request #$pr"
        ;;
    remove)
        if hangar list --ephemeral --json | jq -e --arg n "$name" 'any(.[]; .name == $n and .inBackend)' >/dev/null; then
            hangar remove "$name" --yes "${sets[@]}"
        else
            echo "no environment $name in the backend: nothing to remove"
        fi
        ;;
    *)
        echo "usage: ephemeral.sh up|remove <pull request number>" >&2
        exit 2
        ;;
esac
