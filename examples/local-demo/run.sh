#!/usr/bin/env bash
# A real rolling deployment on the embedded local ECS, from nothing: build
# ecsdeploy, create the service "web" (4 Fargate tasks) through a stack, roll
# it to a new image, and show its status. It uses a fresh state file, so your
# own local ECS state (ecsdeploy local path) is left alone.
set -euo pipefail
cd "$(dirname "$0")/../.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ECSDEPLOY_LOCAL_STATE="$work/local-state.json"

go build -o "$work/ecsdeploy" ./cmd/ecsdeploy
ecsdeploy() { "$work/ecsdeploy" "$@"; }

echo "== create the service web through a CloudFormation stack"
ecsdeploy --local stack deploy -f examples/local-demo/web.yaml

echo "== roll it to a new image"
ecsdeploy --local deploy --cluster default --service web \
  --image web=public.ecr.aws/nginx/nginx:1.28 --env web:GREETING=hello --keep-revisions 5

echo "== where it stands"
ecsdeploy --local status --cluster default --service web
