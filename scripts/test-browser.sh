#!/usr/bin/env bash
# The browser suite in two runs: every spec but the heap- and task-timing ones with two workers (one test's
# inference keeps about one core busy, so a second browser uses a 2-core machine's other core), then those
# (the `alone` project) one at a time with the machine to themselves. Both runs always run; either failing fails.
# AGENTMEM_PW_WORKERS sets the first run's workers.
set -u
cd "$(dirname "$0")/.."
npx playwright test --project=shared --workers="${AGENTMEM_PW_WORKERS:-2}"
shared=$?
npx playwright test --project=alone
alone=$?
exit $((shared || alone))
