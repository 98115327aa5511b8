#!/usr/bin/env bash
# The browser suite in two runs: every spec but the heap- and task-timing ones (AGENTMEM_PW_WORKERS workers,
# default 2: on 2 cores one worker left the whole `npm test` over 15 minutes, see bench/README.md), then those (the
# `alone` project) one at a time with the machine to themselves. Both runs always run; either failing fails.
set -u
cd "$(dirname "$0")/.."
npx playwright test --project=shared --workers="${AGENTMEM_PW_WORKERS:-2}"
shared=$?
npx playwright test --project=alone
alone=$?
exit $((shared || alone))
